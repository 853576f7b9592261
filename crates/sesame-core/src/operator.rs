//! Operators (the app's local accounts): creating and editing them, their passwords, sign-in
//! and its throttle. The rule every action goes through (the operator's current rights, read
//! from the store) is `crate::authz`'s.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::Sesame;
use crate::audit::{self, Actor, Target};
use crate::clock::from_millis;
use crate::error::{Error, Field, Result};
use crate::password;
use crate::secret::{ExposeSecret, SecretString};
use crate::store::db::{Read, Write};
use crate::store::operators::{self, Credentials};
use crate::validate;
use crate::vocab::{AuditAction, RowKind};

pub const PASSWORD_MIN: usize = 12;
/// Long passphrases are welcome; the limit only keeps a pasted file from reaching argon2id.
pub const PASSWORD_MAX: usize = 1024;

/// Failed sign-ins for a name that cost nothing; after them, each failure doubles the wait.
pub const FREE_FAILURES: u32 = 3;
/// The longest wait the throttle imposes: an attacker stays slowed down, the real operator is
/// never kept out for longer than this after the last failure.
pub const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// Failures older than this are forgotten.
const FAILURE_MEMORY: Duration = Duration::from_secs(24 * 60 * 60);

fn forgotten(last_failure_millis: i64, now: DateTime<Utc>) -> bool {
    let memory = chrono::Duration::from_std(FAILURE_MEMORY).unwrap_or_default();
    from_millis(last_failure_millis) + memory <= now
}

pub use crate::vocab::{Right, Rights, Session};

pub use crate::store::operators::Operator;

/// How hard a password is to guess, for the strength meter beside the password fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordStrength {
    /// zxcvbn's score: 0 (guessed at once) to 4 (more than 10¹⁰ guesses).
    pub score: u8,
    /// Whether the password may be chosen: long enough and a score of at least 3.
    pub acceptable: bool,
}

/// The lowest zxcvbn score a new password needs (« safely unguessable » for an offline attack
/// on a slow hash).
const STRENGTH_REQUIRED: u8 = 3;

/// Rates a password, taking the operator's name into account (a password made of one's own
/// name is weak).
pub fn password_strength(password: &SecretString, operator_name: &str) -> PasswordStrength {
    let text = password.expose_secret();
    let length = text.chars().count();
    // zxcvbn reads the first 100 characters; past that a passphrase is long enough anyway.
    let score = u8::from(zxcvbn::zxcvbn(text, &[operator_name.trim()]).score());
    PasswordStrength {
        score,
        acceptable: (PASSWORD_MIN..=PASSWORD_MAX).contains(&length) && score >= STRENGTH_REQUIRED,
    }
}

/// Checks a password being chosen: length first, then strength.
fn check_new_password(password: &SecretString, operator_name: &str) -> Result<()> {
    check_password_length(password)?;
    if !password_strength(password, operator_name).acceptable {
        return Err(Error::PasswordWeak);
    }
    Ok(())
}

fn check_password_length(password: &SecretString) -> Result<()> {
    let length = password.expose_secret().chars().count();
    if length == 0 {
        return Err(Error::Empty {
            field: Field::Password,
        });
    }
    if length < PASSWORD_MIN {
        return Err(Error::PasswordTooShort(PASSWORD_MIN));
    }
    if length > PASSWORD_MAX {
        return Err(Error::PasswordTooLong(PASSWORD_MAX));
    }
    Ok(())
}

/// The wait before the next sign-in for a name that failed `failures` times in a row: none for
/// the first few, then 1 s, 2 s, 4 s… up to [`LONGEST_WAIT`].
pub fn throttle_wait(failures: u32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE_FAILURES).min(20);
    Duration::from_secs(1_u64 << doublings).min(LONGEST_WAIT)
}

fn load_operator<'c>(read: impl Into<Read<'c>>, id: &str) -> Result<Operator> {
    operators::load(read, id)?.ok_or_else(|| Error::OperatorNotFound(id.to_owned()))
}

