//! Operators (the app's local accounts), their rights, and sign-in.

use rusqlite::{OptionalExtension, params};
use serde_json::json;

use crate::Sesame;
use crate::audit::{self, Actor, Target};
use crate::clock::to_millis;
use crate::error::{Error, Field, Lang, Result};
use crate::password::{self, HashingCost};
use crate::secret::{ExposeSecret, SecretString};
use crate::validate;

pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// « configuration de la plateforme »: services, listing approval, keys, operators.
    Configuration,
    /// « audit »: the audit log, exports and reports.
    Audit,
}

impl Right {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Right::Configuration, Lang::Fr) => "configuration de la plateforme",
            (Right::Configuration, Lang::En) => "platform configuration",
            (Right::Audit, Lang::Fr) => "audit",
            (Right::Audit, Lang::En) => "audit",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Right::Configuration => "configuration",
            Right::Audit => "audit",
        }
    }
}

/// A signed-in operator. Only [`Sesame::sign_in`] and [`Sesame::initialise`] make one; every
/// action checks the operator's current rights in the store, so a session cannot outlive a
/// disabled account or a removed right.
#[derive(Debug, Clone)]
pub struct Session {
    operator_id: String,
    operator_name: String,
}

impl Session {
    pub fn operator_id(&self) -> &str {
        &self.operator_id
    }

    pub fn operator_name(&self) -> &str {
        &self.operator_name
    }
}

fn check_password_length(password: &SecretString) -> Result<()> {
    let length = password.expose_secret().chars().count();
    if length < PASSWORD_MIN {
        return Err(Error::PasswordTooShort(PASSWORD_MIN));
    }
    if length > PASSWORD_MAX {
        return Err(Error::PasswordTooLong(PASSWORD_MAX));
    }
    Ok(())
}

