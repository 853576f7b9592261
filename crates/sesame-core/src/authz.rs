//! Authorization: every action of a signed-in operator goes through here. The operator's
//! current rights are read from the store (a session cannot outlive a disabled account or a
//! removed right), the row that grants them must match its seal, and a refusal is written to the
//! audit trail.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::Sesame;
use crate::audit::{self, Actor};
use crate::error::{Error, Result};
use crate::seal::StateKey;
use crate::store::db::{Read, Write};
use crate::store::operators::{self, Standing};
use crate::vocab::{AuditAction, Right, RowKind, Session};

/// Reads the operator behind a session and checks it may act, with `right` when one is needed.
pub(crate) fn authorize<'c>(
    read: impl Into<Read<'c>>,
    key: &StateKey,
    session: &Session,
    right: Option<Right>,
) -> Result<Actor> {
    let read = read.into();
    let Some(Standing {
        name,
        rights,
        disabled,
    }) = operators::standing(read, session.operator_id())?
    else {
        return Err(Error::SignInFailed);
    };
    // The rights below decide: they must be the ones Sésame wrote.
    if !crate::seal::row_is_sealed(
        read,
        key,
        crate::seal::SealedKind::Operator,
        session.operator_id(),
    )? {
        return Err(Error::StateTampered {
            kind: RowKind::Operator,
            name,
        });
    }
    if disabled {
        return Err(Error::OperatorDisabled);
    }
    if let Some(right) = right.filter(|right| !rights.holds(*right)) {
        return Err(Error::RightMissing(right));
    }
    Ok(Actor {
        id: session.operator_id().to_owned(),
        name,
    })
}

impl Sesame {
    /// Runs a change for a signed-in operator, who must hold `right` when one is given. A refusal
    /// (a missing right, a disabled account) is audited in a transaction of its own, since the
    /// refused change writes nothing.
    pub(crate) fn act<T>(
        &mut self,
        session: &Session,
        right: Option<Right>,
        action: AuditAction,
        change: impl FnOnce(Write<'_>, DateTime<Utc>, &Actor) -> Result<T>,
    ) -> Result<T> {
        let mut refused = false;
        let key = self.state_key.clone();
        let result = self.write(|transaction, now| {
            let actor =
                authorize(transaction, &key, session, right).inspect_err(|_| refused = true)?;
            change(transaction, now, &actor)
        });
        if let (true, Err(error)) = (refused, &result) {
            self.record_refusal(session, action, error)?;
        }
        result
    }

    /// Writes the one event of an action that changes nothing in the store but its trail (an
    /// export, a backup, a copy, a report), for a signed-in operator holding `right`; refused
    /// and audited like any change.
    pub(crate) fn record_done(
        &mut self,
        session: &Session,
        right: Right,
        action: AuditAction,
        details: serde_json::Value,
    ) -> Result<()> {
        self.act(session, Some(right), action, |transaction, now, actor| {
            crate::audit::record(transaction, now, Some(actor), action, None, details)
        })
    }

    /// Checks a right before slow work (argon2id), a read that needs one, or an action a front
    /// end takes outside the store (a restore); a refusal is audited.
    pub fn require(&mut self, session: &Session, right: Right, action: AuditAction) -> Result<()> {
        match authorize(&self.connection, &self.state_key, session, Some(right)) {
            Ok(_) => Ok(()),
            Err(error) => {
                self.record_refusal(session, action, &error)?;
                Err(error)
            }
        }
    }

    fn record_refusal(
        &mut self,
        session: &Session,
        action: AuditAction,
        error: &Error,
    ) -> Result<()> {
        let reason = match error {
            Error::RightMissing(right) => json!({"action": action, "right": right.code()}),
            Error::OperatorDisabled => json!({"action": action, "reason": "disabled"}),
            Error::StateTampered { name, .. } => {
                return self.report_tampering(
                    crate::seal::SealedKind::Operator,
                    session.operator_id(),
                    name,
                    action.code(),
                );
            }
            _ => return Ok(()),
        };
        let actor = Actor {
            id: session.operator_id().to_owned(),
            name: session.operator_name().to_owned(),
        };
        self.write(|transaction, now| {
            audit::record(
                transaction,
                now,
                Some(&actor),
                AuditAction::AccessRefused,
                None,
                reason,
            )
        })
    }

    /// Checks a session for a read that any signed-in operator may make.
    pub(crate) fn authorize_read(&self, session: &Session) -> Result<Actor> {
        authorize(&self.connection, &self.state_key, session, None)
    }
}