/// Finds an operator by id or name (any case, any Unicode form).
fn resolve_operator(read: Read<'_>, reference: &str) -> Result<Operator> {
    let id = find_operator_id(read, reference)?
        .ok_or_else(|| Error::OperatorNotFound(reference.trim().to_owned()))?;
    load_operator(read, &id)
}

/// Whether an active operator other than `except` holds the configuration right.
fn another_administrator(read: Read<'_>, except: &str) -> Result<bool> {
    Ok(operators::other_administrators(read, except)? > 0)
}

fn operator_target(operator: &Operator) -> Target<'_> {
    Target {
        kind: RowKind::Operator,
        id: &operator.id,
        name: &operator.name,
    }
}

fn name_taken<'c>(read: impl Into<Read<'c>>, name: &str, except: &str) -> Result<bool> {
    operators::name_key_taken(read, &validate::name_key(name), except)
}

/// What a changed operator looks like.
#[derive(Debug, Clone, Default)]
pub struct OperatorEdit {
    pub name: Option<String>,
    pub rights: Option<Rights>,
}

impl Sesame {
    /// Whether the store has its first administrator.
    pub fn is_initialised(&self) -> Result<bool> {
        Ok(operators::count(&self.connection)? > 0)
    }

    /// Creates the first administrator, with every right, and signs it in.
    pub fn initialise(&mut self, name: &str, password: &SecretString) -> Result<Session> {
        let name = validate::name(Field::OperatorName, name, validate::NAME_MAX)?;
        check_new_password(password, &name)?;
        if self.is_initialised()? {
            return Err(Error::AlreadyInitialised);
        }
        // Hash before taking the write lock: argon2id is the slow part.
        let password_hash = self.cost.hash(password.expose_secret().as_bytes())?;
        let id = crate::new_id();
        self.write(|transaction, now| {
            if operators::count(transaction)? > 0 {
                return Err(Error::AlreadyInitialised);
            }
            insert_operator(
                transaction,
                &id,
                &name,
                &password_hash,
                Rights::ALL,
                now,
                None,
            )?;
            let actor = Actor {
                id: id.clone(),
                name: name.clone(),
            };
            let operator = load_operator(transaction, &id)?;
            audit::record(
                transaction,
                now,
                Some(&actor),
                AuditAction::OperatorCreated,
                Some(operator_target(&operator)),
                json!({"rights": Rights::ALL.codes(), "first_administrator": true}),
            )
        })?;
        Ok(Session::new(id, name))
    }

    /// Checks a name and password. Success and failure are both audited; an unknown name costs
    /// the same time as a wrong password. Failures for a name slow its next sign-ins down
    /// ([`throttle_wait`]), whether the name exists or not.
    pub fn sign_in(&mut self, name: &str, password: &SecretString) -> Result<Session> {
        if !self.is_initialised()? {
            return Err(Error::NotInitialised);
        }
        let name_key = validate::name_key(name.trim());
        if name_key.is_empty() {
            return Err(Error::Empty {
                field: Field::OperatorName,
            });
        }
        check_password_length(password).or_else(|error| match error {
            // A short password may still be an old one: only absurd input is refused early.
            Error::PasswordTooShort(_) => Ok(()),
            other => Err(other),
        })?;
        let row = operators::credentials(&self.connection, &name_key)?;
        let actor = row.as_ref().map(|found| Actor {
            id: found.id.clone(),
            name: found.name.clone(),
        });
        self.check_throttle(&name_key, actor.as_ref())?;
        let secret = password.expose_secret().as_bytes();
        let (
            Some(actor),
            Some(Credentials {
                password_hash,
                disabled_at,
                ..
            }),
        ) = (actor, row)
        else {
            password::spend_equal_time(secret, self.cost);
            self.record_failure(&name_key, None, "unknown")?;
            return Err(Error::SignInFailed);
        };
        // An operator added, or a password hash or rights changed, outside Sésame: refused.
        if !crate::seal::row_is_sealed(
            &self.connection,
            &self.state_key,
            crate::seal::SealedKind::Operator,
            &actor.id,
        )? {
            self.report_tampering(
                crate::seal::SealedKind::Operator,
                &actor.id,
                &actor.name,
                "sign_in",
            )?;
            return Err(Error::StateTampered {
                kind: crate::vocab::RowKind::Operator,
                name: actor.name,
            });
        }
        if !password::matches(secret, &password_hash) {
            self.record_failure(&name_key, Some(&actor), "password")?;
            return Err(Error::SignInFailed);
        }
        if disabled_at.is_some() {
            self.record_failure(&name_key, Some(&actor), "disabled")?;
            return Err(Error::OperatorDisabled);
        }
        let stronger = match self.cost.needs_rehash(&password_hash) {
            true => Some(self.cost.hash(secret)?),
            false => None,
        };
        self.write(|transaction, now| {
            if let Some(stronger) = &stronger {
                operators::set_password_hash(transaction, &actor.id, stronger)?;
            }
            operators::clear_failures(transaction, &name_key)?;
            audit::record(
                transaction,
                now,
                Some(&actor),
                AuditAction::OperatorSignedIn,
                Some(Target {
                    kind: RowKind::Operator,
                    id: &actor.id,
                    name: &actor.name,
                }),
                json!({}),
            )
        })?;
        Ok(Session::new(actor.id, actor.name))
    }

