//! The desktop app's figures, in the real webview through WebDriver, beside Tauri's hello world
//! built on the same machine (`bench/hello`, the reference). Run by `bench/app.sh`, which
//! provides Xvfb, D-Bus and a store seeded with 100 000 keys in `SESAME_BENCH_STORE`:
//! - cold start of the release build to the first interactive screen, against the hello
//!   world's time to its page;
//! - memory (PSS) of each process tree — the program and its WebKit processes, by process —
//!   for the hello world, Sésame at sign-in and Sésame with the key list of 100 000 keys open;
//! - click-to-rendered time of the key list's filters on 100 000 keys, measured in the page.
//!
//! Targets (issue 23): filters ≤ 100 ms median; PSS with the list open ≤ 1.2× the hello world;
//! cold start ≤ 1.5× the hello world's.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

#[path = "../tests/e2e/driver.rs"]
mod driver;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use driver::App;
use serde_json::json;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// The app's process and everything it started, by walking /proc.
fn process_tree(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name may hold spaces; fields after its closing parenthesis are fixed.
        let Some(after) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
            continue;
        };
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parents.push((pid, ppid));
        }
    }
    let mut tree = vec![root];
    let mut index = 0;
    while index < tree.len() {
        let parent = tree[index];
        tree.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        index += 1;
    }
    tree
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn pid_of(program: &Path) -> Option<u32> {
    let output = std::process::Command::new("pgrep")
        .args(["-n", "-f", &program.to_string_lossy()])
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|name| name.trim().to_owned())
        .unwrap_or_default()
}

/// PSS in MiB of a program's process tree, in total and by process name (the program itself,
/// WebKit's web and network processes…), once the page had two seconds to settle.
async fn memory(program: &Path) -> (f64, Vec<(String, f64)>) {
    tokio::time::sleep(Duration::from_secs(2)).await;
    let root = pid_of(program).expect("the program's process");
    let mut parts: Vec<(String, f64)> = Vec::new();
    for pid in process_tree(root) {
        let mib = pss_kib(pid) as f64 / 1024.0;
        let name = process_name(pid);
        match parts.iter_mut().find(|(known, _)| *known == name) {
            Some((_, sum)) => *sum += mib,
            None => parts.push((name, mib)),
        }
    }
    parts.retain(|(_, mib)| *mib >= 0.5);
    (parts.iter().map(|(_, mib)| mib).sum(), parts)
}

fn shares(parts: &[(String, f64)]) -> String {
    parts
        .iter()
        .map(|(name, mib)| format!("{name} {mib:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const FILTER_SCRIPT: &str = r#"
const [status, name, done] = arguments;
const text = () => document.querySelector('[data-test=key-count]')?.textContent ?? '';
const before = text();
const select = document.querySelector('[data-test=criteria-status]');
select.value = status;
select.dispatchEvent(new Event('change', { bubbles: true }));
const input = document.querySelector('[data-test=criteria-name]');
input.value = name;
input.dispatchEvent(new Event('input', { bubbles: true }));
const started = performance.now();
const observer = new MutationObserver(() => {
  if (text() !== before) {
    observer.disconnect();
    requestAnimationFrame(() => done(performance.now() - started));
  }
});
observer.observe(document.body, { subtree: true, childList: true, characterData: true });
document.querySelector('[data-test=filter]').click();
"#;

#[tokio::main]
async fn main() {
    let store = PathBuf::from(std::env::var("SESAME_BENCH_STORE").expect("SESAME_BENCH_STORE"));
    let sesame = PathBuf::from(env!("CARGO_BIN_EXE_sesame"));
    let hello = std::env::var_os("SESAME_BENCH_HELLO")
        .map(PathBuf::from)
        .unwrap_or_else(|| driver::target_dir().join("hello-tauri"));
    assert!(
        hello.is_file(),
        "build the reference: cargo build --release -p hello-tauri"
    );

    // Cold starts, the two programs in turn so that they share the machine's state: Sésame to
    // its first interactive screen, the hello world to its page.
    let (mut starts, mut hello_starts) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        let started = Instant::now();
        let app = App::launch_program("hello", 4464, &hello, None, &[]).await;
        app.wait_for("hello").await.expect("the hello page");
        hello_starts.push(started.elapsed().as_secs_f64() * 1000.0);
        app.finish("hello", Ok(())).await;
        let started = Instant::now();
        let app = App::launch("start", 4460).await;
        app.wait_for("setup-form").await.expect("first screen");
        starts.push(started.elapsed().as_secs_f64() * 1000.0);
        app.finish("start", Ok(())).await;
    }
    let (start, hello_start) = (
        median(&mut starts.clone()),
        median(&mut hello_starts.clone()),
    );
    println!(
        "cold start (release, through WebDriver): Sésame to its first interactive screen median {start:.0} ms, hello-world Tauri to its page median {hello_start:.0} ms, ratio {:.2} (runs: {:?} / {:?})",
        start / hello_start,
        starts.iter().map(|v| v.round()).collect::<Vec<_>>(),
        hello_starts.iter().map(|v| v.round()).collect::<Vec<_>>()
    );

    let reference = App::launch_program("hello-memory", 4466, &hello, None, &[]).await;
    reference.wait_for("hello").await.expect("the hello page");
    let (hello_total, hello_parts) = memory(&hello).await;
    reference.finish("hello-memory", Ok(())).await;

    let app = App::launch_with_store("memory", 4462, Some(&store)).await;
    app.wait_for("signin-name").await.expect("sign-in screen");
    let (signin_total, signin_parts) = memory(&sesame).await;
    app.fill("signin-name", "Bench Admin").await.expect("name");
    app.fill("signin-password", "mot de passe du banc")
        .await
        .expect("password");
    app.click("signin-submit").await.expect("sign in");
    app.click("nav-keys").await.expect("keys");
    app.wait_text("key-count", "100")
        .await
        .expect("100 000 keys listed");
    let (total, parts) = memory(&sesame).await;
    println!(
        "memory (PSS): hello-world Tauri {hello_total:.1} MiB ({}); Sésame at sign-in {signin_total:.1} MiB ({}); Sésame with the list of 100 000 keys open {total:.1} MiB ({}), ratio to hello world {:.2}",
        shares(&hello_parts),
        shares(&signin_parts),
        shares(&parts),
        total / hello_total
    );
    let rows = app
        .client
        .find_all(fantoccini::Locator::Css("[data-test=key-row]"))
        .await
        .map(|r| r.len())
        .unwrap_or(0);
    println!("rows in the DOM: {rows}");
    for (label, status, name) in [
        ("status Active", "active", ""),
        ("status Inactive", "inactive", ""),
        ("status Revoked", "revoked", ""),
        ("status Expired", "expired", ""),
        ("name contains « dupont »", "", "dupont"),
        ("no criteria", "", ""),
    ] {
        let mut times = Vec::new();
        for _ in 0..5 {
            // Step away first so every measured click changes the list.
            app.run_async(FILTER_SCRIPT, vec![json!("revoked"), json!("zzz")])
                .await
                .expect("reset");
            let elapsed = app
                .run_async(FILTER_SCRIPT, vec![json!(status), json!(name)])
                .await
                .expect("filter");
            times.push(elapsed.as_f64().unwrap_or(f64::NAN));
        }
        println!(
            "filter {label} on 100 000 keys, click to rendered: median {:.0} ms (runs: {:?})",
            median(&mut times.clone()),
            times.iter().map(|v| v.round()).collect::<Vec<_>>()
        );
    }
    app.finish("memory", Ok(())).await;
}
