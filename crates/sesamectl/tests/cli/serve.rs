//! The verification service, started for real on a free loopback port and spoken to over HTTP:
//! every code, a revocation obeyed while it runs, tokens checked by an independent library
//! (PyJWT with the JWKS), bad input answered in JSON, the throttle, and uses kept at shutdown.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};

use crate::support::{BINARY, Store, said, with_environment};

pub struct Server {
    child: Child,
    pub base: String,
    pub port: u16,
    agent: ureq::Agent,
}

impl Server {
    pub fn start(store: &Store) -> Server {
        Server::start_with(store, &[])
    }

    /// Starts the service with more options (`--idle-timeout 2`…), through `prefix` (such as
    /// `prlimit --nofile=256 --`) when given.
    pub fn start_with(store: &Store, options: &[&str]) -> Server {
        Server::start_through(store, &[], options)
    }

    pub fn start_through(store: &Store, prefix: &[&str], options: &[&str]) -> Server {
        Server::start_in(store, prefix, options, &[])
    }

    /// Starts the service with more environment (another installation's `SESAME_KEY_DIR`…).
    pub fn start_in(
        store: &Store,
        prefix: &[&str],
        options: &[&str],
        environment: &[(&str, &std::ffi::OsStr)],
    ) -> Server {
        let server = Server::spawn(store, prefix, options, environment);
        let started = Instant::now();
        while server.get("/healthz").0 != 200 {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "the service did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// Starts the service without waiting for it to answer, nor opening any connection to it.
    pub fn spawn(
        store: &Store,
        prefix: &[&str],
        options: &[&str],
        environment: &[(&str, &std::ffi::OsStr)],
    ) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port")
            .port();
        let command = match prefix.split_first() {
            Some((program, prefix_args)) => {
                let mut command = Command::new(program);
                command.args(prefix_args).arg(BINARY);
                command
            }
            None => Command::new(BINARY),
        };
        let child = with_environment(command, &store.path())
            .env("SESAME_DB", store.location())
            .envs(environment.iter().copied())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(options)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the service");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        Server {
            child,
            port,
            base: format!("http://127.0.0.1:{port}"),
            agent,
        }
    }

    /// A GET; tried twice when the first attempt fails in transport, as any HTTP client does
    /// when a kept-alive connection was closed by the server meanwhile (after a 413, say).
    pub fn get(&self, path: &str) -> (u16, Value) {
        match self.get_once(path) {
            (0, _) => self.get_once(path),
            answer => answer,
        }
    }

