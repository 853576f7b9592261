//! `sesamectl service add|list|edit|approve`.

use clap::{Args, Subcommand};
use serde_json::json;
use sesame_core::service::{Service, ServiceDraft, ServiceEdit, ServiceFilter};

use crate::Outcome;
use crate::context::Context;
use crate::error::Result;
use crate::output::{Output, ServiceView, to_value};

#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Add a service to the catalogue (it awaits approval to be listed, and works meanwhile).
    Add {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long, default_value = "")]
        website: String,
        #[arg(long, default_value = "")]
        category: String,
        /// Start of every key identifier (default: made from the name).
        #[arg(long, default_value = "")]
        prefix: String,
        /// A permission the service offers, such as factures:lecture (repeat for more).
        #[arg(long = "permission")]
        permissions: Vec<String>,
        /// The longest a key of this service may live, in days (for example 366): new and
        /// edited keys must expire within it.
        #[arg(long = "max-lifetime")]
        max_lifetime: Option<u32>,
    },
    /// List the catalogue.
    List {
        #[arg(long, default_value = "")]
        category: String,
        /// Text in the name or description.
        #[arg(long, default_value = "")]
        search: String,
    },
    /// Change a service (its keys are untouched).
    Edit(EditArgs),
    /// List a service in the catalogue.
    Approve { service: String },
    /// Retire a service's access in one step: its keys are deactivated or revoked
    /// (configuration right). Prints the preview; applies with --yes.
    Offboard {
        /// The service's name or id.
        service: String,
        #[command(flatten)]
        args: crate::commands::bulk::OffboardArgs,
    },
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The service's name or id.
    service: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    description: Option<String>,
    #[arg(long)]
    website: Option<String>,
    #[arg(long)]
    category: Option<String>,
    /// Add a permission (repeat for more).
    #[arg(long = "add-permission")]
    add_permissions: Vec<String>,
    /// Remove a permission no key holds any more (repeat for more).
    #[arg(long = "remove-permission")]
    remove_permissions: Vec<String>,
    /// The longest a key of this service may live, in days.
    #[arg(long = "max-lifetime", conflicts_with = "no_max_lifetime")]
    max_lifetime: Option<u32>,
    /// Remove the service's maximum key lifetime.
    #[arg(long = "no-max-lifetime")]
    no_max_lifetime: bool,
}

fn describe(output: &Output, service: &Service) -> String {
    let listed = if service.listed {
        output.say("cli-listed")
    } else {
        output.say("cli-awaiting_approval")
    };
    format!(
        "{}\t{}\t{}\t{}\t{}: {}\t{}",
        service.id,
        service.name,
        service.key_prefix,
        if service.category.is_empty() {
            "-"
        } else {
            &service.category
        },
        output.say("cli-active_keys"),
        service.active_keys,
        listed
    )
}

pub fn run(context: &Context, command: ServiceCommand) -> Result<Outcome> {
    let (mut sesame, session) = context.sign_in()?;
    let output = &context.output;
    let single = |service: &Service| {
        output.print(
            || describe(output, service),
            || json!({"service": to_value(ServiceView::from(service))}),
        );
    };
    match command {
        ServiceCommand::Add {
            name,
            description,
            website,
            category,
            prefix,
            permissions,
            max_lifetime,
        } => {
            let draft = ServiceDraft {
                name,
                description,
                website,
                category,
                prefix,
                permissions,
                max_lifetime_days: max_lifetime,
            };
            single(&sesame.create_service(&session, &draft)?);
        }
        ServiceCommand::List { category, search } => {
            let services = sesame.services(
                &session,
                &ServiceFilter {
                    category,
                    text: search,
                },
            )?;
            output.print(
                || services.iter().map(|s| describe(output, s)).collect::<Vec<_>>().join("\n"),
                || json!({"services": services.iter().map(|s| to_value(ServiceView::from(s))).collect::<Vec<_>>()}),
            );
        }
        ServiceCommand::Edit(args) => {
            let permissions =
                if args.add_permissions.is_empty() && args.remove_permissions.is_empty() {
                    None
                } else {
                    let current = sesame.service(&session, &args.service)?.permissions;
                    let removed: Vec<String> = args
                        .remove_permissions
                        .iter()
                        .map(|p| p.trim().to_owned())
                        .collect();
                    let mut list: Vec<String> = current
                        .into_iter()
                        .filter(|p| !removed.contains(p))
                        .collect();
                    list.extend(args.add_permissions);
                    Some(list)
                };
            let edit = ServiceEdit {
                name: args.name,
                description: args.description,
                website: args.website,
                category: args.category,
                permissions,
                max_lifetime_days: match (args.max_lifetime, args.no_max_lifetime) {
                    (_, true) => Some(None),
                    (Some(days), false) => Some(Some(days)),
                    (None, false) => None,
                },
            };
            single(&sesame.edit_service(&session, &args.service, &edit)?);
        }
        ServiceCommand::Approve { service } => single(&sesame.approve_service(&session, &service)?),
        ServiceCommand::Offboard { service, args } => crate::commands::bulk::offboard(
            &mut sesame,
            &session,
            output,
            &sesame_core::bulk::Offboarding::Service(service),
            &args,
        )?,
    }
    Ok(Outcome::Done)
}
