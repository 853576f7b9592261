//! What `key bulk`, `company offboard` and `service offboard` share: the preview they print,
//! and the rule that nothing is written without `--yes`.

use clap::{Args, ValueEnum};
use serde_json::json;
use sesame_core::bulk::{ChangePlan, Offboarding};
use sesame_core::messages::Arg;
use sesame_core::vocab::OffboardEnd;
use sesame_core::{Sesame, Session};

use crate::error::Result;
use crate::output::Output;

/// How an offboarding ends the keys that served only the company or the service.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EndArg {
    Deactivate,
    Revoke,
}

impl EndArg {
    pub fn into_core(self) -> OffboardEnd {
        match self {
            EndArg::Deactivate => OffboardEnd::Deactivate,
            EndArg::Revoke => OffboardEnd::Revoke,
        }
    }
}

/// The arguments of an offboarding.
#[derive(Debug, Args)]
pub struct OffboardArgs {
    /// Deactivate (reversible) or revoke (final) the keys that served only it.
    #[arg(long, value_enum)]
    pub end: EndArg,
    /// Why, kept in the audit trail.
    #[arg(long)]
    pub reason: String,
    /// Apply the change; without it, only the preview is printed.
    #[arg(long)]
    pub yes: bool,
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
            lines.push(output.say(if applied {
                "cli-bulk-applied"
            } else {
                "cli-bulk-not-applied"
            }));
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
                "keys": keys,
            })
        },
    );
}

/// Previews an offboarding, and applies it with `--yes` (the apply step checks that the count
/// it finds is still the preview's).
pub fn offboard(
    sesame: &mut Sesame,
    session: &Session,
    output: &Output,
    from: &Offboarding,
    args: &OffboardArgs,
) -> Result<()> {
    let end = args.end.into_core();
    let plan = sesame.preview_offboarding(session, from, end)?;
    if !args.yes {
        print_plan(output, &plan, false);
        return Ok(());
    }
    let plan = sesame.offboard(session, from, end, &args.reason, plan.changing)?;
    print_plan(output, &plan, true);
    Ok(())
}
