//! The routes, their JSON, and the OpenAPI document generated from them (utoipa). Every answer
//! is JSON, errors included: `{"error": {"code", "message"}}` with a fitting status.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sesame_core::key_format;
use sesame_core::secret::EdgeSecret;
use sesame_core::secret::ExposeSecret;
use sesame_core::verify::{Verification, VerifyCode};
use tower_http::timeout::TimeoutLayer;
use utoipa::{OpenApi, ToSchema};
use zeroize::Zeroizing;

use super::Service;
use super::guard::Flight;
use super::guard::{AnswerKey, ClientId, Refusal, digest};

/// Bodies are small JSON documents; anything larger is refused before it is read.
const BODY_LIMIT: usize = 16 * 1024;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn internal(why: &str) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", why)
    }

    /// The store could not be reached (`database_unavailable`).
    fn store_away(&self) -> bool {
        self.code == "database_unavailable"
    }
}

impl From<sesame_core::Error> for ApiError {
    fn from(error: sesame_core::Error) -> Self {
        let status = match error {
            sesame_core::Error::StoreBusy
            | sesame_core::Error::DatabaseUnavailable { .. }
            | sesame_core::Error::SigningKeyRetired(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, error.code(), error.message(sesame_core::Lang::En))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `bad_json`, `unsupported_media_type`, `body_too_large`, `missing_key`,
    /// `throttled`, `not_found`, `method_not_allowed`, `invalid_credentials`…
    code: String,
    message: String,
}

/// A key to check: the bearer string, or its two parts.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// `identifier.secret`.
    #[schema(value_type = Option<String>)]
    key: Option<EdgeSecret>,
    client_id: Option<String>,
    #[schema(value_type = Option<String>)]
    client_secret: Option<EdgeSecret>,
    /// A permission the key must have.
    permission: Option<String>,
    /// A company (name or id) the key must be allowed for.
    company: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyResponse<'a> {
    valid: bool,
    /// VALID, MALFORMED, NOT_FOUND, INVALID_SECRET, INACTIVE, REVOKED, EXPIRED,
    /// INSUFFICIENT_PERMISSION or COMPANY_FORBIDDEN.
    code: &'static str,
    key: Option<KeyInfo<'a>>,
    /// Present (true) when the database could not be reached and the answer is the one this
    /// service proved within its outage window (`--outage-window`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    remembered: bool,
}

/// Borrowed from the answer, which may be shared with the guard's memory: nothing is copied
/// to write it.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyInfo<'a> {
    id: &'a str,
    name: &'a str,
    identifier: &'a str,
    service: &'a str,
    permissions: &'a [String],
    companies: Vec<&'a str>,
    /// RFC 3339, or null for no expiry.
    expires_at: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    client_id: Option<String>,
    #[schema(value_type = Option<String>)]
    client_secret: Option<EdgeSecret>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    expires_at: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenCheckRequest {
    token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCheckResponse {
    valid: bool,
    /// VALID, MALFORMED, BAD_SIGNATURE, EXPIRED, NOT_YET_VALID, NOT_FOUND, INACTIVE, REVOKED,
    /// SUPERSEDED (issued for a secret regenerated since, once its grace period is over) or
    /// TAMPERED (its key's row was changed outside Sésame).
    code: String,
    #[schema(value_type = Option<Object>)]
    claims: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}

/// Reads an optional JSON body: absent is the default; otherwise it must say it is JSON, be
/// UTF-8 and parse.
fn json_body<T: serde::de::DeserializeOwned + Default>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("The body is larger than {BODY_LIMIT} bytes."),
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_body", rejection.body_text())
        }
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(';')
                .next()
                .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as application/json.",
        ));
    }
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            "The body is not UTF-8.",
        )
    })?;
    serde_json::from_str(text).map_err(|error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("The body is not the expected JSON: {error}"),
        )
    })
}

