//! Access tokens: short-lived JWTs signed with the installation's Ed25519 key (EdDSA), issued
//! for a key's identifier and secret, checked offline with the published JWKS, or here, where a
//! check also asks whether the key is still active.

use std::time::Duration;

use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::Sesame;
use crate::audit::{self, Target};
use crate::error::{Error, Result};
use crate::key::{self, KeyStatus};
use crate::operator::{Right, Session};
use crate::seal::SealedKind;
use crate::secret::{SecretString, secret_from};
use crate::signing_key::InstallationKey;
use crate::store::signing_keys::RegisteredKey;
use crate::verify::{VerifiedKey, VerifyCode};
use crate::vocab::{AuditAction, RowKind};

/// 24 hours, unless the settings or `SESAME_TOKEN_TTL` say otherwise.
pub const LIFETIME_DEFAULT: Duration = Duration::from_secs(24 * 60 * 60);
/// From 5 minutes to 30 days.
pub const LIFETIME_RANGE: std::ops::RangeInclusive<u64> = 300..=30 * 24 * 60 * 60;

/// What a token says. Standard claims first, then the key's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// `sesame:<installation id>`.
    pub iss: String,
    /// The key's id.
    pub sub: String,
    /// A unique id for this token.
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    /// Not before (never written by Sésame; honoured when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The key's secret generation the token was issued for (see
    /// [`VerifiedKey::secret_generation`]).
    #[serde(default)]
    pub sgen: i64,
    pub key_name: String,
    pub identifier: String,
    pub service: String,
    pub permissions: Vec<String>,
    /// Names of the companies the key is restricted to; empty for all.
    pub companies: Vec<String>,
}

/// A freshly signed token, shown or sent once.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: SecretString,
    pub claims: Claims,
}

pub use crate::signing_key::key_id;

/// The JWKS document: each registered key as an OKP/Ed25519 JWK.
pub fn jwks_of(keys: &[RegisteredKey]) -> serde_json::Value {
    let keys: Vec<serde_json::Value> = keys
        .iter()
        .map(|key| {
            serde_json::json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "alg": "EdDSA",
                "use": "sig",
                "kid": key.kid,
                "x": key.public_key,
            })
        })
        .collect();
    serde_json::json!({ "keys": keys })
}

/// How far a token's `iat` or `nbf` may lie ahead of our clock (another machine's clock).
pub const CLOCK_SKEW_SECONDS: i64 = 60;

/// Why a token is refused, or that it is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCheck {
    /// `VALID`, `MALFORMED`, `BAD_SIGNATURE`, `EXPIRED`, `NOT_YET_VALID`, `NOT_FOUND`,
    /// `INACTIVE`, `REVOKED`, `SUPERSEDED` (issued for a secret that has since been regenerated
    /// and whose grace period is over).
    pub code: &'static str,
    pub claims: Option<Claims>,
}

impl Sesame {
    /// The JWKS every verifier of this store publishes: the public key of every installation
    /// registered on it and not retired (see [`Sesame::trusted_signing_keys`]).
    pub fn jwks(&mut self) -> Result<serde_json::Value> {
        Ok(jwks_of(&self.trusted_signing_keys()?))
    }

    /// The token lifetime: `SESAME_TOKEN_TTL` (seconds) when set and sensible, else the
    /// setting (24 h unless changed).
    pub fn token_lifetime(&self) -> Result<Duration> {
        let from_environment = std::env::var("SESAME_TOKEN_TTL")
            .ok()
            .and_then(|value| value.trim().parse::<u64>().ok())
            .filter(|seconds| LIFETIME_RANGE.contains(seconds))
            .map(Duration::from_secs);
        match from_environment {
            Some(lifetime) => Ok(lifetime),
            None => Ok(Duration::from_secs(
                u64::from(self.settings()?.token_hours) * 3600,
            )),
        }
    }

    /// Signs a token for a key that was just verified, with this installation's key while it
    /// is registered and not retired (a token nobody would accept is not issued).
    pub fn sign_token(
        &self,
        signing: &InstallationKey,
        key: &VerifiedKey,
        lifetime: Duration,
    ) -> Result<IssuedToken> {
        self.signing_key_in_use(signing)?;
        sign(
            signing,
            claims_for(&self.installation_id()?, key, self.now(), lifetime),
        )
    }

    /// Refuses to sign with a key that is not registered on the store, or was retired. Asked of
    /// the store itself, not a standby that may not have replayed a registration just made.
    fn signing_key_in_use(&self, signing: &InstallationKey) -> Result<()> {
        let in_use = crate::store::signing_keys::by_kid(&self.connection, &key_id(signing))?
            .is_some_and(|registered| registered.retired_at.is_none());
        match in_use {
            true => Ok(()),
            false => Err(Error::SigningKeyRetired(signing.fingerprint())),
        }
    }

