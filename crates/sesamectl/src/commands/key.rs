//! `sesamectl key …`: create, list, show, edit, the lifecycle, import and usage help.

use std::io::IsTerminal;

use clap::builder::NonEmptyStringValueParser;
use clap::{Args, Subcommand};
use serde_json::json;
use sesame_core::bulk::{BulkChange, KeySelection};
use sesame_core::import::{self, Column, ImportPreview, ImportProgress};
use sesame_core::key::{
    Grace, Health, IssuedKey, Key, KeyEdit, KeyFilter, KeySort, KeyStatus, NewKey,
};
use sesame_core::messages::Arg;
use sesame_core::secret::ExposeSecret;
use sesame_core::{usage, validate};
use zeroize::Zeroizing;

use crate::Outcome;
use crate::context::Context;
use crate::error::{CliError, Result};
use crate::output::{KeyView, Output, to_value};
use crate::word_arg::word;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Issue a key; prints the identifier, the secret and the bearer token once.
    Create {
        /// The service's name or id.
        service: String,
        /// The key's name, unique among the service's keys.
        name: String,
        /// A permission among the service's (repeat for more).
        #[arg(long = "permission")]
        permissions: Vec<String>,
        /// Restrict the key to a company, by name, id, client code or SIREN (repeat for more).
        #[arg(long = "company")]
        companies: Vec<String>,
        /// Last day the key works, YYYY-MM-DD.
        #[arg(long)]
        expires: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        /// A free tag (repeat for more).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Who to call about the key: a name, an e-mail or a phone number.
        #[arg(long, default_value = "")]
        contact: String,
    },
    /// List keys, filtered and paged.
    List(ListArgs),
    /// One change for many keys — the ones named with --key, or every key of the criteria:
    /// deactivate, reactivate, revoke, set or remove the expiry, add or remove a tag, delete.
    /// Prints what each key would become; applies it all, or nothing, with --yes.
    Bulk(BulkArgs),
    /// Show one key.
    Show { key: String },
    /// Change a key's name, note, permissions, companies or expiry (not its secret).
    Edit(EditArgs),
    /// Refuse the key until it is reactivated.
    Deactivate { key: String },
    /// Accept an inactive key again.
    Reactivate { key: String },
    /// Remove the key from the lists; its history stays in the audit trail.
    Delete { key: String },
    /// Revoke the key for good.
    Revoke {
        key: String,
        #[arg(long)]
        reason: String,
    },
    /// Import keys already in use elsewhere from a CSV file (service, name, identifier, and the
    /// secret or its argon2id hash; optional creator, created, expiry, permissions, companies,
    /// note). Every line is checked first: one bad line and nothing is imported.
    Import {
        file: std::path::PathBuf,
        /// Only show what would be imported and what is refused.
        #[arg(long)]
        dry_run: bool,
    },
    /// How an application sends this key: curl lines against the local verification service.
    Usage { key: String },
    /// The keys still working that expire soon, soonest first; with --ics, an iCalendar file of
    /// them (one event on each key's last day, a reminder a week before) for Outlook or
    /// Thunderbird.
    Expiring {
        /// Days ahead to look.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
        within: u32,
        /// Write the calendar to this new file.
        #[arg(long)]
        ics: Option<std::path::PathBuf>,
    },
    /// Give the key a new secret; prints it once.
    Regenerate {
        key: String,
        /// How long the old secret keeps working.
        #[arg(long, value_parser = word::<Grace>(), default_value = "now")]
        grace: Grace,
    },
}