/// The key from the body, else from `Authorization: Bearer`, `X-Api-Key` or HTTP Basic.
fn presented_key(
    headers: &HeaderMap,
    key: Option<EdgeSecret>,
    client_id: Option<String>,
    client_secret: Option<EdgeSecret>,
) -> Result<(String, String), ApiError> {
    // Only what a paste adds is ignored around the key (see `key_format`); a no-break space
    // stays, so the key is malformed.
    let split = |bearer: &str| {
        let bearer = key_format::trim_surrounding(bearer);
        match bearer.split_once('.') {
            // The identifier holds no dot; the secret starts after the first one.
            Some((identifier, secret)) => (identifier.to_owned(), secret.to_owned()),
            None => (bearer.to_owned(), String::new()),
        }
    };
    if let Some(key) = key {
        return Ok(split(key.expose()));
    }
    if let (Some(id), Some(secret)) = (client_id, client_secret) {
        return Ok((id, secret.expose().to_owned()));
    }
    let header_text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(api_key) = header_text(header::HeaderName::from_static("x-api-key")) {
        return Ok(split(&api_key));
    }
    if let Some(authorization) = header_text(header::AUTHORIZATION) {
        let (scheme, value) = authorization.trim().split_once(' ').unwrap_or(("", ""));
        if scheme.eq_ignore_ascii_case("bearer") {
            return Ok(split(value));
        }
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "bad_basic",
                        "Malformed HTTP Basic credentials.",
                    )
                })?;
            let (id, secret) = decoded.split_once(':').unwrap_or((&decoded, ""));
            return Ok((id.to_owned(), secret.to_owned()));
        }
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        "missing_key",
        "Give the key as `key`, as `client_id` and `client_secret`, or in Authorization or X-Api-Key.",
    ))
}

fn key_info(verification: &Verification) -> Option<KeyInfo<'_>> {
    verification.key.as_ref().map(|key| KeyInfo {
        id: &key.id,
        name: &key.name,
        identifier: &key.identifier,
        service: &key.service_name,
        permissions: &key.permissions,
        companies: key.companies.iter().map(|c| c.name.as_str()).collect(),
        expires_at: key.expires_at.map(|at| at.to_rfc3339()),
    })
}

/// Checks a key with the store; while the store cannot be reached, answers a question proven
/// valid within the outage window from memory (the `bool`), and refuses anything else with 503.
/// A malformed key costs nothing; the key is then known by its one spelling (what the store
/// will look up).
async fn check(
    service: &Arc<Service>,
    client: ClientId,
    identifier: String,
    secret: String,
    permission: Option<String>,
    company: Option<String>,
) -> Result<(Arc<Verification>, bool), ApiError> {
    let secret = Zeroizing::new(secret);
    let Ok(presented) = key_format::parse_parts(&identifier, &secret) else {
        let malformed = Verification::refused(VerifyCode::Malformed);
        return Ok((Arc::new(malformed), false));
    };
    drop(secret);
    let question = (
        presented.identifier.clone(),
        digest(presented.secret.expose_secret()),
        permission,
        company,
    );
    let question = Arc::new(question);
    match check_with_store(service, client, presented, Arc::clone(&question)).await {
        Ok(verification) => Ok((verification, false)),
        Err(error) if error.store_away() => match service.outage.recall(&question) {
            Some(remembered) => Ok((Arc::new(remembered), true)),
            None => Err(error),
        },
        Err(error) => Err(error),
    }
}

/// Checks presented credentials through the guard: a fresh answer is reused only if the store
/// has not changed since; a secret not already known good needs argon2id, which the guard
/// admits per client address. A valid answer is kept for reuse and for an outage.
async fn check_with_store(
    service: &Arc<Service>,
    client: ClientId,
    presented: key_format::PresentedKey,
    question: Arc<AnswerKey>,
) -> Result<Arc<Verification>, ApiError> {
    let asked = Arc::clone(&question);
    // Before anything is read: an answer read before a change was heard is not kept for an
    // outage after it.
    let mark = service.outage.mark();
    // This key's checks go to the same store first (see `Service::home_of`).
    let home = Service::home_of(&question.0);
    let reused = service
        .quickly_at(home, move |store, service| {
            service.guard.store_changed(store.store_changed()?);
            // The store answers: what a deaf watcher may have missed is forgotten, and the uses
            // answered from memory while it was away are counted now.
            service.outage.store_answered();
            for (key_id, count, last) in service.outage.take_uses() {
                store.record_uses(&key_id, count, last);
            }
            let answer = service.guard.fresh_answer(&asked);
            if let Some(key) = answer.as_ref().and_then(|answer| answer.key.as_ref()) {
                store.record_use(&key.id);
            }
            Ok(answer)
        })
        .await?;
    if let Some(answer) = reused {
        return Ok(answer);
    }
    let (identifier, secret_digest, permission, company) = (*question).clone();
    // A secret already seen good skips the queue only if the store answers it without
    // argon2id (a key regenerated since, a secret no longer right: through the queue).
    let mut answered = None;
    if service.guard.known_good(&identifier, &secret_digest) {
        answered = checked_if_known(service, home, &presented, &permission, &company).await?;
        if answered.is_none() {
            service.guard.forget_good(&identifier, &secret_digest);
        }
    }
    let known = answered.is_some();
    let (verification, epoch) = match answered {
        Some(answer) => answer,
        None => match service.guard.flight(&identifier, &secret_digest) {
            Flight::Lead(mut lead) => {
                let answer =
                    checked_with_argon2(service, client, home, presented, permission, company)
                        .await?;
                // Known good before the followers go on: a check arriving after them takes
                // the fast path too, instead of queueing for an admission.
                if !wrong_secret(answer.0.code) {
                    service
                        .guard
                        .record(client, &identifier, secret_digest, true);
                }
                lead.found(answer.0.code);
                answer
            }
            Flight::Follow(follow) => match Flight::outcome(follow).await {
                // The same secret was just found wrong: the same answer, without argon2id.
                Some(code) if wrong_secret(code) => {
                    (Verification::refused(code), service.guard.epoch())
                }
                // Found right: the stores know it now (they share what argon2id proved).
                _ => match checked_if_known(service, home, &presented, &permission, &company)
                    .await?
                {
                    Some(answer) => answer,
                    None => {
                        checked_with_argon2(service, client, home, presented, permission, company)
                            .await?
                    }
                },
            },
        },
    };
    let secret_was_right = !wrong_secret(verification.code);
    let verification = Arc::new(verification);
    if verification.is_valid() {
        if service
            .guard
            .remember_answer(&question, epoch, &verification)
        {
            service
                .outage
                .remember((*question).clone(), &verification, mark);
        }
    } else {
        service.outage.refused(&identifier);
    }
    if !(known && secret_was_right) {
        service
            .guard
            .record(client, &identifier, secret_digest, secret_was_right);
    }
    Ok(verification)
}