    /// Refuses an attempt, with an audit event and no password check, while the name must
    /// still wait after its last failure. The check and the failure count are not one
    /// transaction, so guesses started together are counted when they end: parallel guessing
    /// gains one round per wait, each guess still paying a full argon2id check, while scripts
    /// that sign in many times at once with the right password are never slowed down.
    fn check_throttle(&mut self, name_key: &str, actor: Option<&Actor>) -> Result<()> {
        let now = self.now();
        let row = operators::failures(&self.connection, name_key)?;
        let Some((failures, last)) = row.filter(|(_, last)| !forgotten(*last, now)) else {
            return Ok(());
        };
        let allowed_at = from_millis(last)
            + chrono::Duration::from_std(throttle_wait(failures)).unwrap_or_default();
        if allowed_at <= now {
            return Ok(());
        }
        let seconds = ((allowed_at - now).num_milliseconds() + 999).max(1000) / 1000;
        self.record_sign_in(
            actor,
            AuditAction::OperatorSignInFailed,
            json!({"reason": "throttled", "wait_seconds": seconds}),
        )?;
        Err(Error::SignInThrottled(seconds as u64))
    }

    /// Counts a failed sign-in for a name and audits it, in one transaction.
    fn record_failure(
        &mut self,
        name_key: &str,
        actor: Option<&Actor>,
        reason: &str,
    ) -> Result<()> {
        self.write(|transaction, now| {
            let previous = operators::failures(transaction, name_key)?;
            let failures = match previous {
                Some((failures, last)) if !forgotten(last, now) => failures.saturating_add(1),
                _ => 1,
            };
            operators::put_failures(transaction, name_key, failures, now)?;
            let target = actor.map(|a| Target {
                kind: RowKind::Operator,
                id: &a.id,
                name: &a.name,
            });
            audit::record(
                transaction,
                now,
                actor,
                AuditAction::OperatorSignInFailed,
                target,
                json!({"reason": reason}),
            )
        })
    }

    fn record_sign_in(
        &mut self,
        actor: Option<&Actor>,
        action: AuditAction,
        details: serde_json::Value,
    ) -> Result<()> {
        self.write(|transaction, now| {
            let target = actor.map(|a| Target {
                kind: RowKind::Operator,
                id: &a.id,
                name: &a.name,
            });
            audit::record(transaction, now, actor, action, target, details)
        })
    }

    /// The signed-in operator as stored now: name, rights.
    pub fn signed_in_operator(&self, session: &Session) -> Result<Operator> {
        self.authorize_read(session)?;
        load_operator(&self.connection, session.operator_id())
    }

    /// Every operator's id and name, by name, for filters such as the key list's creator.
    pub fn operator_names(&self, session: &Session) -> Result<Vec<(String, String)>> {
        self.authorize_read(session)?;
        operators::names(&self.connection)
    }