    /// Issues a token by hand, from the app, for an active key, valid `lifetime_hours` (1 to 720): the same token as
    /// `POST /v1/tokens` would give its holder, for an operator with the configuration right.
    /// The `token.issued` event names the key, the token's id and its expiry, never the token.
    pub fn issue_token(
        &mut self,
        session: &Session,
        signing: &InstallationKey,
        reference: &str,
        lifetime_hours: u32,
    ) -> Result<IssuedToken> {
        let hours = crate::settings::TOKEN_HOURS_RANGE;
        if !hours.contains(&lifetime_hours) {
            return Err(Error::OutOfRange {
                min: *hours.start(),
                max: *hours.end(),
            });
        }
        let lifetime = Duration::from_secs(u64::from(lifetime_hours) * 3600);
        self.signing_key_in_use(signing)?;
        let installation = self.installation_id()?;
        let state_key = self.state_key.clone();
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::TokenIssued,
            |transaction, now, actor| {
                let id = key::resolve(transaction, reference)?;
                let found = key::load(transaction, &id, now)?;
                // A token vouches for the key as Sésame wrote it.
                if !crate::seal::row_is_sealed(transaction, &state_key, SealedKind::Key, &id)? {
                    return Err(Error::RowUnproven {
                        kind: SealedKind::Key.code().to_owned(),
                        id,
                    });
                }
                if found.status != KeyStatus::Active {
                    return Err(Error::TokenRefused {
                        key: found.name,
                        status: found.status,
                    });
                }
                let verified = VerifiedKey {
                    id: found.id.clone(),
                    name: found.name.clone(),
                    identifier: found.identifier.clone(),
                    service_id: found.service_id.clone(),
                    service_name: found.service_name.clone(),
                    permissions: found.permissions.clone(),
                    companies: found.companies.clone(),
                    expires_at: found.expires_at,
                    secret_generation: found.regenerated_at.map_or(0, crate::clock::to_millis),
                };
                let issued = sign(signing, claims_for(&installation, &verified, now, lifetime))?;
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::TokenIssued,
                    Some(Target {
                        kind: RowKind::Key,
                        id: &found.id,
                        name: &found.name,
                    }),
                    serde_json::json!({
                        "service": found.service_name,
                        "identifier": found.identifier,
                        "jti": issued.claims.jti,
                        "expires_at": expires_at(&issued.claims).to_rfc3339(),
                        "lifetime_seconds": lifetime.as_secs(),
                    }),
                )?;
                Ok(issued)
            },
        )
    }

    /// Checks a token: EdDSA only (`none`, HS256 and every other algorithm are refused), no
    /// critical header extension (we understand none), the signature of the key its `kid`
    /// names among those registered on this store and not retired, issued and valid
    /// from no later than now (within [`CLOCK_SKEW_SECONDS`]), not expired, its key still active
    /// in the store, and its secret not regenerated since (once the old secret's grace period
    /// is over, its tokens end with it).
    pub fn check_token(&mut self, token: &str) -> Result<TokenCheck> {
        let refused = |code| TokenCheck { code, claims: None };
        let token = token.trim();
        if token.is_empty() || token.len() > 8192 || token.contains(char::is_whitespace) {
            return Ok(refused("MALFORMED"));
        }
        let kid = match jsonwebtoken::decode_header(token) {
            Ok(header) if header.crit.is_none() => header.kid,
            _ => return Ok(refused("MALFORMED")),
        };
        // The key its header names, registered on this store, in use, and sealed.
        let registered = match kid.filter(|kid| kid.len() <= 64) {
            Some(kid) => crate::store::signing_keys::by_kid(self.reads(), &kid)?,
            None => None,
        };
        let Some(registered) = registered.filter(|key| key.retired_at.is_none()) else {
            return Ok(refused("BAD_SIGNATURE"));
        };
        if !self.signing_key_is_sealed(&registered)? {
            return Ok(refused("BAD_SIGNATURE"));
        }
        let decoding = DecodingKey::from_ed_components(&registered.public_key)
            .map_err(|error| Error::Internal(format!("token key: {error}")))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        validation.set_issuer(&[format!("sesame:{}", self.installation_id()?)]);
        // Expiry against our clock (tests move it), not the library's.
        validation.validate_exp = false;
        let claims = match jsonwebtoken::decode::<Claims>(token, &decoding, &validation) {
            Ok(data) => data.claims,
            Err(error) => {
                use jsonwebtoken::errors::ErrorKind;
                let code = match error.kind() {
                    ErrorKind::InvalidSignature
                    | ErrorKind::InvalidAlgorithm
                    | ErrorKind::InvalidIssuer => "BAD_SIGNATURE",
                    _ => "MALFORMED",
                };
                return Ok(refused(code));
            }
        };
        let now = self.now().timestamp();
        if claims.exp <= now {
            return Ok(refused("EXPIRED"));
        }
        let ahead = |at: i64| at > now + CLOCK_SKEW_SECONDS;
        if ahead(claims.iat) || claims.nbf.is_some_and(ahead) {
            return Ok(refused("NOT_YET_VALID"));
        }
        let Some(state) = self.key_state_by_id(&claims.sub)? else {
            return Ok(refused("NOT_FOUND"));
        };
        let superseded = state.supersedes(claims.sgen);
        let mut code = match state.status {
            KeyStatus::Active if superseded => "SUPERSEDED",
            KeyStatus::Active => "VALID",
            KeyStatus::Inactive => "INACTIVE",
            KeyStatus::Revoked => "REVOKED",
            KeyStatus::Expired => "EXPIRED",
        };
        // A key's state decides only as Sésame wrote it: one set back to active outside Sésame
        // does not bring its old tokens back.
        if code == "VALID"
            && !self.proven_or_reported(SealedKind::Key, &claims.sub, &claims.sub, "token_check")?
        {
            code = "TAMPERED";
        }
        Ok(TokenCheck {
            code,
            claims: (code == "VALID").then_some(claims),
        })
    }

    /// A key's current status and secret generations by id; `None` once deleted.
    fn key_state_by_id(&self, id: &str) -> Result<Option<KeyState>> {
        let Some(row) = crate::store::usage::key_state(self.reads(), id)? else {
            return Ok(None);
        };
        if row.deleted_at.is_some() {
            return Ok(None);
        }
        let now = crate::clock::to_millis(self.now());
        let stored = KeyStatus::from_code(&row.status).unwrap_or(KeyStatus::Revoked);
        let expired = row.expires_at.is_some_and(|at| at <= now);
        let grace_running = row
            .previous_secret_valid_until
            .is_some_and(|until| until > now);
        Ok(Some(KeyState {
            status: match (stored, expired) {
                (KeyStatus::Active, true) => KeyStatus::Expired,
                (status, _) => status,
            },
            secret_generation: row.regenerated_at.unwrap_or(0),
            previous_generation: match (grace_running, row.previous_generation) {
                (false, _) => PreviousSecret::None,
                (true, Some(generation)) => PreviousSecret::Generation(generation),
                (true, None) => PreviousSecret::Unknown,
            },
        }))
    }
}