/// The key list's criteria, shared by `key list` and `key bulk`.
#[derive(Debug, Args)]
pub struct CriteriaArgs {
    #[arg(long, value_parser = NonEmptyStringValueParser::new())]
    service: Option<String>,
    #[arg(long, value_parser = NonEmptyStringValueParser::new())]
    company: Option<String>,
    #[arg(long, value_parser = word::<KeyStatus>())]
    status: Option<KeyStatus>,
    /// Text the key's name contains.
    #[arg(long, default_value = "")]
    name: String,
    /// Who created the keys, as the list shows it: an operator, or a creator named by an import.
    #[arg(long, value_parser = NonEmptyStringValueParser::new())]
    creator: Option<String>,
    /// A health check: keys unused for 90 days, without expiry, not regenerated for a year,
    /// expiring within 30 days, or refused while inactive or revoked.
    #[arg(long, value_parser = word::<Health>())]
    health: Option<Health>,
    /// Keys with this tag.
    #[arg(long, value_parser = NonEmptyStringValueParser::new())]
    tag: Option<String>,
}

impl CriteriaArgs {
    /// Whether no criterion is given: every key matches.
    fn is_empty(&self) -> bool {
        self.service.is_none()
            && self.company.is_none()
            && self.status.is_none()
            && self.name.trim().is_empty()
            && self.creator.is_none()
            && self.health.is_none()
            && self.tag.is_none()
    }

    fn into_filter(self) -> KeyFilter {
        KeyFilter {
            health: self.health,
            service: self.service,
            company: self.company,
            status: self.status,
            name_contains: self.name,
            creator: self.creator,
            tag: self.tag,
            ..KeyFilter::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    criteria: CriteriaArgs,
    #[arg(long, value_parser = word::<KeySort>(), default_value = "newest")]
    sort: KeySort,
    /// Page number, from 1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    page: u64,
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=500))]
    per_page: u32,
}

/// One change for many keys: the ticked ones (`--key`, repeated) or every key of the criteria.
#[derive(Debug, Args)]
pub struct BulkArgs {
    /// A key by name, identifier or id (repeat for more); without it, the criteria choose.
    #[arg(long = "key")]
    keys: Vec<String>,
    #[command(flatten)]
    criteria: CriteriaArgs,
    /// Every key, when no `--key` and no criterion is given (never taken by default).
    #[arg(long, conflicts_with = "keys")]
    all: bool,
    #[command(flatten)]
    change: BulkChangeArgs,
    #[command(flatten)]
    apply: crate::commands::bulk::ApplyArgs,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct BulkChangeArgs {
    #[arg(long)]
    deactivate: bool,
    #[arg(long)]
    reactivate: bool,
    /// Revoke for good, with this reason.
    #[arg(long, value_name = "REASON")]
    revoke: Option<String>,
    /// A new last day, YYYY-MM-DD.
    #[arg(long = "set-expires", value_name = "DATE")]
    set_expires: Option<String>,
    /// Take the expiry away.
    #[arg(long)]
    no_expiry: bool,
    #[arg(long, value_name = "TAG")]
    add_tag: Option<String>,
    #[arg(long, value_name = "TAG")]
    remove_tag: Option<String>,
    #[arg(long)]
    delete: bool,
}

impl BulkChangeArgs {
    fn into_core(self) -> Result<BulkChange> {
        Ok(if self.deactivate {
            BulkChange::Deactivate
        } else if self.reactivate {
            BulkChange::Reactivate
        } else if let Some(reason) = self.revoke {
            BulkChange::Revoke { reason }
        } else if let Some(day) = self.set_expires {
            BulkChange::SetExpiry(Some(validate::expiry_date(&day)?))
        } else if self.no_expiry {
            BulkChange::SetExpiry(None)
        } else if let Some(tag) = self.add_tag {
            BulkChange::AddTag(tag)
        } else if let Some(tag) = self.remove_tag {
            BulkChange::RemoveTag(tag)
        } else {
            // clap's group requires exactly one of the flags above; this is the last.
            BulkChange::Delete
        })
    }
}

#[derive(Debug, Args)]
pub struct EditArgs {
    key: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    note: Option<String>,
    /// The full new list of permissions (repeat); `--no-permissions` empties it.
    #[arg(long = "permission")]
    permissions: Vec<String>,
    #[arg(long, conflicts_with = "permissions")]
    no_permissions: bool,
    /// The full new list of companies (repeat); `--no-companies` lifts every restriction.
    #[arg(long = "company")]
    companies: Vec<String>,
    #[arg(long, conflicts_with = "companies")]
    no_companies: bool,
    #[arg(long)]
    expires: Option<String>,
    #[arg(long, conflicts_with = "expires")]
    no_expiry: bool,
    /// The full new list of tags (repeat); `--no-tags` removes them.
    #[arg(long = "tag")]
    tags: Vec<String>,
    #[arg(long, conflicts_with = "tags")]
    no_tags: bool,
    /// Who to call about the key.
    #[arg(long)]
    contact: Option<String>,
}

fn row(output: &Output, key: &Key) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        key.name,
        key.identifier,
        key.service_name,
        output.date(key.created_at),
        key.creator_name,
        output.last_use(key.last_use),
        output.expiry(key.expires_at),
        sesame_core::messages::status(output.lang, key.status)
    )
}

