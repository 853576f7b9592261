//! `sesamectl company add|edit|archive|restore|list`: client companies with their client code,
//! SIREN and town; archived, never deleted.

use clap::{Args, Subcommand};
use serde_json::json;
use sesame_core::company::{Company, CompanyDraft};

use crate::Outcome;
use crate::context::Context;
use crate::error::Result;
use crate::output::{CompanyView, Output, to_value};

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    /// Add a client company (configuration right).
    Add {
        name: String,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Rename a company or change its client code, SIREN or town (configuration right).
    Edit {
        /// The company's name, id, client code or SIREN.
        company: String,
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Archive a company: no new key may be restricted to it; its keys keep it.
    Archive { company: String },
    /// Restore an archived company.
    Restore { company: String },
    /// Retire a company's access in one step: its own keys are deactivated or revoked, the keys
    /// it shares lose it (configuration right). Prints the preview; applies with --yes.
    Offboard {
        /// The company's name, id, client code or SIREN.
        company: String,
        #[command(flatten)]
        args: crate::commands::bulk::OffboardArgs,
    },
    /// List the companies (archived ones too with --all).
    List {
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Args)]
pub struct FieldArgs {
    /// The firm's client code for it.
    #[arg(long)]
    code: Option<String>,
    /// Its SIREN (9 digits, spaces allowed).
    #[arg(long)]
    siren: Option<String>,
    /// Its town.
    #[arg(long)]
    town: Option<String>,
}

fn describe(output: &Output, company: &Company) -> String {
    let mut line = format!("{}\t{}", company.id, company.name);
    for value in [&company.client_code, &company.siren, &company.town]
        .into_iter()
        .flatten()
    {
        line.push('\t');
        line.push_str(value);
    }
    if company.archived_at.is_some() {
        line.push_str(&output.say("cli-company-archived-mark"));
    }
    line
}

fn print(output: &Output, done: &str, company: &Company) {
    output.print(
        || format!("{} {}", output.say(done), describe(output, company)),
        || json!({"company": to_value(CompanyView::from(company))}),
    );
}

pub fn run(context: &Context, command: CompanyCommand) -> Result<Outcome> {
    let (mut sesame, session) = context.sign_in()?;
    let output = &context.output;
    match command {
        CompanyCommand::Add { name, fields } => {
            let draft = CompanyDraft {
                name,
                client_code: fields.code.unwrap_or_default(),
                siren: fields.siren.unwrap_or_default(),
                town: fields.town.unwrap_or_default(),
            };
            let company = sesame.add_company(&session, &draft)?;
            print(output, "cli-company_added", &company);
        }
        CompanyCommand::Edit {
            company,
            name,
            fields,
        } => {
            let before = sesame.company_record(&session, &company)?;
            let draft = CompanyDraft {
                name: name.unwrap_or(before.name),
                client_code: fields.code.or(before.client_code).unwrap_or_default(),
                siren: fields.siren.or(before.siren).unwrap_or_default(),
                town: fields.town.or(before.town).unwrap_or_default(),
            };
            let company = sesame.edit_company(&session, &company, &draft)?;
            print(output, "cli-company-edited", &company);
        }
        CompanyCommand::Archive { company } => {
            let company = sesame.set_company_archived(&session, &company, true)?;
            print(output, "cli-company-archived", &company);
        }
        CompanyCommand::Restore { company } => {
            let company = sesame.set_company_archived(&session, &company, false)?;
            print(output, "cli-company-restored", &company);
        }
        CompanyCommand::Offboard { company, args } => {
            crate::commands::bulk::offboard(
                &mut sesame,
                &session,
                output,
                &sesame_core::bulk::Offboarding::Company(company),
                &args,
            )?;
        }
        CompanyCommand::List { all } => {
            let companies = sesame.companies_with_archived(&session, all)?;
            output.print(
                || companies.iter().map(|c| describe(output, c)).collect::<Vec<_>>().join("\n"),
                || json!({"companies": companies.iter().map(|c| to_value(CompanyView::from(c))).collect::<Vec<_>>()}),
            );
        }
    }
    Ok(Outcome::Done)
}