/// Whether a refusal says the secret (or the identifier) was wrong, rather than the key's state.
fn wrong_secret(code: VerifyCode) -> bool {
    matches!(code, VerifyCode::InvalidSecret | VerifyCode::NotFound)
}

/// A check answered without argon2id, right here, if the stores already proved this secret for
/// the key's current hash (`None` otherwise). With the epoch read before the check: a change
/// committed after it makes the next reuse look (which always asks the store) move the epoch
/// on, so this answer is not reused.
async fn checked_if_known(
    service: &Arc<Service>,
    home: usize,
    presented: &key_format::PresentedKey,
    permission: &Option<String>,
    company: &Option<String>,
) -> Result<Option<(Verification, u64)>, ApiError> {
    let asked = (presented.clone(), permission.clone(), company.clone());
    service
        .quickly_at(home, move |store, service| {
            let (presented, permission, company) = asked;
            let epoch = service.guard.epoch();
            let verification =
                store.verify_if_known(&presented, permission.as_deref(), company.as_deref())?;
            Ok(verification.map(|verification| (verification, epoch)))
        })
        .await
}

/// A check that may run argon2id: admitted for its client address, in its identifier's turn,
/// on an argon2id thread. With the epoch read before the check (see [`check_with_store`]).
async fn checked_with_argon2(
    service: &Arc<Service>,
    client: ClientId,
    home: usize,
    presented: key_format::PresentedKey,
    permission: Option<String>,
    company: Option<String>,
) -> Result<(Verification, u64), ApiError> {
    let admission = service.guard.admit(client).map_err(refusal)?;
    let _turn = service
        .guard
        .argon2_turn(&presented.identifier, &admission)
        .await;
    service
        .with_store_for_argon2_at(home, move |store, service| {
            let epoch = service.guard.epoch();
            let verification =
                store.verify(&presented, permission.as_deref(), company.as_deref())?;
            Ok((verification, epoch))
        })
        .await
}

/// A request whose `Host` is not the service's own (see `host.rs`).
pub fn host_refused() -> ApiError {
    ApiError::new(
        StatusCode::MISDIRECTED_REQUEST,
        "host_not_allowed",
        "This service does not answer for that Host; start it with --allow-host NAME to add one.",
    )
}

fn refusal(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Throttled => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "Too many failed or simultaneous checks from this address; try again later.",
        ),
        Refusal::Busy => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "The service has as many key checks waiting as it takes; try again in a moment.",
        ),
    }
}

#[utoipa::path(post, path = "/v1/keys/verify", request_body(content = VerifyRequest, description = "Optional when the key is in Authorization or X-Api-Key"),
    responses((status = 200, body = VerifyResponse), (status = 400, body = ErrorBody),
               (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 429, body = ErrorBody),
               (status = 503, body = ErrorBody)))]