    /// Every operator with rights and state, for those who manage them.
    pub fn operators(&mut self, session: &Session) -> Result<Vec<Operator>> {
        self.require(session, Right::Configuration, AuditAction::OperatorList)?;
        operators::list(&self.connection)
    }

    /// Adds an operator. The name must differ from every other one once case and Unicode form
    /// are set aside.
    pub fn create_operator(
        &mut self,
        session: &Session,
        name: &str,
        password: &SecretString,
        rights: Rights,
    ) -> Result<Operator> {
        let name = validate::name(Field::OperatorName, name, validate::NAME_MAX)?;
        self.require(session, Right::Configuration, AuditAction::OperatorCreated)?;
        if name_taken(&self.connection, &name, "")? {
            return Err(Error::OperatorNameTaken(name));
        }
        check_new_password(password, &name)?;
        let password_hash = self.cost.hash(password.expose_secret().as_bytes())?;
        let id = crate::new_id();
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::OperatorCreated,
            |transaction, now, actor| {
                if name_taken(transaction, &name, "")? {
                    return Err(Error::OperatorNameTaken(name.clone()));
                }
                insert_operator(
                    transaction,
                    &id,
                    &name,
                    &password_hash,
                    rights,
                    now,
                    Some(&actor.id),
                )?;
                let operator = load_operator(transaction, &id)?;
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::OperatorCreated,
                    Some(operator_target(&operator)),
                    json!({"rights": rights.codes()}),
                )?;
                Ok(operator)
            },
        )
    }

    /// Renames an operator or changes its rights. The last active administrator keeps the
    /// configuration right.
    pub fn edit_operator(
        &mut self,
        session: &Session,
        reference: &str,
        edit: &OperatorEdit,
    ) -> Result<Operator> {
        let name = match &edit.name {
            Some(name) => Some(validate::name(
                Field::OperatorName,
                name,
                validate::NAME_MAX,
            )?),
            None => None,
        };
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::OperatorEdited,
            |transaction, now, actor| {
                let read = Read::from(transaction);
                let before = resolve_operator(read, reference)?;
                let name = name.unwrap_or_else(|| before.name.clone());
                if name_taken(transaction, &name, &before.id)? {
                    return Err(Error::OperatorNameTaken(name));
                }
                let rights = edit.rights.unwrap_or(before.rights);
                let loses_configuration = before.rights.configuration && !rights.configuration;
                if loses_configuration
                    && before.disabled_at.is_none()
                    && !another_administrator(read, &before.id)?
                {
                    return Err(Error::LastAdministrator);
                }
                if name == before.name && rights == before.rights {
                    return Ok(before);
                }
                operators::update(
                    transaction,
                    &before.id,
                    &name,
                    &validate::name_key(&name),
                    rights,
                )?;
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::OperatorEdited,
                    Some(operator_target(&before)),
                    json!({
                        "before": {"name": before.name, "rights": before.rights.codes()},
                        "after": {"name": name, "rights": rights.codes()},
                    }),
                )?;
                load_operator(transaction, &before.id)
            },
        )
    }

    /// Disables an operator (never deleted: its name stays on the keys and events it made), or
    /// enables it again. Nobody disables their own account or the last active administrator.
    pub fn set_operator_disabled(
        &mut self,
        session: &Session,
        reference: &str,
        disabled: bool,
    ) -> Result<Operator> {
        let action = match disabled {
            true => AuditAction::OperatorDisabled,
            false => AuditAction::OperatorEnabled,
        };
        self.act(
            session,
            Some(Right::Configuration),
            action,
            |transaction, now, actor| {
                let read = Read::from(transaction);
                let before = resolve_operator(read, reference)?;
                if before.disabled_at.is_some() == disabled {
                    return Ok(before);
                }
                if disabled && before.id == actor.id {
                    return Err(Error::CannotDisableSelf);
                }
                if disabled
                    && before.rights.configuration
                    && !another_administrator(read, &before.id)?
                {
                    return Err(Error::LastAdministrator);
                }
                operators::set_disabled(transaction, &before.id, disabled.then_some(now))?;
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    action,
                    Some(operator_target(&before)),
                    json!({}),
                )?;
                load_operator(transaction, &before.id)
            },
        )
    }

    /// Gives another operator a new password (they forgot theirs); clears their failed sign-ins.
    pub fn reset_operator_password(
        &mut self,
        session: &Session,
        reference: &str,
        password: &SecretString,
    ) -> Result<Operator> {
        self.require(
            session,
            Right::Configuration,
            AuditAction::OperatorPasswordReset,
        )?;
        let target = resolve_operator(Read::from(&self.connection), reference)?;
        check_new_password(password, &target.name)?;
        let password_hash = self.cost.hash(password.expose_secret().as_bytes())?;
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::OperatorPasswordReset,
            |transaction, now, actor| {
                let target = resolve_operator(Read::from(transaction), &target.id)?;
                set_password_hash(transaction, &target, &password_hash)?;
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::OperatorPasswordReset,
                    Some(operator_target(&target)),
                    json!({}),
                )?;
                Ok(target)
            },
        )
    }

    /// Changes the signed-in operator's own password, after checking the current one.
    pub fn change_own_password(
        &mut self,
        session: &Session,
        current: &SecretString,
        new: &SecretString,
    ) -> Result<()> {
        let actor = self.authorize_read(session)?;
        let operator = load_operator(&self.connection, &actor.id)?;
        let stored = operators::password_hash(&self.connection, &actor.id)?
            .ok_or_else(|| Error::OperatorNotFound(actor.id.clone()))?;
        if !password::matches(current.expose_secret().as_bytes(), &stored) {
            self.record_sign_in(
                Some(&actor),
                AuditAction::OperatorPasswordChangeFailed,
                json!({"reason": "current_password"}),
            )?;
            return Err(Error::CurrentPasswordWrong);
        }
        check_new_password(new, &operator.name)?;
        let password_hash = self.cost.hash(new.expose_secret().as_bytes())?;
        self.act(
            session,
            None,
            AuditAction::OperatorPasswordChanged,
            |transaction, now, actor| {
                set_password_hash(transaction, &operator, &password_hash)?;
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::OperatorPasswordChanged,
                    Some(operator_target(&operator)),
                    json!({}),
                )
            },
        )
    }
}

