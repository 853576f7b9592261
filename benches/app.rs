//! The desktop app's figures, in the real webview through WebDriver (run by `bench/app.sh`,
//! which provides Xvfb, D-Bus and a store seeded with 100 000 keys in `SESAME_BENCH_STORE`):
//! - cold start of the release build to the first interactive screen;
//! - memory (PSS) of the whole process tree — the app and its WebKit processes — with the key
//!   list of 100 000 keys open;
//! - click-to-rendered time of the key list's filters on 100 000 keys, measured in the page.
//!
//! Targets (issue 3): start ≤ 1 s, filter ≤ 200 ms.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

#[path = "../tests/e2e/driver.rs"]
mod driver;

use std::path::PathBuf;
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

fn app_pid() -> Option<u32> {
    let binary = env!("CARGO_BIN_EXE_sesame");
    let output = std::process::Command::new("pgrep")
        .args(["-n", "-f", binary])
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
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

    let mut starts = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let app = App::launch("start", 4460).await;
        app.wait_for("setup-form").await.expect("first screen");
        starts.push(started.elapsed().as_secs_f64() * 1000.0);
        app.finish("start", Ok(())).await;
    }
    println!(
        "cold start to the first interactive screen (release, through WebDriver): median {:.0} ms (runs: {:?})",
        median(&mut starts.clone()),
        starts.iter().map(|v| v.round()).collect::<Vec<_>>()
    );

    let app = App::launch_with_store("memory", 4462, Some(&store)).await;
    app.fill("signin-name", "Bench Admin").await.expect("name");
    app.fill("signin-password", "mot de passe du banc")
        .await
        .expect("password");
    app.click("signin-submit").await.expect("sign in");
    app.click("nav-keys").await.expect("keys");
    app.wait_text("key-count", "100")
        .await
        .expect("100 000 keys listed");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let root = app_pid().expect("app process");
    let tree = process_tree(root);
    let total: u64 = tree.iter().map(|pid| pss_kib(*pid)).sum();
    println!(
        "memory with the list of 100 000 keys open: {:.1} MiB PSS over {} processes (app + WebKit)",
        total as f64 / 1024.0,
        tree.len()
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