async fn verify_key(
    State(service): State<Arc<Service>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request: VerifyRequest = json_body(&headers, body)?;
    let (identifier, secret) = presented_key(
        &headers,
        request.key,
        request.client_id,
        request.client_secret,
    )?;
    let (verification, remembered) = check(
        &service,
        ClientId::of(peer.ip()),
        identifier,
        secret,
        request.permission,
        request.company,
    )
    .await?;
    let response = VerifyResponse {
        valid: verification.is_valid(),
        code: verification.code.code(),
        key: key_info(&verification),
        remembered,
    };
    Ok(Json(response).into_response())
}

#[utoipa::path(post, path = "/v1/tokens", request_body(content = TokenRequest, description = "Or HTTP Basic with the identifier and the secret"),
    responses((status = 200, body = TokenResponse), (status = 400, body = ErrorBody),
               (status = 401, body = ErrorBody), (status = 415, body = ErrorBody), (status = 429, body = ErrorBody),
               (status = 503, body = ErrorBody)))]
async fn issue_token(
    State(service): State<Arc<Service>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<TokenResponse>, ApiError> {
    let request: TokenRequest = json_body(&headers, body)?;
    let (identifier, secret) =
        presented_key(&headers, None, request.client_id, request.client_secret)?;
    let client = ClientId::of(peer.ip());
    let (verification, _) = check(&service, client, identifier, secret, None, None).await?;
    let Some(key) = verification.key.clone() else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            format!("The key was refused: {}.", verification.code.code()),
        ));
    };
    let issued = service
        .with_store(move |store, service| {
            store.sign_token(&service.signing, &key, service.token_lifetime)
        })
        .await?;
    let expires_at = sesame_core::tokens::expires_at(&issued.claims);
    Ok(Json(TokenResponse {
        access_token: issued.token.expose_secret().to_owned(),
        token_type: "Bearer",
        expires_in: issued.claims.exp - issued.claims.iat,
        expires_at: expires_at.to_rfc3339(),
    }))
}

#[utoipa::path(post, path = "/v1/tokens/verify", request_body(content = TokenCheckRequest, description = "Or Authorization: Bearer <token>"),
    responses((status = 200, body = TokenCheckResponse), (status = 400, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn verify_token(
    State(service): State<Arc<Service>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<TokenCheckResponse>, ApiError> {
    let request: TokenCheckRequest = json_body(&headers, body)?;
    let token = match request.token {
        Some(token) => token,
        None => headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "missing_token",
                    "Give the token as `token` or in Authorization: Bearer.",
                )
            })?,
    };
    let check = service
        .with_store(move |store, _| store.check_token(&token))
        .await?;
    Ok(Json(TokenCheckResponse {
        valid: check.code == "VALID",
        code: check.code.to_owned(),
        claims: check
            .claims
            .and_then(|claims| serde_json::to_value(claims).ok()),
    }))
}

#[utoipa::path(get, path = "/.well-known/jwks.json", responses((status = 200, description = "The public keys of every installation registered on the store and not retired (JWKS)")))]
async fn jwks(
    State(service): State<Arc<Service>>,
) -> std::result::Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(service.with_store(|store, _| store.jwks()).await?))
}

#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sésame verification service",
        description = "Checks Sésame API keys, issues short-lived EdDSA access tokens, and publishes the public keys."
    ),
    paths(verify_key, issue_token, verify_token, jwks, healthz)
)]
struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "No such route; see /openapi.json.",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This route does not take that method; see /openapi.json.",
    )
}

/// The API's documentation for people, in French and English (the same page the app ships).
const DOCUMENTATION: &str = include_str!("../../../../docs/verification-api.html");

async fn documentation() -> axum::response::Html<&'static str> {
    axum::response::Html(DOCUMENTATION)
}

pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/v1/keys/verify", post(verify_key))
        .route("/v1/tokens", post(issue_token))
        .route("/v1/tokens/verify", post(verify_token))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
        .route("/docs", get(documentation))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(10),
        ))
        .with_state(service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_never_show_a_secret() {
        let body =
            r#"{"key": "paie_AAAAAAAAAAAAAAAA.ses_topsecret", "client_secret": "hunter2-hunter2"}"#;
        let request: VerifyRequest = serde_json::from_str(body).expect("parse");
        let shown = format!("{request:?}");
        assert!(
            !shown.contains("topsecret") && !shown.contains("hunter2"),
            "{shown}"
        );
        let token: TokenRequest =
            serde_json::from_str(r#"{"client_id": "x", "client_secret": "hunter2-hunter2"}"#)
                .expect("parse");
        assert!(!format!("{token:?}").contains("hunter2"));
    }
}