/// Reads the operator behind a session and checks it may act, with `right` when one is needed.
pub(crate) fn authorize(
    transaction: &rusqlite::Connection,
    session: &Session,
    right: Option<Right>,
) -> Result<Actor> {
    let row: Option<(String, bool, bool, Option<i64>)> = transaction
        .prepare_cached(
            "SELECT name, right_configuration, right_audit, disabled_at FROM operators WHERE id = ?1",
        )?
        .query_row([&session.operator_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    let Some((name, configuration, audit, disabled_at)) = row else {
        return Err(Error::SignInFailed);
    };
    if disabled_at.is_some() {
        return Err(Error::OperatorDisabled);
    }
    let allowed = match right {
        None => true,
        Some(Right::Configuration) => configuration,
        Some(Right::Audit) => audit,
    };
    if let (false, Some(right)) = (allowed, right) {
        return Err(Error::RightMissing(right));
    }
    Ok(Actor {
        id: session.operator_id.clone(),
        name,
    })
}

impl Sesame {
    /// Whether the store has its first administrator.
    pub fn is_initialised(&self) -> Result<bool> {
        let count: i64 =
            self.connection
                .query_row("SELECT COUNT(*) FROM operators", [], |row| row.get(0))?;
        Ok(count > 0)
    }

    /// Creates the first administrator, with every right, and signs it in.
    pub fn initialise(&mut self, name: &str, password: &SecretString) -> Result<Session> {
        let name = validate::name(Field::OperatorName, name, validate::NAME_MAX)?;
        check_password_length(password)?;
        if self.is_initialised()? {
            return Err(Error::AlreadyInitialised);
        }
        // Hash before taking the write lock: argon2id is the slow part.
        let password_hash = self.cost.hash(password.expose_secret().as_bytes())?;
        let id = uuid::Uuid::now_v7().to_string();
        self.write(|transaction, now| {
            let count: i64 =
                transaction.query_row("SELECT COUNT(*) FROM operators", [], |row| row.get(0))?;
            if count > 0 {
                return Err(Error::AlreadyInitialised);
            }
            transaction.execute(
                "INSERT INTO operators (id, name, name_key, password_hash, right_configuration,
                     right_audit, created_at)
                 VALUES (?1, ?2, ?3, ?4, 1, 1, ?5)",
                params![
                    id,
                    name,
                    validate::name_key(&name),
                    password_hash,
                    to_millis(now)
                ],
            )?;
            let actor = Actor {
                id: id.clone(),
                name: name.clone(),
            };
            let target = Target {
                kind: "operator",
                id: &id,
                name: &name,
            };
            audit::record(
                transaction,
                now,
                Some(&actor),
                "operator.created",
                Some(target),
                json!({"rights": ["configuration", "audit"], "first_administrator": true}),
            )?;
            Ok(())
        })?;
        Ok(Session {
            operator_id: id,
            operator_name: name,
        })
    }

    /// Checks a name and password. Success and failure are both audited; an unknown name costs
    /// the same time as a wrong password.
    pub fn sign_in(&mut self, name: &str, password: &SecretString) -> Result<Session> {
        if !self.is_initialised()? {
            return Err(Error::NotInitialised);
        }
        let name_key = validate::name_key(name.trim());
        let row: Option<(String, String, String, Option<i64>)> = self
            .connection
            .prepare_cached(
                "SELECT id, name, password_hash, disabled_at FROM operators WHERE name_key = ?1",
            )?
            .query_row([&name_key], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .optional()?;
        let secret = password.expose_secret().as_bytes();
        let Some((id, name, password_hash, disabled_at)) = row else {
            password::spend_equal_time(secret);
            self.record_sign_in(
                None,
                "operator.sign_in_failed",
                json!({"reason": "unknown"}),
            )?;
            return Err(Error::SignInFailed);
        };
        let actor = Actor {
            id: id.clone(),
            name: name.clone(),
        };
        if !password::matches(secret, &password_hash) {
            self.record_sign_in(
                Some(&actor),
                "operator.sign_in_failed",
                json!({"reason": "password"}),
            )?;
            return Err(Error::SignInFailed);
        }
        if disabled_at.is_some() {
            self.record_sign_in(
                Some(&actor),
                "operator.sign_in_failed",
                json!({"reason": "disabled"}),
            )?;
            return Err(Error::OperatorDisabled);
        }
        if self.cost.needs_rehash(&password_hash) {
            let stronger = self.cost.hash(secret)?;
            self.connection.execute(
                "UPDATE operators SET password_hash = ?1 WHERE id = ?2",
                params![stronger, id],
            )?;
        }
        self.record_sign_in(Some(&actor), "operator.signed_in", json!({}))?;
        Ok(Session {
            operator_id: id,
            operator_name: name,
        })
    }

    fn record_sign_in(
        &mut self,
        actor: Option<&Actor>,
        action: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        self.write(|transaction, now| {
            let target = actor.map(|a| Target {
                kind: "operator",
                id: &a.id,
                name: &a.name,
            });
            audit::record(transaction, now, actor, action, target, details)
        })
    }

    /// Checks a session for a read; reads take no write lock.
    pub(crate) fn authorize_read(&self, session: &Session, right: Option<Right>) -> Result<Actor> {
        authorize(&self.connection, session, right)
    }

    /// Every operator's id and name, by name, for filters such as the key list's creator.
    pub fn operator_names(&self, session: &Session) -> Result<Vec<(String, String)>> {
        self.authorize_read(session, None)?;
        let mut statement = self
            .connection
            .prepare_cached("SELECT id, name FROM operators ORDER BY name_key")?;
        let names = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(names)
    }

    /// The cost new hashes are made with.
    pub fn hashing_cost(&self) -> HashingCost {
        self.cost
    }
}

/// Finds an operator by name or id, for filters.
pub(crate) fn find_operator_id(
    connection: &rusqlite::Connection,
    reference: &str,
) -> Result<Option<String>> {
    let key = validate::name_key(reference.trim());
    Ok(connection
        .prepare_cached("SELECT id FROM operators WHERE id = ?1 OR name_key = ?2")?
        .query_row(params![reference.trim(), key], |row| row.get(0))
        .optional()?)
}