/// What a token check needs of its key.
struct KeyState {
    status: KeyStatus,
    secret_generation: i64,
    previous_generation: PreviousSecret,
}

/// A key's previous secret, while its grace period runs.
enum PreviousSecret {
    None,
    Generation(i64),
    /// Kept before previous secrets' generations were (schema 14): any older generation is
    /// taken for it, as before, until its grace period ends.
    Unknown,
}

impl KeyState {
    /// Whether a token obtained with the secret of generation `sgen` has been replaced: only
    /// the current secret's tokens, and the previous one's during its grace period, live on.
    fn supersedes(&self, sgen: i64) -> bool {
        sgen != self.secret_generation
            && match self.previous_generation {
                PreviousSecret::None => true,
                PreviousSecret::Generation(previous) => sgen != previous,
                PreviousSecret::Unknown => false,
            }
    }
}

fn claims_for(
    installation: &str,
    key: &VerifiedKey,
    now: DateTime<Utc>,
    lifetime: Duration,
) -> Claims {
    let lifetime = chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::days(1));
    Claims {
        iss: format!("sesame:{installation}"),
        sub: key.id.clone(),
        jti: uuid::Uuid::new_v4().to_string(),
        iat: now.timestamp(),
        exp: (now + lifetime).timestamp(),
        nbf: None,
        sgen: key.secret_generation,
        key_name: key.name.clone(),
        identifier: key.identifier.clone(),
        service: key.service_name.clone(),
        permissions: key.permissions.clone(),
        companies: key.companies.iter().map(|c| c.name.clone()).collect(),
    }
}

fn sign(signing: &InstallationKey, claims: Claims) -> Result<IssuedToken> {
    let der = signing
        .signing_key()
        .to_pkcs8_der()
        .map_err(|error| Error::Internal(format!("signing key: {error}")))?;
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key_id(signing));
    let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(der.as_bytes()))
        .map_err(|error| Error::Internal(format!("token: {error}")))?;
    Ok(IssuedToken {
        token: secret_from(token),
        claims,
    })
}

/// What `POST /v1/tokens` answers for refused credentials.
pub fn refusal(code: VerifyCode) -> &'static str {
    code.code()
}

/// When a token expires, as a date.
pub fn expires_at(claims: &Claims) -> DateTime<Utc> {
    DateTime::from_timestamp(claims.exp, 0).unwrap_or_default()
}