fn insert_operator(
    transaction: Write<'_>,
    id: &str,
    name: &str,
    password_hash: &str,
    rights: Rights,
    now: DateTime<Utc>,
    created_by: Option<&str>,
) -> Result<()> {
    let name_key = validate::name_key(name);
    operators::insert(
        transaction,
        id,
        name,
        &name_key,
        password_hash,
        rights,
        now,
        created_by,
    )
}

fn set_password_hash(transaction: Write<'_>, operator: &Operator, hash: &str) -> Result<()> {
    operators::set_password_hash(transaction, &operator.id, hash)?;
    operators::clear_failures(transaction, &validate::name_key(&operator.name))
}

/// Finds an operator by name or id, for filters.
pub(crate) fn find_operator_id<'c>(
    read: impl Into<Read<'c>>,
    reference: &str,
) -> Result<Option<String>> {
    let key = validate::name_key(reference.trim());
    operators::find_id(read, reference.trim(), &key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_throttle_doubles_after_the_free_failures_and_stops_at_the_longest_wait() {
        let waits: Vec<u64> = (0..14).map(|n| throttle_wait(n).as_secs()).collect();
        assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]);
        assert_eq!(throttle_wait(u32::MAX), LONGEST_WAIT);
    }

    #[test]
    fn strength_needs_length_and_unpredictability() {
        let rate = |text: &str| password_strength(&SecretString::from(text.to_owned()), "Alice");
        assert!(!rate("Alice123456789").acceptable, "own name and digits");
        assert!(!rate("motdepasse123").acceptable);
        assert!(!rate("court-Z9!").acceptable, "too short");
        assert!(rate("cheval agrafe batterie correcte").acceptable);
    }
}
