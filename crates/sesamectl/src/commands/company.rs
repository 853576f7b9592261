//! `sesamectl company add|list`.

use clap::Subcommand;
use serde_json::json;

use crate::Outcome;
use crate::context::Context;
use crate::error::Result;
use crate::output::{CompanyView, to_value};

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    /// Add a client company.
    Add { name: String },
    /// List the companies.
    List,
}

pub fn run(context: &Context, command: CompanyCommand) -> Result<Outcome> {
    let (mut sesame, session) = context.sign_in()?;
    let output = &context.output;
    match command {
        CompanyCommand::Add { name } => {
            let company = sesame.create_company(&session, &name)?;
            output.print(
                || {
                    format!(
                        "{} « {} » ({}).",
                        output.say("cli-company_added"),
                        company.name,
                        company.id
                    )
                },
                || json!({"company": to_value(CompanyView::from(&company))}),
            );
        }
        CompanyCommand::List => {
            let companies = sesame.companies(&session)?;
            output.print(
                || companies.iter().map(|c| format!("{}\t{}", c.id, c.name)).collect::<Vec<_>>().join("\n"),
                || json!({"companies": companies.iter().map(|c| to_value(CompanyView::from(c))).collect::<Vec<_>>()}),
            );
        }
    }
    Ok(Outcome::Done)
}
