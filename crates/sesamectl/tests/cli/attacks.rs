//! The verification service under attack, on loopback only and bounded in count and time. The
//! attacker knows a key's public identifier and speaks from other addresses (127.0.0.2,
//! 127.0.0.3 …); the key's owner speaks from 127.0.0.1 and must still be answered.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve::Server;
use crate::support::Store;

/// One HTTP/1.1 request from `source`, on a connection of its own; `None` when the service
/// closed the connection or did not answer within 10 s.
fn request_from(
    source: Ipv4Addr,
    port: u16,
    path: &str,
    host: &str,
    body: &Value,
) -> Option<(u16, Value)> {
    let mut stream = connect_from(source, port)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let json = text
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str(body).ok())
        .unwrap_or(Value::Null);
    Some((status, json))
}

fn connect_from(source: Ipv4Addr, port: u16) -> Option<TcpStream> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).ok()?;
    socket.bind(&SocketAddr::from((source, 0)).into()).ok()?;
    socket
        .connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], port)).into(),
            Duration::from_secs(5),
        )
        .ok()?;
    Some(socket.into())
}

fn verify_from(source: Ipv4Addr, server: &Server, body: &Value) -> Option<(u16, Value)> {
    let host = format!("127.0.0.1:{}", server.port);
    request_from(source, server.port, "/v1/keys/verify", &host, body)
}

const OWNER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);

fn attacker(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 0, 2 + n)
}