fn print_key(output: &Output, key: &Key) {
    output.print(
        || row(output, key),
        || json!({"key": to_value(KeyView::from(key))}),
    );
}

/// The only place a secret is printed: right after creation or regeneration.
fn print_issued(output: &Output, issued: &IssuedKey, regenerated: bool) {
    let bearer = issued.bearer();
    output.print(
        || {
            let names = [
                ("key", Arg::Text(issued.key.name.clone())),
                ("service", Arg::Text(issued.key.service_name.clone())),
            ];
            let title = match regenerated {
                false => output.text("cli-key-created", &names),
                true => output.text("cli-key-regenerated", &names),
            };
            let warning = output.say("cli-this_secret_will_never_be_shown");
            format!(
                "{title}\n{}\t{}\n{}\t{}\n{}\t{}\n{warning}",
                output.say("cli-identifier"),
                issued.key.identifier,
                output.say("cli-secret"),
                issued.secret.expose_secret(),
                output.say("cli-token"),
                bearer.expose_secret(),
            )
        },
        || {
            json!({
                "key": to_value(KeyView::from(&issued.key)),
                "identifier": issued.key.identifier,
                "secret": issued.secret.expose_secret(),
                "token": bearer.expose_secret(),
            })
        },
    );
}

fn read_import_file(path: &std::path::Path) -> Result<Zeroizing<Vec<u8>>> {
    let unusable = |why: String| CliError::File(path.to_owned(), why);
    let too_large =
        || sesame_core::Error::ImportFileTooLarge(import::IMPORT_BYTES_MAX / (1024 * 1024));
    let file = std::fs::File::open(path).map_err(|error| unusable(error.to_string()))?;
    // A regular file's size says at once; a pipe, a FIFO or a device is read up to the limit.
    let size = file
        .metadata()
        .map_err(|error| unusable(error.to_string()))?
        .len();
    if size > import::IMPORT_BYTES_MAX as u64 {
        return Err(too_large().into());
    }
    import::read_bounded(file)
        .map_err(|error| unusable(error.to_string()))?
        .ok_or_else(|| too_large().into())
}

fn print_preview(output: &Output, preview: &ImportPreview) {
    let lang = output.lang;
    output.print(
        || {
            let mut lines = vec![format!(
                "{} ({} {}, {} {}) — {}, « {} »",
                output.count("cli-lines_read", preview.rows),
                preview.with_secret,
                output.say("cli-with_a_secret"),
                preview.with_hash,
                output.say("cli-with_a_hash"),
                preview.encoding,
                preview.delimiter.escape_default(),
            )];
            for problem in &preview.problems {
                let column = problem
                    .column
                    .map(|column| format!(" ({})", column.label(lang)))
                    .unwrap_or_default();
                lines.push(format!(
                    "{} {}{column} : {}",
                    output.say("cli-line"),
                    problem.line,
                    problem.error.message(lang)
                ));
            }
            lines.join("\n")
        },
        || {
            json!({
                "rows": preview.rows,
                "with_secret": preview.with_secret,
                "with_hash": preview.with_hash,
                "encoding": preview.encoding,
                "delimiter": preview.delimiter.to_string(),
                "refused_rows": preview.refused_rows,
                "problem_count": preview.problem_count,
                "problems": preview.problems.iter().map(|p| json!({
                    "line": p.line,
                    "column": p.column.map(Column::code),
                    "code": p.error.code(),
                    "message": p.error.message(lang),
                })).collect::<Vec<_>>(),
            })
        },
    );
}