    fn get_once(&self, path: &str) -> (u16, Value) {
        match self.agent.get(format!("{}{path}", self.base)).call() {
            Ok(mut response) => {
                let status = response.status().as_u16();
                (
                    status,
                    response.body_mut().read_json().unwrap_or(Value::Null),
                )
            }
            Err(_) => (0, Value::Null),
        }
    }

    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> (u16, Value) {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut response = match body {
            Some(body) => request.send(body),
            None => request.send_empty(),
        }
        .expect("request");
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_json().unwrap_or(Value::Null),
        )
    }

    pub fn verify(&self, body: Value) -> (u16, Value) {
        self.post(
            "/v1/keys/verify",
            &[("content-type", "application/json")],
            Some(body.to_string().as_bytes()),
        )
    }

    /// Asks about `key` until the service answers `wanted`, and says how long after `since` it
    /// did; fails once `limit` has passed since then.
    pub fn answers_within(
        &self,
        key: &str,
        wanted: &str,
        since: Instant,
        limit: Duration,
    ) -> Duration {
        loop {
            let (status, answer) = self.verify(json!({ "key": key }));
            let code = answer["code"].as_str().unwrap_or("none");
            if code == wanted {
                return since.elapsed();
            }
            assert!(
                since.elapsed() < limit,
                "still {code} instead of {wanted} after {limit:?}: {status} {answer}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits, at most `limit`, until the service answers `key` VALID from its store again (not
    /// from what it remembered while the database was away).
    pub fn valid_from_the_store_within(&self, key: &str, limit: Duration) {
        let started = Instant::now();
        loop {
            let (status, answer) = self.verify(json!({ "key": key }));
            if status == 200 {
                assert_eq!(answer["code"], "VALID");
                assert!(answer.get("remembered").is_none(), "{answer}");
                return;
            }
            assert!(
                started.elapsed() < limit,
                "the service did not answer from its store again: {status} {answer}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn code(&self, body: Value) -> String {
        self.verify(body).1["code"]
            .as_str()
            .unwrap_or("none")
            .to_owned()
    }

    /// The service's process id, to read its memory.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, as a service manager stops it, and waits.
    pub fn stop(mut self) {
        let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM);
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The claims of `token` as an independent JWT library (PyJWT, Debian's python3-jwt) reads
/// them with nothing but `jwks`: the key its header's `kid` names, EdDSA only.
fn pyjwt_claims(token: &str, jwks: &Value) -> Value {
    let script = r#"
import json, sys, jwt
token, jwks = sys.argv[1], json.loads(sys.argv[2])
kid = jwt.get_unverified_header(token)["kid"]
key = jwt.PyJWKSet.from_dict(jwks)[kid]
print(json.dumps(jwt.decode(token, key.key, algorithms=["EdDSA"])))
"#;
    let jwks = jwks.to_string();
    let printed = crate::support::debian_python(
        script,
        &[token.as_ref(), jwks.as_ref()],
        "PyJWT (Debian packages python3-jwt, python3-cryptography)",
    );
    serde_json::from_str(&printed).expect("claims")
}

fn basic(bearer: &str) -> String {
    use base64::Engine;
    let (id, secret) = bearer.split_once('.').expect("bearer");
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    format!("Basic {encoded}")
}

#[test]
fn every_code_over_http_and_a_revocation_obeyed_at_once() {
    let store = Store::new();
    let valid = store.create_key("valide");
    let inactive = store.create_key("inactive");
    store.ok(&["key", "deactivate", "inactive"]);
    let revoked = store.create_key("révoquée");
    store.ok(&["key", "revoke", "révoquée", "--reason", "fuite"]);
    let regenerated = store.create_key("régénérée");
    store.ok(&["key", "regenerate", "régénérée"]);
    let restricted = store.create_key("restreinte");
    store.ok(&["key", "edit", "restreinte", "--company", "Dupont SARL"]);
    let expired = store.create_key("expirée");
    store.outside("UPDATE keys SET expires_at = 1, revision = revision + 1 WHERE name = 'expirée'");
    let elsewhere = Store::new().create_key("ailleurs");

    let server = Server::start(&store);
    let cases = [
        (json!({"key": valid}), "VALID"),
        (json!({"key": "paie_pas-une-cle"}), "MALFORMED"),
        (json!({"key": elsewhere}), "NOT_FOUND"),
        (json!({"key": regenerated}), "INVALID_SECRET"),
        (json!({"key": inactive}), "INACTIVE"),
        (json!({"key": revoked}), "REVOKED"),
        (json!({"key": expired}), "EXPIRED"),
        (
            json!({"key": valid, "permission": "salaires:ecriture"}),
            "INSUFFICIENT_PERMISSION",
        ),
        (
            json!({"key": restricted, "company": "Martin SA"}),
            "COMPANY_FORBIDDEN",
        ),
        (
            json!({"key": restricted, "company": "Dupont SARL"}),
            "VALID",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(server.code(body.clone()), expected, "{body}");
    }
    let (status, answer) = server.verify(json!({"key": valid}));
    assert_eq!(status, 200);
    assert_eq!(answer["valid"], true);
    assert_eq!(answer["key"]["name"], "valide");
    assert_eq!(answer["key"]["permissions"], json!(["factures:lecture"]));

    // The same key by header: Bearer, X-Api-Key, HTTP Basic; and as two parts.
    let (id, secret) = valid.split_once('.').expect("bearer");
    let bearer = format!("Bearer {valid}");
    let basic = basic(&valid);
    for header in [
        ("authorization", bearer.as_str()),
        ("x-api-key", valid.as_str()),
        ("authorization", basic.as_str()),
    ] {
        let (status, answer) = server.post("/v1/keys/verify", &[header], None);
        assert_eq!(
            (status, answer["code"].as_str()),
            (200, Some("VALID")),
            "{header:?}"
        );
    }
    assert_eq!(
        server.code(json!({"client_id": id, "client_secret": secret})),
        "VALID"
    );

    // Revoked from the command line while the service runs: refused at once.
    store.ok(&["key", "revoke", "valide", "--reason", "remplacée"]);
    server.answers_within(&valid, "REVOKED", Instant::now(), Duration::from_secs(1));
    server.stop();
}

#[test]
fn tokens_verify_with_pyjwt_and_the_jwks_and_end_with_their_key() {
    let store = Store::new();
    let key = store.create_key("jetons");
    let server = Server::start(&store);
    let credentials = basic(&key);
    let (status, issued) = server.post(
        "/v1/tokens",
        &[("authorization", credentials.as_str())],
        None,
    );
    assert_eq!(status, 200, "{issued}");
    assert_eq!(issued["token_type"], "Bearer");
    assert_eq!(issued["expires_in"], 86_400);
    let token = issued["access_token"].as_str().expect("token").to_owned();

    // An independent library, with nothing but the published JWKS.
    let (_, jwks) = server.get("/.well-known/jwks.json");
    let claims = pyjwt_claims(&token, &jwks);
    assert_eq!(claims["key_name"], "jetons");
    assert_eq!(claims["service"], "Paie");
    assert!(claims["jti"].is_string());

    let check = |token: &str| {
        let body = json!({ "token": token }).to_string();
        server.post(
            "/v1/tokens/verify",
            &[("content-type", "application/json")],
            Some(body.as_bytes()),
        )
    };
    assert_eq!(check(&token).1["code"], "VALID");
    // Forged: alg none, a token with spaces.
    let mut parts = token.split('.');
    let _ = parts.next();
    let none = format!(
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
        parts.next().expect("claims")
    );
    assert_eq!(check(&none).1["valid"], false);
    assert_eq!(check(&format!("{} x", &token[..30])).1["code"], "MALFORMED");
    // Wrong credentials get no token.
    let wrong = basic(&Store::new().create_key("autre"));
    let (status, refused) = server.post("/v1/tokens", &[("authorization", wrong.as_str())], None);
    assert_eq!(status, 401);
    assert_eq!(refused["error"]["code"], "invalid_credentials");
    // The token ends with its key.
    store.ok(&["key", "deactivate", "jetons"]);
    assert_eq!(check(&token).1["code"], "INACTIVE");
    server.stop();
}

#[test]
fn bad_input_gets_json_errors_and_the_service_keeps_going() {
    let store = Store::new();
    let key = store.create_key("robuste");
    let server = Server::start(&store);
    let json_header = [("content-type", "application/json")];
    type Case<'a> = (&'a [(&'a str, &'a str)], Vec<u8>, u16, &'a str);
    let cases: [Case; 6] = [
        (&json_header, b"{pas du json".to_vec(), 400, "bad_json"),
        (
            &[("content-type", "text/plain")],
            b"{}".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (&json_header, vec![0xff, 0xfe, 0x7b], 400, "bad_json"),
        (&json_header, b"{\"inconnu\": 1}".to_vec(), 400, "bad_json"),
        (&json_header, b"{}".to_vec(), 400, "missing_key"),
        (&json_header, vec![b' '; 64 * 1024], 413, "body_too_large"),
    ];
    for (headers, body, status, code) in cases {
        let (got, answer) = server.post("/v1/keys/verify", headers, Some(&body));
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(code))
        );
    }
    let (status, answer) = server.get("/rien/ici");
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let spaced = format!("{} \n", &key[..20]);
    assert_eq!(server.code(json!({ "key": spaced })), "MALFORMED");
    let (status, openapi) = server.get("/openapi.json");
    assert_eq!(status, 200);
    for path in [
        "/v1/keys/verify",
        "/v1/tokens",
        "/v1/tokens/verify",
        "/.well-known/jwks.json",
        "/healthz",
    ] {
        assert!(openapi["paths"][path].is_object(), "{path} documented");
    }
    assert_eq!(server.code(json!({ "key": key })), "VALID", "still serving");
    server.stop();
}

#[test]
fn a_flood_of_wrong_secrets_is_throttled_and_uses_survive_the_shutdown() {
    let store = Store::new();
    let key = store.create_key("visée");
    let old = store.create_key("ancienne");
    store.ok(&["key", "regenerate", "ancienne"]);
    let server = Server::start(&store);
    assert_eq!(server.code(json!({ "key": key })), "VALID");
    let mut throttled = 0;
    for _ in 0..12 {
        let (status, answer) = server.verify(json!({ "key": old }));
        if status == 429 {
            assert_eq!(answer["error"]["code"], "throttled");
            throttled += 1;
        }
    }
    assert!(
        throttled >= 6,
        "wrong secrets stop costing argon2id after a few"
    );
    // The valid key is still served during the flood.
    for _ in 0..20 {
        assert_eq!(server.code(json!({ "key": key })), "VALID");
    }
    server.stop();
    let listed = store.ok(&["key", "show", "visée"]);
    assert_eq!(
        listed["key"]["use_count"], 21,
        "every use written at shutdown"
    );
    let failed = store.ok(&["key", "show", "ancienne"]);
    assert!(failed["key"]["failed_attempts"].as_u64().unwrap_or(0) >= 5);
}

/// Runs a usage line from `sesamectl key usage` as a user would paste it into a shell, with the
/// secret in place of the placeholder and the test's port in place of the default one.
fn run_usage_line(server: &Server, line: &str, secret: &str) -> Value {
    let port = server.base.trim_start_matches("http://127.0.0.1:");
    let line = line
        .replace("VOTRE_SECRET", &secret.replace('\'', r"'\''"))
        .replace("127.0.0.1:8417", &format!("127.0.0.1:{port}"));
    let output = Command::new("sh")
        .arg("-c")
        .arg(&line)
        .output()
        .expect("sh");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON answer")
}

#[test]
fn the_usage_lines_work_as_pasted_and_the_documentation_is_served() {
    let store = Store::new();
    let bearer = store.create_key("Aide");
    let legacy_secret = "it's-an-old-secret-\"quoted\"-$HOME";
    let csv = store.folder.path().join("ancienne.csv");
    std::fs::write(
        &csv,
        format!(
            "service;nom;identifiant;secret\nPaie;Ancienne;paie_old-1;\"{}\"\n",
            legacy_secret.replace('"', "\"\"")
        ),
    )
    .expect("write");
    store.ok(&["key", "import", csv.to_str().expect("path")]);
    let server = Server::start(&store);
    for (key, secret) in [
        (
            bearer.split_once('.').expect("bearer").0,
            bearer.split_once('.').expect("bearer").1,
        ),
        ("paie_old-1", legacy_secret),
    ] {
        let usage = store.ok(&["key", "usage", key]);
        let lines = usage["lines"].as_array().expect("lines");
        assert_eq!(lines.len(), 4);
        for line in lines {
            let style = line["style"].as_str().expect("style");
            let text = line["line"].as_str().expect("line");
            assert!(
                text.contains("VOTRE_SECRET") && !text.contains(secret),
                "{text}"
            );
            let answer = run_usage_line(&server, text, secret);
            if style == "token" {
                assert!(
                    answer["access_token"].as_str().is_some(),
                    "{style}: {answer}"
                );
            } else {
                assert_eq!(answer["code"], "VALID", "{key} {style}: {answer}");
            }
        }
        assert_eq!(usage["documentation"], "http://127.0.0.1:8417/docs");
    }

    let mut response = server
        .agent
        .get(format!("{}/docs", server.base))
        .call()
        .expect("docs");
    assert_eq!(response.status().as_u16(), 200);
    let page = response.body_mut().read_to_string().expect("page");
    let openapi = server.get("/openapi.json").1;
    for path in openapi["paths"].as_object().expect("paths").keys() {
        assert!(page.contains(path.as_str()), "{path} is not documented");
    }
    for code in [
        "VALID",
        "MALFORMED",
        "NOT_FOUND",
        "INVALID_SECRET",
        "INACTIVE",
        "REVOKED",
        "EXPIRED",
        "INSUFFICIENT_PERMISSION",
        "COMPANY_FORBIDDEN",
    ] {
        assert!(page.contains(code), "{code} is not documented");
    }
    server.stop();
}

/// Three verification services on one PostgreSQL store answer alike; a revocation made by an
/// administrator is obeyed by all three within a second, pushed by the database
/// (LISTEN/NOTIFY); the uses the three count add up exactly when they flush at once.
#[test]
fn three_verifiers_on_one_postgres_store_obey_a_revocation_at_once_and_count_every_use() {
    let Some(store) = Store::on_postgres_cluster() else {
        eprintln!("SESAME_TEST_PG is not set: no PostgreSQL cluster to test against");
        return;
    };
    let token = store.create_key("partagée");
    let other = store.create_key("autre");
    let servers: Vec<Server> = (0..3).map(|_| Server::start(&store)).collect();
    for server in &servers {
        for _ in 0..5 {
            assert_eq!(server.code(json!({ "key": token })), "VALID");
        }
        assert_eq!(server.code(json!({ "key": other })), "VALID");
    }
    store.ok(&["key", "revoke", "partagée", "--reason", "fuite"]);
    let revoked_at = Instant::now();
    let mut slowest = Duration::ZERO;
    for server in &servers {
        let obeyed = server.answers_within(&token, "REVOKED", revoked_at, Duration::from_secs(1));
        slowest = slowest.max(obeyed);
    }
    eprintln!("revocation obeyed by the three verifiers within {slowest:?}");
    // The three stop together: every use they counted reaches the store.
    let stopping: Vec<_> = servers
        .into_iter()
        .map(|server| std::thread::spawn(move || server.stop()))
        .collect();
    for stop in stopping {
        stop.join().expect("stop");
    }
    let shown = store.ok(&["key", "show", "autre"]);
    assert_eq!(shown["key"]["use_count"], 3, "one use at each verifier");
    let shown = store.ok(&["key", "show", "partagée"]);
    assert_eq!(
        shown["key"]["use_count"], 15,
        "five valid uses at each verifier"
    );
}

/// Two installations (two servers, each with its own signing key in its own key folder, the
/// store's state key copied to the second as the README says) verify on one PostgreSQL store:
/// each one's JWKS lists both keys, a token issued by one is accepted by the other and by an
/// independent JWT library holding the JWKS; a key retired by an administrator leaves both
/// JWKS and its tokens are refused everywhere.
#[test]
fn a_token_issued_by_one_installation_is_accepted_by_another_until_its_key_is_retired() {
    let Some(store) = Store::on_postgres_cluster() else {
        eprintln!("SESAME_TEST_PG is not set: no PostgreSQL cluster to test against");
        return;
    };
    let key = store.create_key("jetons");
    let first = Server::start(&store);
    // The second installation's key folder: the state key only, copied from the first's.
    let first_keys = store.folder.path().join(".local/share/fr.sesame.admin");
    let second_keys = tempfile::tempdir().expect("folder");
    let mut copied = 0;
    for entry in std::fs::read_dir(&first_keys).expect("the first installation's keys") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with("sesame-state-") {
            std::fs::copy(&path, second_keys.path().join(name)).expect("copy the state key");
            copied += 1;
        }
    }
    assert_eq!(copied, 1, "one state key in {}", first_keys.display());
    let second = Server::start_in(
        &store,
        &[],
        &[],
        &[("SESAME_KEY_DIR", second_keys.path().as_os_str())],
    );
    let listed = store.ok(&["signing-key", "--list"]);
    let registered = listed["signing_keys"].as_array().expect("keys").clone();
    assert_eq!(registered.len(), 2, "{listed}");
    assert_ne!(registered[0]["holder"], registered[1]["holder"]);

    let credentials = basic(&key);
    let issue = |server: &Server| {
        let (status, issued) = server.post(
            "/v1/tokens",
            &[("authorization", credentials.as_str())],
            None,
        );
        assert_eq!(status, 200, "{issued}");
        issued["access_token"].as_str().expect("token").to_owned()
    };
    let check = |server: &Server, token: &str| {
        let body = json!({ "token": token }).to_string();
        let (_, answer) = server.post(
            "/v1/tokens/verify",
            &[("content-type", "application/json")],
            Some(body.as_bytes()),
        );
        answer["code"].as_str().unwrap_or("none").to_owned()
    };
    let from_first = issue(&first);
    let from_second = issue(&second);
    for server in [&first, &second] {
        assert_eq!(check(server, &from_first), "VALID");
        assert_eq!(check(server, &from_second), "VALID");
        let (_, jwks) = server.get("/.well-known/jwks.json");
        assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(2), "{jwks}");
    }
    // An independent library with nothing but the second's JWKS checks the first's token.
    let (_, jwks) = second.get("/.well-known/jwks.json");
    let claims = pyjwt_claims(&from_first, &jwks);
    assert_eq!(claims["key_name"], "jetons");

    // The first installation's key is retired: gone from both JWKS, its tokens refused by both.
    let first_kid = {
        let header = from_first.split('.').next().expect("header");
        use base64::Engine;
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .expect("base64url");
        let header: Value = serde_json::from_slice(&header).expect("header JSON");
        header["kid"].as_str().expect("kid").to_owned()
    };
    store.ok(&["signing-key", "--retire", &first_kid]);
    for server in [&first, &second] {
        assert_eq!(check(server, &from_first), "BAD_SIGNATURE");
        assert_eq!(check(server, &from_second), "VALID");
        let (_, jwks) = server.get("/.well-known/jwks.json");
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .filter_map(|key| key["kid"].as_str())
            .collect();
        assert!(!kids.contains(&first_kid.as_str()), "{jwks}");
        assert_eq!(kids.len(), 1);
    }
    // The first installation issues no token that nobody would accept.
    let (status, refused) = first.post(
        "/v1/tokens",
        &[("authorization", credentials.as_str())],
        None,
    );
    assert_eq!(status, 503, "{refused}");
    assert_eq!(refused["error"]["code"], "signing_key_retired");
    assert_eq!(check(&second, &issue(&second)), "VALID");
    let listed = store.ok(&["signing-key", "--list"]);
    let retired: Vec<&Value> = listed["signing_keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter(|key| !key["retired_at"].is_null())
        .collect();
    assert_eq!(retired.len(), 1);
    assert_eq!(retired[0]["kid"], first_kid.as_str());
    // Retiring it again names what is wrong and changes nothing.
    let again = store.run(&["signing-key", "--retire", &first_kid]);
    assert_ne!(again.status.code(), Some(0));
    assert!(
        said(&again).contains("Aucune clé de signature en service"),
        "{}",
        said(&again)
    );
}

/// The database goes away in the middle of the day: a verifier answers the keys it proved
/// valid within its window (60 s by default), marked `remembered`, and everything else with
/// 503 `database_unavailable` — a key changed just before the outage, one never proven, a
/// token, any key at a verifier started with `--outage-window 0`. An administrator's change
/// meanwhile is refused in plain words and leaves nothing behind. When the database is back,
/// the verifier recovers by itself.
#[test]
fn while_the_database_is_away_proven_keys_are_answered_others_get_503_and_it_recovers() {
    let Some(cluster) = crate::support::Cluster::start() else {
        eprintln!("SESAME_TEST_PG is not set: no PostgreSQL to test against");
        return;
    };
    let store = Store::on_cluster(&cluster);
    let proven = store.create_key("prouvée");
    let unproven = store.create_key("jamais vue");
    let changed = store.create_key("changée");
    let unheard = store.create_key("révoquée sans être entendue");
    let counted = store.create_key("comptée");
    let server = Server::start(&store);
    let strict = Server::start_with(&store, &["--outage-window", "0"]);
    assert_eq!(server.code(json!({ "key": proven })), "VALID");
    assert_eq!(server.code(json!({ "key": changed })), "VALID");
    assert_eq!(server.code(json!({ "key": unheard })), "VALID");
    assert_eq!(server.code(json!({ "key": counted })), "VALID");
    assert_eq!(strict.code(json!({ "key": proven })), "VALID");
    // The verifiers' listening connections are cut, then a key is revoked: what they remembered
    // of it must not come back in the outage, heard or not.
    let listening = "SELECT CAST(pid AS TEXT) FROM pg_stat_activity
                     WHERE query = 'LISTEN sesame_changes'";
    let cut: Vec<Vec<String>> = store.rows(listening);
    assert_eq!(cut.len(), 2, "one listener per verifier");
    store.outside(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE query = 'LISTEN sesame_changes'",
    );
    store.ok(&[
        "key",
        "revoke",
        "révoquée sans être entendue",
        "--reason",
        "fuite",
    ]);
    // Once they listen again (anything may have changed meanwhile: they forgot everything),
    // the keys are proven again.
    let deadline = Instant::now() + Duration::from_secs(15);
    while store
        .rows(listening)
        .iter()
        .filter(|pid| !cut.contains(pid))
        .count()
        < 2
    {
        assert!(Instant::now() < deadline, "the verifiers listen again");
        std::thread::sleep(Duration::from_millis(20));
    }
    for key in [&proven, &counted] {
        assert_eq!(server.code(json!({ "key": key })), "VALID");
    }
    // Changed just before the outage: what the verifier remembered of it is forgotten at once.
    store.ok(&[
        "key",
        "edit",
        "changée",
        "--note",
        "modifiée avant la panne",
    ]);
    std::thread::sleep(Duration::from_millis(300));

    cluster.stop();
    let (status, answer) = server.verify(json!({ "key": proven }));
    assert_eq!(
        (status, answer["code"].as_str()),
        (200, Some("VALID")),
        "{answer}"
    );
    assert_eq!(answer["remembered"], true);
    for _ in 0..5 {
        let (_, answer) = server.verify(json!({ "key": counted }));
        assert_eq!(answer["remembered"], true, "{answer}");
    }
    for key in [&unproven, &changed, &unheard] {
        let (status, answer) = server.verify(json!({ "key": key }));
        assert_eq!(status, 503, "{answer}");
        assert_eq!(answer["error"]["code"], "database_unavailable");
        assert_ne!(answer["valid"], true);
    }
    let (status, answer) = strict.verify(json!({ "key": proven }));
    assert_eq!(
        status, 503,
        "--outage-window 0 answers nothing from memory: {answer}"
    );
    let credentials = basic(&proven);
    let (status, _) = server.post(
        "/v1/tokens",
        &[("authorization", credentials.as_str())],
        None,
    );
    assert_eq!(
        status, 503,
        "no token is signed for a key that could not be checked"
    );
    // An administrator's change during the outage: refused, in plain words.
    let refused = store.run(&["key", "revoke", "prouvée", "--reason", "panne"]);
    assert_ne!(refused.status.code(), Some(0));
    let words = said(&refused);
    assert!(
        words.contains("ne répond pas") && words.contains("Rien n'a été modifié"),
        "{words}"
    );

    cluster.restart();
    let back = Instant::now();
    for (server, key) in [(&server, &unproven), (&strict, &proven)] {
        server.valid_from_the_store_within(key, Duration::from_secs(15));
    }
    eprintln!(
        "verifiers answering from the store again {:?} after the restart",
        back.elapsed()
    );
    // Nothing was half made: the key is as it was, and can be revoked now.
    assert_eq!(
        store.ok(&["key", "show", "prouvée"])["key"]["status"],
        "active"
    );
    store.ok(&["key", "revoke", "prouvée", "--reason", "après la panne"]);
    // Obeyed within a second once the database is back.
    server.answers_within(&proven, "REVOKED", Instant::now(), Duration::from_secs(1));
    // The uses answered from memory were counted: two from the store, five from memory.
    server.stop();
    assert_eq!(store.ok(&["key", "show", "comptée"])["key"]["use_count"], 7);
}

/// A verifier reading a hot standby (`serve --read-db`): keys are read there, uses reach the
/// primary, every revocation made on the primary is obeyed within a second (the verifier
/// follows the changes the standby has replayed), and with the primary stopped the standby
/// still answers, from the store and not from memory.
#[test]
fn a_verifier_reading_a_standby_obeys_revocations_and_counts_uses_on_the_primary() {
    let Some(cluster) = crate::support::Cluster::start() else {
        eprintln!("SESAME_TEST_PG is not set: no PostgreSQL to test against");
        return;
    };
    let standby = cluster.standby();
    let store = Store::on_cluster(&cluster);
    let (_, name, _) = store.database.clone().expect("a PostgreSQL store");
    let replica = format!("{} dbname={name}", standby.location);
    let counted = store.create_key("comptée");
    let witness = store.create_key("témoin");
    let late = store.create_key("vue après la panne");
    let paused = store.create_key("révoquée pendant la pause");
    let revoked: Vec<String> = (0..8)
        .map(|n| store.create_key(&format!("révoquée {n}")))
        .collect();
    let server = Server::start_with(&store, &["--read-db", &replica]);
    let answer_within = |key: &str, wanted: &str, limit: Duration| {
        server.answers_within(key, wanted, Instant::now(), limit)
    };
    for key in &revoked {
        answer_within(key, "VALID", Duration::from_secs(2));
    }
    let mut valid_uses = 0;
    for _ in 0..5 {
        answer_within(&counted, "VALID", Duration::from_secs(2));
        valid_uses += 1;
    }
    let mut delays = Vec::new();
    for (n, key) in revoked.iter().enumerate() {
        store.ok(&[
            "key",
            "revoke",
            &format!("révoquée {n}"),
            "--reason",
            "essai",
        ]);
        delays.push(answer_within(key, "REVOKED", Duration::from_secs(1)));
    }
    delays.sort();
    eprintln!(
        "revocation obeyed through the standby: median {:?}, slowest {:?} ({} revocations)",
        delays[delays.len() / 2],
        delays[delays.len() - 1],
        delays.len()
    );
    // The standby stops replaying (paused, or cut off from its primary): a revocation is then
    // read from the primary once the standby lags more than the bound, not answered VALID for
    // as long as the standby stays behind.
    answer_within(&paused, "VALID", Duration::from_secs(2));
    let mut on_standby = postgres::Client::connect(&replica, postgres::NoTls).expect("standby");
    on_standby
        .batch_execute("SELECT pg_wal_replay_pause()")
        .expect("pause the replay");
    store.ok(&[
        "key",
        "revoke",
        "révoquée pendant la pause",
        "--reason",
        "essai",
    ]);
    let bound = sesame_core::store::watch::STANDBY_MAX_LAG;
    let waited = answer_within(&paused, "REVOKED", bound + Duration::from_secs(5));
    eprintln!("revocation obeyed with the standby's replay paused after {waited:?}");
    for _ in 0..20 {
        assert_eq!(server.code(json!({ "key": paused })), "REVOKED");
    }
    on_standby
        .batch_execute("SELECT pg_wal_replay_resume()")
        .expect("resume the replay");
    // A database that is not a standby (the primary itself, a copy restored on its own) is
    // refused as a standby.
    let (_, _, primary) = store.database.clone().expect("a PostgreSQL store");
    let refused = store.run(&["serve", "--listen", "127.0.0.1:0", "--read-db", &primary]);
    assert_ne!(refused.status.code(), Some(0));
    assert!(
        said(&refused).contains("not a standby"),
        "{}",
        said(&refused)
    );
    // The primary goes away: the standby still answers a key never checked before.
    cluster.stop();
    let (status, answer) = server.verify(json!({ "key": witness }));
    assert_eq!(
        (status, answer["code"].as_str()),
        (200, Some("VALID")),
        "{answer}"
    );
    assert!(
        answer.get("remembered").is_none(),
        "read from the standby: {answer}"
    );
    cluster.restart();
    // The standby goes away: what was proven is answered from memory, the rest is 503; back,
    // the verifier reads it again by itself.
    standby.stop();
    let (status, answer) = server.verify(json!({ "key": witness }));
    assert_eq!(
        (status, &answer["remembered"]),
        (200, &json!(true)),
        "{answer}"
    );
    let (status, answer) = server.verify(json!({ "key": late }));
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["error"]["code"], "database_unavailable");
    standby.restart();
    server.valid_from_the_store_within(&late, Duration::from_secs(15));
    server.stop();
    let shown = store.ok(&["key", "show", "comptée"]);
    assert_eq!(
        shown["key"]["use_count"], valid_uses,
        "uses reach the primary"
    );
    // Only a standby of this very store is taken.
    let elsewhere = store
        .shell(r#"exec timeout 20 "$0" serve --listen 127.0.0.1:0 --read-db "$1""#)
        .arg(&standby.location)
        .output()
        .expect("run sesamectl");
    assert_ne!(elsewhere.status.code(), Some(0));
    assert!(
        said(&elsewhere).contains("n'est pas valable"),
        "{}",
        said(&elsewhere)
    );
}
