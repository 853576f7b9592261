//! `sesamectl operator add|list|edit|disable|enable|reset-password|passwd`: the app's local
//! accounts and their rights. New passwords come from `SESAME_NEW_PASSWORD` or a prompt.

use clap::Subcommand;

use crate::word_arg::word;
use serde_json::json;
use sesame_core::{Operator, OperatorEdit, Right, Rights};

use crate::Outcome;
use crate::context::Context;
use crate::error::Result;
use crate::output::{OperatorView, Output, to_value};

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Add an operator (password from SESAME_NEW_PASSWORD or asked twice).
    Add {
        name: String,
        /// `configuration` (services, keys, operators) or `audit` (the audit log, exports and
        /// reports); repeatable.
        #[arg(long = "right", value_parser = word::<Right>())]
        rights: Vec<Right>,
    },
    /// List the operators, their rights and state.
    List,
    /// Rename an operator or set its rights (`--right` given replaces them all).
    Edit {
        operator: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "right", value_parser = word::<Right>(), conflicts_with = "no_rights")]
        rights: Vec<Right>,
        /// Remove every right.
        #[arg(long)]
        no_rights: bool,
    },
    /// Disable an operator: it can no longer sign in; its name stays on what it made.
    Disable { operator: String },
    /// Enable a disabled operator again.
    Enable { operator: String },
    /// Give another operator a new password (from SESAME_NEW_PASSWORD or asked twice).
    ResetPassword { operator: String },
    /// Change your own password (the new one from SESAME_NEW_PASSWORD or asked twice).
    Passwd,
}

fn describe(output: &Output, operator: &Operator) -> String {
    let rights = match operator.rights.codes().join(", ") {
        none if none.is_empty() => output.say("cli-no_rights").to_owned(),
        some => some,
    };
    let state = match operator.disabled_at {
        Some(_) => output.say("cli-disabled"),
        None => String::new(),
    };
    format!("{}\t{}\t{rights}{state}", operator.id, operator.name)
}

fn print_operator(output: &Output, done: &str, operator: &Operator) {
    output.print(
        || format!("{} : {}", output.say(done), describe(output, operator)),
        || json!({"operator": to_value(OperatorView::from(operator))}),
    );
}

pub fn run(context: &Context, command: OperatorCommand) -> Result<Outcome> {
    let (mut sesame, session) = context.sign_in()?;
    let output = &context.output;
    match command {
        OperatorCommand::Add { name, rights: list } => {
            let password = context.new_password()?;
            let operator =
                sesame.create_operator(&session, &name, &password, Rights::from_list(&list))?;
            print_operator(output, "cli-operator-added", &operator);
        }
        OperatorCommand::List => {
            let operators = sesame.operators(&session)?;
            output.print(
                || operators.iter().map(|o| describe(output, o)).collect::<Vec<_>>().join("\n"),
                || json!({"operators": operators.iter().map(|o| to_value(OperatorView::from(o))).collect::<Vec<_>>()}),
            );
        }
        OperatorCommand::Edit {
            operator,
            name,
            rights: list,
            no_rights,
        } => {
            let edit = OperatorEdit {
                name,
                rights: (no_rights || !list.is_empty()).then(|| Rights::from_list(&list)),
            };
            let operator = sesame.edit_operator(&session, &operator, &edit)?;
            print_operator(output, "cli-operator-changed", &operator);
        }
        OperatorCommand::Disable { operator } => {
            let operator = sesame.set_operator_disabled(&session, &operator, true)?;
            print_operator(output, "cli-operator-disabled", &operator);
        }
        OperatorCommand::Enable { operator } => {
            let operator = sesame.set_operator_disabled(&session, &operator, false)?;
            print_operator(output, "cli-operator-enabled", &operator);
        }
        OperatorCommand::ResetPassword { operator } => {
            let password = context.new_password()?;
            let operator = sesame.reset_operator_password(&session, &operator, &password)?;
            print_operator(output, "cli-operator-password-reset", &operator);
        }
        OperatorCommand::Passwd => {
            let current = context.password(false)?;
            let new = context.new_password()?;
            sesame.change_own_password(&session, &current, &new)?;
            output.print(
                || output.say("cli-password_changed").to_owned(),
                || json!({"changed": true}),
            );
        }
    }
    Ok(Outcome::Done)
}