fn import_keys(
    output: &Output,
    sesame: &mut sesame_core::Sesame,
    session: &sesame_core::Session,
    file: &std::path::Path,
    dry_run: bool,
) -> Result<()> {
    let bytes = read_import_file(file)?;
    let preview = sesame.preview_import(session, &bytes)?;
    if dry_run || !preview.is_importable() {
        print_preview(output, &preview);
        if !preview.is_importable() {
            return Err(sesame_core::Error::ImportRefused(preview.refused_rows).into());
        }
        return Ok(());
    }
    let terminal = std::io::stderr().is_terminal();
    let report = |step: ImportProgress| {
        if terminal && step.to_hash > 0 {
            eprint!(
                "\r{} {}/{}",
                output.say("cli-hashing_secrets"),
                step.hashed,
                step.to_hash
            );
        }
    };
    // Ctrl-C ends the process before the transaction: nothing to cancel by hand.
    let never = std::sync::atomic::AtomicBool::new(false);
    let outcome = sesame.import_keys(session, &bytes, &report, &never)?;
    if terminal && outcome.with_secret > 0 {
        eprintln!();
    }
    output.print(
        || {
            output.text(
                "cli-keys-imported",
                &[
                    ("count", Arg::number(outcome.imported)),
                    ("secrets", Arg::number(outcome.with_secret)),
                    ("hashes", Arg::number(outcome.with_hash)),
                ],
            )
        },
        || {
            json!({
                "imported": outcome.imported,
                "with_secret": outcome.with_secret,
                "with_hash": outcome.with_hash,
            })
        },
    );
    Ok(())
}

fn print_usage(output: &Output, key: &Key) {
    let lines = usage::curl_lines_with_placeholder(&key.identifier, output.lang);
    output.print(
        || {
            let mut text: Vec<String> = lines.iter().map(|(_, line)| line.clone()).collect();
            text.push(format!(
                "{} {}",
                output.say("cli-documentation"),
                usage::documentation_url()
            ));
            text.join("\n")
        },
        || {
            let lines: Vec<_> = lines
                .iter()
                .map(|(style, line)| json!({"style": style, "line": line}))
                .collect();
            json!({
                "identifier": key.identifier,
                "lines": lines,
                "documentation": usage::documentation_url(),
            })
        },
    );
}

