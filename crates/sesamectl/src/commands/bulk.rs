//! What `key bulk`, `company offboard` and `service offboard` share: the preview they print,
//! and the rule that nothing is written without `--yes --confirm`, the preview's code.

use clap::Args;

use crate::word_arg::word;
use serde_json::json;
use sesame_core::bulk::{ChangePlan, Offboarding, Previewed};
use sesame_core::messages::Arg;
use sesame_core::vocab::OffboardEnd;
use sesame_core::{Sesame, Session};

use crate::error::{CliError, Result};
use crate::output::Output;

/// The arguments of an offboarding.
#[derive(Debug, Args)]
pub struct OffboardArgs {
    /// Deactivate (reversible) or revoke (final) the keys that served only it.
    #[arg(long, value_parser = word::<OffboardEnd>())]
    pub end: OffboardEnd,
    /// Why, kept in the audit trail.
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub apply: ApplyArgs,
}

/// `--yes` applies exactly the preview that was read: the one whose code `--confirm` repeats.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Apply the change; without it, only the preview is printed (with its code).
    #[arg(long)]
    pub yes: bool,
    /// The code the preview printed: the change is applied only if it would still change
    /// these very keys, this way.
    #[arg(long, value_name = "CODE", requires = "yes")]
    pub confirm: Option<String>,
}

impl ApplyArgs {
    /// What to apply: `None` for a preview (printed here); the preview to find again when
    /// `--yes --confirm` names it. Refused, the preview printed, when the code is missing or
    /// names another preview: nothing was done.
    pub fn previewed(&self, output: &Output, plan: &ChangePlan) -> Result<Option<Previewed>> {
        if !self.yes {
            print_plan(output, plan, false);
            return Ok(None);
        }
        if plan.changing == 0 {
            return Err(sesame_core::Error::BulkNothingChanges.into());
        }
        let refusal = match self.confirm.as_deref().map(str::trim) {
            Some(code) if code.eq_ignore_ascii_case(&plan.fingerprint) => {
                return Ok(Some(plan.previewed()));
            }
            Some(code) => CliError::PreviewChanged {
                seen: code.to_owned(),
                now: plan.fingerprint.clone(),
            },
            None => CliError::Unconfirmed {
                code: plan.fingerprint.clone(),
            },
        };
        print_plan(output, plan, false);
        Err(refusal)
    }
}

/// Prints a plan: one line per key with what happens to it, then the counts, and whether it
/// was applied.
pub fn print_plan(output: &Output, plan: &ChangePlan, applied: bool) {
    output.print(
        || {
            let mut lines: Vec<String> = plan
                .keys
                .iter()
                .map(|key| {
                    format!(
                        "{}\t{}\t{}\t{}",
                        key.key_name,
                        key.identifier,
                        key.service_name,
                        output.say(&format!("key-effect-{}", key.effect.code()))
                    )
                })
                .collect();
            lines.push(output.text(
                "cli-bulk-counts",
                &[
                    ("changing", Arg::number(plan.changing)),
                    ("unchanged", Arg::number(plan.unchanged)),
                ],
            ));
            lines.push(match applied {
                true => output.say("cli-bulk-applied"),
                false => output.text(
                    "cli-bulk-not-applied",
                    &[("code", Arg::Text(plan.fingerprint.clone()))],
                ),
            });
            lines.join("\n")
        },
        || {
            let keys: Vec<_> = plan
                .keys
                .iter()
                .map(|key| {
                    json!({
                        "id": key.key_id,
                        "name": key.key_name,
                        "identifier": key.identifier,
                        "service": key.service_name,
                        "status": key.status,
                        "effect": key.effect,
                    })
                })
                .collect();
            json!({
                "subject": plan.subject,
                "changing": plan.changing,
                "unchanged": plan.unchanged,
                "applied": applied,
                "confirmation": plan.fingerprint,
                "keys": keys,
            })
        },
    );
}

/// Previews an offboarding, and applies it with `--yes --confirm CODE` (the apply step checks
/// that it would still change the preview's very keys).
pub fn offboard(
    sesame: &mut Sesame,
    session: &Session,
    output: &Output,
    from: &Offboarding,
    args: &OffboardArgs,
) -> Result<()> {
    let end = args.end;
    let plan = sesame.preview_offboarding(session, from, end)?;
    let Some(previewed) = args.apply.previewed(output, &plan)? else {
        return Ok(());
    };
    let plan = sesame.offboard(session, from, end, &args.reason, &previewed)?;
    print_plan(output, &plan, true);
    Ok(())
}