/// Floods from `addresses` with `body` until `stop` is set or 20 s have passed; counts answers.
fn flood(
    server_port: u16,
    addresses: Vec<Ipv4Addr>,
    per_address: usize,
    bodies: Arc<dyn Fn(usize) -> Value + Send + Sync>,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicUsize>,
) -> Vec<std::thread::JoinHandle<()>> {
    let mut threads = Vec::new();
    for address in addresses {
        for _ in 0..per_address {
            let (stop, sent, bodies) = (Arc::clone(&stop), Arc::clone(&sent), Arc::clone(&bodies));
            threads.push(std::thread::spawn(move || {
                let started = Instant::now();
                while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(20) {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    let host = format!("127.0.0.1:{server_port}");
                    let answer =
                        request_from(address, server_port, "/v1/keys/verify", &host, &bodies(n));
                    // Refused at once: pause a little, so the loop stays bounded in count.
                    if !matches!(answer, Some((200, _))) {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
            }));
        }
    }
    threads
}

#[test]
fn white_space_variants_of_an_identifier_share_one_throttle() {
    // An imported key: its secret has no checksum, so wrong secrets reach the store.
    let store = Store::new();
    let imported = store.folder.path().join("import.csv");
    std::fs::write(
        &imported,
        "service;nom;identifiant;secret\nPaie;Ancienne paie;paie_ancien-01;Le-secret-de-la-paie-2019!\n",
    )
    .expect("write");
    store.ok(&["key", "import", imported.to_str().expect("path")]);
    let server = Server::start(&store);
    let attempt = |identifier: &str| {
        verify_from(
            attacker(1),
            &server,
            &json!({"client_id": identifier, "client_secret": "pas-le-bon-secret-du-tout"}),
        )
        .expect("answer")
    };
    let spellings = [
        "paie_ancien-01",
        " paie_ancien-01",
        "paie_ancien-01\t",
        "\npaie_ancien-01 ",
    ];
    let mut codes = Vec::new();
    for round in 0..3 {
        for spelling in spellings {
            let (status, answer) = attempt(spelling);
            codes.push((round, spelling, status, answer["code"].clone()));
        }
    }
    let refused_at_once = codes
        .iter()
        .filter(|(_, _, status, _)| *status == 429)
        .count();
    let tried = codes
        .iter()
        .filter(|(_, _, _, code)| code == "INVALID_SECRET")
        .count();
    assert_eq!(
        tried, 5,
        "five tries in all, whatever the spelling: {codes:?}"
    );
    assert_eq!(refused_at_once, codes.len() - 5, "{codes:?}");
    for space in ['\u{a0}', '\u{3000}'] {
        let (status, answer) = attempt(&format!("{space}paie_ancien-01"));
        assert_eq!((status, answer["code"].as_str()), (200, Some("MALFORMED")));
        // The one-string form too, with the right secret: malformed, not trimmed.
        let bearer = format!("{space}paie_ancien-01.Le-secret-de-la-paie-2019!{space}");
        let (status, answer) =
            verify_from(OWNER, &server, &json!({ "key": bearer })).expect("answer");
        assert_eq!((status, answer["code"].as_str()), (200, Some("MALFORMED")));
    }
    // The owner, elsewhere, is not concerned.
    let (status, answer) = verify_from(
        OWNER,
        &server,
        &json!({"client_id": "paie_ancien-01", "client_secret": "Le-secret-de-la-paie-2019!"}),
    )
    .expect("answer");
    assert_eq!((status, answer["code"].as_str()), (200, Some("VALID")));
    server.stop();
}

#[test]
fn an_attacker_cannot_lock_the_owner_out() {
    let store = Store::new();
    let imported = store.folder.path().join("import.csv");
    std::fs::write(
        &imported,
        "service;nom;identifiant;secret\nPaie;Banque;paie_banque-01;Le-secret-de-la-banque-2020!\n",
    )
    .expect("write");
    store.ok(&["key", "import", imported.to_str().expect("path")]);
    let owner_key =
        json!({"client_id": "paie_banque-01", "client_secret": "Le-secret-de-la-banque-2020!"});
    let mut owner_answers = Vec::new();
    for round in 0..2 {
        // A new service each round: the second one has never seen the secret valid.
        let server = Server::start(&store);
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicUsize::new(0));
        let bodies: Arc<dyn Fn(usize) -> Value + Send + Sync> = Arc::new(
            |n| json!({"client_id": "paie_banque-01", "client_secret": format!("mauvais-secret-numero-{n}")}),
        );
        let threads = flood(
            server.port,
            (0..6).map(attacker).collect(),
            3,
            bodies,
            Arc::clone(&stop),
            Arc::clone(&sent),
        );
        std::thread::sleep(Duration::from_millis(300));
        for _ in 0..10 {
            let answer = verify_from(OWNER, &server, &owner_key);
            owner_answers.push((
                round,
                answer.map(|(status, body)| (status, body["code"].clone())),
            ));
            let token = request_from(
                OWNER,
                server.port,
                "/v1/tokens",
                &format!("127.0.0.1:{}", server.port),
                &owner_key,
            );
            owner_answers.push((round, token.map(|(status, _)| (status, json!("token")))));
            std::thread::sleep(Duration::from_millis(50));
        }
        stop.store(true, Ordering::Relaxed);
        for thread in threads {
            thread.join().expect("attacker");
        }
        assert!(sent.load(Ordering::Relaxed) > 60, "the flood ran");
        server.stop();
    }
    let refused: Vec<_> = owner_answers
        .iter()
        .filter(|(_, answer)| {
            !matches!(answer, Some((200, code)) if code == "VALID" || code == "token")
        })
        .collect();
    assert!(refused.is_empty(), "the owner was refused: {refused:?}");

    // A regenerated secret, during a flood with the old one (well formed, now wrong): answered
    // at once.
    let store = Store::new();
    let old_key = store.create_key("régénérée");
    store.ok(&["key", "regenerate", "régénérée"]);
    let server = Server::start(&store);
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let bodies: Arc<dyn Fn(usize) -> Value + Send + Sync> =
        Arc::new(move |_| json!({"key": old_key}));
    let threads = flood(
        server.port,
        (0..4).map(attacker).collect(),
        3,
        bodies,
        Arc::clone(&stop),
        Arc::clone(&sent),
    );
    std::thread::sleep(Duration::from_millis(300));
    let regenerated = store.ok(&["key", "regenerate", "régénérée"]);
    let new_key = regenerated["token"].as_str().expect("token").to_owned();
    let answer = verify_from(OWNER, &server, &json!({"key": new_key}));
    stop.store(true, Ordering::Relaxed);
    for thread in threads {
        thread.join().expect("attacker");
    }
    assert_eq!(
        answer.map(|(status, body)| (status, body["code"].clone())),
        Some((200, json!("VALID")))
    );
    assert!(sent.load(Ordering::Relaxed) > 20, "the flood ran");
    server.stop();
}

#[test]
fn a_flood_of_unknown_identifiers_neither_starves_nor_queues_without_bound() {
    let store = Store::new();
    let keys: Vec<String> = (0..8)
        .map(|n| store.create_key(&format!("clé {n}")))
        .collect();
    let server = Server::start(&store);
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let bodies: Arc<dyn Fn(usize) -> Value + Send + Sync> = Arc::new(
        |n| json!({"client_id": format!("paie_inconnu-{n}"), "client_secret": "un-secret-assez-long-pour-passer"}),
    );
    // 200 requests at once from five addresses, as many as the old service queued for 9 s.
    let threads = flood(
        server.port,
        (0..5).map(attacker).collect(),
        40,
        bodies,
        Arc::clone(&stop),
        Arc::clone(&sent),
    );
    std::thread::sleep(Duration::from_millis(500));
    let mut first_checks = Vec::new();
    for key in &keys {
        let started = Instant::now();
        let answer = verify_from(OWNER, &server, &json!({"key": key}));
        first_checks.push((
            started.elapsed(),
            answer.map(|(s, b)| (s, b["code"].clone())),
        ));
    }
    stop.store(true, Ordering::Relaxed);
    for thread in threads {
        thread.join().expect("attacker");
    }
    for (took, answer) in &first_checks {
        assert_eq!(answer, &Some((200, json!("VALID"))), "{first_checks:?}");
        // A loose bound, far above the benchmark's figure: before the fix, 9 s.
        assert!(*took < Duration::from_secs(3), "{first_checks:?}");
    }
    let slowest = first_checks
        .iter()
        .map(|(took, _)| *took)
        .max()
        .unwrap_or_default();
    println!(
        "first checks under a flood of {} unknown identifiers: slowest {slowest:?}",
        sent.load(Ordering::Relaxed)
    );
    server.stop();
}

#[test]
fn connections_are_capped_per_client_and_time_out() {
    let store = Store::new();
    let key = store.create_key("visée");
    let server = Server::start_with(
        &store,
        &[
            "--max-connections-per-client",
            "8",
            "--header-timeout",
            "3",
            "--idle-timeout",
            "3",
        ],
    );
    // 20 idle connections from one address: 8 kept, the others closed at once.
    let held: Vec<TcpStream> = (0..20)
        .filter_map(|_| connect_from(attacker(0), server.port))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let closed_at_once = held
        .iter()
        .filter(|stream| closed_within(stream, Duration::from_millis(100)))
        .count();
    assert_eq!(closed_at_once, 12, "over the cap of 8 per address");
    // The owner is served meanwhile.
    let answer = verify_from(OWNER, &server, &json!({"key": key}));
    assert_eq!(
        answer.map(|(s, b)| (s, b["code"].clone())),
        Some((200, json!("VALID")))
    );
    // A client trickling its headers, one byte every 300 ms, is cut off by the header limit.
    let mut trickle = connect_from(attacker(1), server.port).expect("connect");
    let started = Instant::now();
    let mut cut_off = false;
    for byte in b"POST /v1/keys/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
        if trickle.write_all(&[*byte]).is_err() {
            cut_off = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
        if started.elapsed() > Duration::from_secs(8) {
            break;
        }
    }
    let elapsed = started.elapsed();
    assert!(
        cut_off || closed_within(&trickle, Duration::from_millis(100)),
        "a trickle is cut off"
    );
    assert!(elapsed < Duration::from_secs(8), "{elapsed:?}");
    // The idle ones are closed by the idle limit.
    let idle_closed = held
        .iter()
        .filter(|stream| closed_within(stream, Duration::from_secs(5)))
        .count();
    assert_eq!(idle_closed, 20);
    // A keep-alive connection left idle after a request is closed too.
    let mut kept = connect_from(attacker(2), server.port).expect("connect");
    let body = json!({"key": key}).to_string();
    write!(
        kept,
        "POST /v1/keys/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = [0_u8; 4096];
    let read = kept.read(&mut answer).expect("answer");
    assert!(String::from_utf8_lossy(&answer[..read]).starts_with("HTTP/1.1 200"));
    assert!(closed_within(&kept, Duration::from_secs(5)));
    server.stop();
}

#[test]
fn the_connection_cap_stays_below_the_open_file_limit() {
    let store = Store::new();
    let key = store.create_key("visée");
    // 256 descriptors: the cap becomes 128, below them.
    let server = Server::start_through(
        &store,
        &["prlimit", "--nofile=256:256", "--"],
        &[
            "--max-connections-per-client",
            "100",
            "--idle-timeout",
            "2",
            "--header-timeout",
            "2",
        ],
    );
    let mut held = Vec::new();
    for n in 0..3 {
        held.extend((0..100).filter_map(|_| connect_from(attacker(n), server.port)));
    }
    std::thread::sleep(Duration::from_millis(300));
    let open = held
        .iter()
        .filter(|stream| !closed_within(stream, Duration::from_millis(20)))
        .count();
    assert!(open <= 128, "{open} connections kept open");
    // Once the idle limit frees them, the owner is served, and the service still runs.
    let started = Instant::now();
    let answer = loop {
        match verify_from(OWNER, &server, &json!({"key": key})) {
            Some(answer) => break Some(answer),
            None if started.elapsed() < Duration::from_secs(10) => {
                std::thread::sleep(Duration::from_millis(200));
            }
            None => break None,
        }
    };
    assert_eq!(
        answer.map(|(s, b)| (s, b["code"].clone())),
        Some((200, json!("VALID")))
    );
    drop(held);
    server.stop();
}

#[test]
fn a_few_addresses_holding_every_connection_leave_room_for_a_new_one() {
    let store = Store::new();
    let key = store.create_key("visée");
    let server = Server::spawn(
        &store,
        &[],
        &[
            "--max-connections",
            "41",
            "--max-connections-per-client",
            "16",
            "--idle-timeout",
            "120",
            "--header-timeout",
            "120",
        ],
        &[],
    );
    // Every connection is the test's own: the first, kept, says when the service is up.
    let started = Instant::now();
    let _probe = loop {
        if let Some(mut stream) = connect_from(attacker(9), server.port)
            && healthz_kept_alive(&mut stream, server.port)
        {
            break stream;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "not started");
        std::thread::sleep(Duration::from_millis(100));
    };
    // Three addresses fill the other 40 places with kept-alive connections, each answered once
    // so that it is known admitted: 16, 14 and 10.
    let mut held: Vec<Vec<TcpStream>> = Vec::new();
    for (n, count) in [(0, 16), (1, 14), (2, 10)] {
        let streams: Vec<TcpStream> = (0..count)
            .map(|_| {
                let mut stream = connect_from(attacker(n), server.port).expect("connect");
                assert!(healthz_kept_alive(&mut stream, server.port), "admitted");
                stream
            })
            .collect();
        held.push(streams);
    }
    // The first connection of the heaviest address speaks again: its second is now the one
    // quiet longest.
    assert!(healthz_kept_alive(&mut held[0][0], server.port));
    // Over the cap of 41, an address already holding connections is refused a new one.
    let refused = connect_from(attacker(1), server.port).expect("connect");
    assert!(closed_within(&refused, Duration::from_secs(10)));
    // A new address is served: one connection of the heaviest address, the one quiet longest,
    // makes room for it.
    let mut owner = connect_from(OWNER, server.port).expect("connect");
    let answer = ask_kept_alive(&mut owner, server.port, Some(&json!({"key": key})));
    assert_eq!(
        answer.map(|(s, b)| (s, b["code"].clone())),
        Some((200, json!("VALID")))
    );
    assert!(closed_within(&held[0][1], Duration::from_secs(10)));
    // A newcomer may hold up to a fair share (41 among 6 addresses), never more; the room is
    // taken from the heaviest each time.
    let newcomer: Vec<TcpStream> = (0..6)
        .map(|_| {
            let mut stream = connect_from(attacker(3), server.port).expect("connect");
            assert!(healthz_kept_alive(&mut stream, server.port), "a fair share");
            stream
        })
        .collect();
    let beyond = connect_from(attacker(3), server.port).expect("connect");
    assert!(closed_within(&beyond, Duration::from_secs(10)));
    // Seven connections were asked to close (one for the owner, six for the newcomer): wait
    // until seven have, then see whose they were.
    let mut closed: Vec<Vec<bool>> = held
        .iter()
        .map(|streams| vec![false; streams.len()])
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while closed.iter().flatten().filter(|c| **c).count() < 7 && Instant::now() < deadline {
        for (streams, closed) in held.iter().zip(&mut closed) {
            for (stream, closed) in streams.iter().zip(closed.iter_mut()) {
                *closed = *closed || closed_within(stream, Duration::from_millis(1));
            }
        }
    }
    assert!(
        closed[0][1] && !closed[0][0],
        "the one quiet longest went first: {closed:?}"
    );
    let mut kept: Vec<usize> = closed
        .iter()
        .map(|closed| closed.iter().filter(|c| !**c).count())
        .collect();
    kept.sort_unstable();
    // 15, 14 and 10 (after the owner's) levelled down by six: 12, 11 and 10 in some order.
    assert_eq!(kept, [10, 11, 12]);
    for (streams, closed) in held.iter_mut().zip(&closed) {
        for (stream, closed) in streams.iter_mut().zip(closed) {
            if !closed {
                assert!(
                    healthz_kept_alive(stream, server.port),
                    "the others are kept"
                );
            }
        }
    }
    assert!(healthz_kept_alive(&mut owner, server.port));
    drop(newcomer);
    server.stop();
}

/// A `GET /healthz` kept alive on `stream`; whether a 200 came back.
fn healthz_kept_alive(stream: &mut TcpStream, port: u16) -> bool {
    ask_kept_alive(stream, port, None).is_some_and(|(status, _)| status == 200)
}

/// One request on a kept-alive `stream`: `GET /healthz`, or a verification of `body`.
fn ask_kept_alive(stream: &mut TcpStream, port: u16, body: Option<&Value>) -> Option<(u16, Value)> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = match body {
        None => format!("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
        Some(body) => {
            let body = body.to_string();
            format!(
                "POST /v1/keys/verify HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        }
    };
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = Vec::new();
    let mut chunk = [0_u8; 1024];
    loop {
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if body.len() >= length {
                let status = head.split(' ').nth(1)?.parse().ok()?;
                return Some((status, serde_json::from_str(body).unwrap_or(Value::Null)));
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(read) => answer.extend_from_slice(&chunk[..read]),
        }
    }
}

/// Whether the service closed `stream` (end of file or reset) within `wait`.
fn closed_within(mut stream: &TcpStream, wait: Duration) -> bool {
    let _ = stream.set_read_timeout(Some(wait));
    let mut byte = [0_u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(error) => !matches!(
            error.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

/// Resident memory of a process, in KiB.
fn resident_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn distinct_caller_text_does_not_grow_memory() {
    let store = Store::new();
    let key = store.create_key("sans restriction");
    let server = Server::start(&store);
    assert_eq!(server.code(json!({"key": key})), "VALID");
    let flood = |requests: usize| {
        let threads: Vec<_> = (0..4)
            .map(|thread| {
                let key = key.clone();
                let port = server.port;
                std::thread::spawn(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    let filler = "x".repeat(15_000);
                    for n in 0..requests {
                        let company = format!("{thread}-{n}-{filler}");
                        let body = json!({"key": key, "company": company, "permission": null});
                        let _ = agent
                            .post(format!("http://127.0.0.1:{port}/v1/keys/verify"))
                            .header("content-type", "application/json")
                            .send(body.to_string().as_bytes());
                    }
                })
            })
            .collect::<Vec<_>>();
        for thread in threads {
            thread.join().expect("flood");
        }
    };
    // A first round brings the allocator's arenas and buffers to their working size; a cache
    // keyed on caller text would grow with every further request (90 MB over the next round).
    flood(250);
    let before = resident_kib(server.pid());
    flood(1_500);
    let after = resident_kib(server.pid());
    let grown_mib = after.saturating_sub(before) / 1024;
    println!("memory before {before} KiB, after 6 000 distinct companies of 15 kB {after} KiB");
    assert!(grown_mib < 64, "grew by {grown_mib} MiB");
    server.stop();
}

/// Many connections of one client starting at once with the same valid key share one
/// argon2id check and are all answered (they were refused 429 beyond two at once).
#[test]
fn a_client_starting_many_connections_at_once_is_answered() {
    let store = Store::new();
    let key = store.create_key("démarrage");
    let server = Server::start(&store);
    let start = Arc::new(std::sync::Barrier::new(32));
    let askers: Vec<_> = (0..32)
        .map(|_| {
            let (start, port, key) = (Arc::clone(&start), server.port, key.clone());
            std::thread::spawn(move || {
                start.wait();
                let host = format!("127.0.0.1:{port}");
                request_from(
                    OWNER,
                    port,
                    "/v1/keys/verify",
                    &host,
                    &json!({ "key": key }),
                )
            })
        })
        .collect();
    for asker in askers {
        let answer = asker.join().expect("asker");
        let (status, body) = answer.expect("an answer");
        assert_eq!((status, body["code"].clone()), (200, json!("VALID")));
    }
    server.stop();
}

/// A secret once valid that stops being right (its key regenerated) no longer skips the
/// guard: whoever holds it is throttled like any wrong secret, and its checks queue for
/// argon2id like any other.
#[test]
fn an_old_secret_once_valid_is_throttled_after_a_regeneration() {
    let store = Store::new();
    let key = store.create_key("régénérée");
    let server = Server::start(&store);
    let holder = attacker(0);
    let code = |body: &Value| verify_from(holder, &server, body);
    assert_eq!(
        code(&json!({ "key": key })).map(|(_, answer)| answer["code"].clone()),
        Some(json!("VALID"))
    );
    store.ok(&["key", "regenerate", "régénérée"]);
    let answers: Vec<(u16, Value)> = (0..12)
        .filter_map(|_| {
            code(&json!({ "key": key })).map(|(status, answer)| (status, answer["code"].clone()))
        })
        .collect();
    assert_eq!(answers.len(), 12);
    assert!(
        answers
            .iter()
            .all(|answer| *answer == (200, json!("INVALID_SECRET")) || answer.0 == 429),
        "{answers:?}"
    );
    assert!(
        answers.iter().filter(|(status, _)| *status == 429).count() >= 6,
        "the old secret is throttled: {answers:?}"
    );
    server.stop();
}

#[test]
fn a_change_is_obeyed_at_the_next_request() {
    let store = Store::new();
    let server = Server::start(&store);
    let changes = [
        vec!["key", "revoke", "k0", "--reason", "fuite"],
        vec!["key", "deactivate", "k1"],
        vec!["key", "regenerate", "k2"],
        vec!["key", "delete", "k3"],
        vec!["key", "edit", "k4", "--permission", "salaires:ecriture"],
    ];
    for (n, change) in changes.into_iter().enumerate() {
        let key = store.create_key(&format!("k{n}"));
        let question = json!({"key": key, "permission": "factures:lecture"});
        // An address per round: the wrong secrets a round ends with must not throttle the next.
        let client = Ipv4Addr::new(127, 0, 1, n as u8 + 1);
        let code = |question: &Value| {
            verify_from(client, &server, question).map(|(_, answer)| answer["code"].clone())
        };
        assert_eq!(code(&question), Some(json!("VALID")));
        // Asked again and again, so a valid answer is always fresh in the service's cache…
        let stop = Arc::new(AtomicBool::new(false));
        let hammer = {
            let (stop, port, question) = (Arc::clone(&stop), server.port, question.clone());
            std::thread::spawn(move || {
                let host = format!("127.0.0.1:{port}");
                let started = Instant::now();
                while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(20) {
                    let _ = request_from(client, port, "/v1/keys/verify", &host, &question);
                }
            })
        };
        std::thread::sleep(Duration::from_millis(300));
        store.ok(&change);
        // …and yet the very next request sees the change.
        let answered = code(&question);
        stop.store(true, Ordering::Relaxed);
        hammer.join().expect("hammer");
        assert!(answered.is_some(), "{change:?}");
        assert_ne!(answered, Some(json!("VALID")), "{change:?}");
        if n < 4 {
            let (id, secret) = key.split_once('.').expect("bearer");
            let body = json!({"client_id": id, "client_secret": secret});
            let host = format!("127.0.0.1:{}", server.port);
            let answer = request_from(client, server.port, "/v1/tokens", &host, &body);
            assert_eq!(
                answer.map(|(status, _)| status),
                Some(401),
                "no token after {change:?}"
            );
        }
    }
    server.stop();
}

#[test]
fn a_foreign_host_is_refused() {
    let store = Store::new();
    let key = store.create_key("visée");
    let server = Server::start(&store);
    let body = json!({"key": key});
    for (host, expected) in [
        ("rebound.example:8417".to_owned(), 421),
        ("127.0.0.1.nip.io".to_owned(), 421),
        (format!("localhost:{}", server.port), 200),
        (format!("127.0.0.1:{}", server.port), 200),
    ] {
        let answer = request_from(OWNER, server.port, "/v1/keys/verify", &host, &body);
        let status = answer.as_ref().map(|(status, _)| *status);
        assert_eq!(status, Some(expected), "{host}: {answer:?}");
        if expected == 421 {
            assert_eq!(
                answer.map(|(_, b)| b["error"]["code"].clone()),
                Some(json!("host_not_allowed"))
            );
        }
    }
    server.stop();
}