pub fn run(context: &Context, command: KeyCommand) -> Result<Outcome> {
    let (mut sesame, session) = context.sign_in()?;
    let output = &context.output;
    match command {
        KeyCommand::Create {
            service,
            name,
            permissions,
            companies,
            expires,
            note,
            tags,
            contact,
        } => {
            let expires_at = expires.as_deref().map(validate::expiry_date).transpose()?;
            let new_key = NewKey {
                service,
                name,
                permissions,
                companies,
                expires_at,
                note,
                tags,
                contact,
            };
            let issued = sesame.create_key(&session, &new_key)?;
            print_issued(output, &issued, false);
        }
        KeyCommand::List(args) => {
            let filter = KeyFilter {
                sort: args.sort,
                offset: (args.page - 1).saturating_mul(u64::from(args.per_page)),
                limit: args.per_page,
                ..args.criteria.into_filter()
            };
            let page = sesame.keys(&session, &filter)?;
            output.print(
                || {
                    let mut lines: Vec<String> = page.keys.iter().map(|k| row(output, k)).collect();
                    lines.push(output.count("cli-keys", page.total));
                    lines.join("\n")
                },
                || {
                    let keys: Vec<_> = page
                        .keys
                        .iter()
                        .map(|k| to_value(KeyView::from(k)))
                        .collect();
                    json!({
                        "total": page.total,
                        "page": args.page,
                        "per_page": args.per_page,
                        "keys": keys,
                    })
                },
            );
        }
        KeyCommand::Show { key } => print_key(output, &sesame.key(&session, &key)?),
        KeyCommand::Edit(args) => {
            let expires_at = match (args.no_expiry, args.expires.as_deref()) {
                (true, _) => Some(None),
                (false, Some(date)) => Some(Some(validate::expiry_date(date)?)),
                (false, None) => None,
            };
            let list = |values: Vec<String>, clear: bool| {
                if clear {
                    Some(Vec::new())
                } else if values.is_empty() {
                    None
                } else {
                    Some(values)
                }
            };
            let edit = KeyEdit {
                name: args.name,
                note: args.note,
                permissions: list(args.permissions, args.no_permissions),
                companies: list(args.companies, args.no_companies),
                expires_at,
                tags: list(args.tags, args.no_tags),
                contact: args.contact,
            };
            print_key(output, &sesame.edit_key(&session, &args.key, &edit)?);
        }
        KeyCommand::Deactivate { key } => {
            print_key(output, &sesame.deactivate_key(&session, &key)?)
        }
        KeyCommand::Reactivate { key } => {
            print_key(output, &sesame.reactivate_key(&session, &key)?)
        }
        KeyCommand::Delete { key } => {
            let deleted = sesame.delete_key(&session, &key)?;
            output.print(
                || {
                    let done = output.say("cli-key_deleted");
                    format!("{done} « {} ».", deleted.name)
                },
                || {
                    json!({"deleted": {
                        "id": deleted.id,
                        "name": deleted.name,
                        "identifier": deleted.identifier,
                    }})
                },
            );
        }
        KeyCommand::Bulk(args) => {
            if args.keys.is_empty() && args.criteria.is_empty() && !args.all {
                return Err(CliError::NoSelection);
            }
            let selection = if args.keys.is_empty() {
                KeySelection::Criteria(args.criteria.into_filter())
            } else {
                KeySelection::Keys(args.keys)
            };
            let change = args.change.into_core()?;
            let plan = sesame.preview_bulk(&session, &selection, &change)?;
            if let Some(previewed) = args.apply.previewed(output, &plan)? {
                let plan = sesame.apply_bulk(&session, &selection, &change, &previewed)?;
                crate::commands::bulk::print_plan(output, &plan, true);
            }
        }
        KeyCommand::Revoke { key, reason } => {
            print_key(output, &sesame.revoke_key(&session, &key, &reason)?);
        }
        KeyCommand::Expiring { within, ics } => {
            let keys = sesame.expiring_keys(&session, within)?;
            if let Some(path) = &ics {
                let text = sesame_core::calendar::calendar(&keys, output.lang, sesame.now());
                crate::files::write_new(path, false, |out| {
                    out.write_all(text.as_bytes())
                        .map_err(|error| sesame_core::Error::ExportWrite(error.to_string()))
                })?;
            }
            output.print(
                || {
                    let mut lines: Vec<String> = keys.iter().map(|k| row(output, k)).collect();
                    lines.push(output.text(
                        "cli-keys-expiring",
                        &[
                            ("count", Arg::number(keys.len())),
                            ("days", Arg::number(within)),
                        ],
                    ));
                    if let Some(path) = &ics {
                        lines.push(format!(
                            "{} {}",
                            output.say("cli-calendar-written"),
                            path.display()
                        ));
                    }
                    lines.join("\n")
                },
                || {
                    json!({
                        "within_days": within,
                        "keys": keys.iter().map(|k| to_value(KeyView::from(k))).collect::<Vec<_>>(),
                        "calendar": ics,
                    })
                },
            );
        }
        KeyCommand::Import { file, dry_run } => {
            import_keys(output, &mut sesame, &session, &file, dry_run)?;
        }
        KeyCommand::Usage { key } => print_usage(output, &sesame.key(&session, &key)?),
        KeyCommand::Regenerate { key, grace } => {
            let issued = sesame.regenerate_key(&session, &key, grace)?;
            print_issued(output, &issued, true);
        }
    }
    Ok(Outcome::Done)
}
