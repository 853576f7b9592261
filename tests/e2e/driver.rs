//! Starting the app under tauri-driver and the small vocabulary the scenarios speak.
// Shared by the end-to-end tests and the app benchmark (benches/app.rs); each uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::json;
use tempfile::TempDir;

pub type Step = Result<(), String>;

const PATIENCE: Duration = Duration::from_secs(20);

pub fn target_dir() -> PathBuf {
    // …/target/debug/deps/e2e-<hash> → …/target/debug
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .to_owned()
}

fn tauri_driver() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_default();
    let installed = cargo_home.join("bin/tauri-driver");
    if installed.is_file() {
        installed
    } else {
        PathBuf::from("tauri-driver")
    }
}

pub struct App {
    pub client: Client,
    driver: Child,
    pub data: TempDir,
}

impl App {
    /// Starts tauri-driver on `port` (and `port + 1` for WebKitWebDriver) with a fresh data
    /// folder, and opens the app through it.
    pub async fn launch(name: &str, port: u16) -> App {
        App::launch_with_store(name, port, None).await
    }

    /// Like [`App::launch`], on a copy of an existing store.
    pub async fn launch_with_store(name: &str, port: u16, store: Option<&std::path::Path>) -> App {
        App::launch_with_environment(name, port, store, &[]).await
    }

    /// Like [`App::launch_with_store`], with more environment for the app (such as `BROWSER`).
    pub async fn launch_with_environment(
        name: &str,
        port: u16,
        store: Option<&std::path::Path>,
        environment: &[(&str, &std::ffi::OsStr)],
    ) -> App {
        let sesame = std::path::Path::new(env!("CARGO_BIN_EXE_sesame"));
        App::launch_program(name, port, sesame, store, environment).await
    }

    /// Like [`App::launch_with_environment`], for any Tauri program (the benchmark's
    /// hello-world reference).
    pub async fn launch_program(
        name: &str,
        port: u16,
        program: &std::path::Path,
        store: Option<&std::path::Path>,
        environment: &[(&str, &std::ffi::OsStr)],
    ) -> App {
        let data = tempfile::tempdir().expect("data folder");
        if let Some(store) = store {
            std::fs::copy(store, data.path().join("sesame.db")).expect("copy the store");
            // A store made without a keyring has its state key in a file beside it: it goes
            // along, as it would with the folder.
            let folder = store.parent().expect("the store's folder");
            for entry in std::fs::read_dir(folder)
                .expect("the store's folder")
                .flatten()
            {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with("sesame-state-") && name.ends_with(".key") {
                    std::fs::copy(entry.path(), data.path().join(&name)).expect("copy the key");
                }
            }
        }
        let driver = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &(port + 1).to_string(),
            ])
            .env("HOME", data.path())
            .env("SESAME_DB", data.path().join("sesame.db"))
            .env("SESAME_LANG", "fr")
            .envs(environment.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tauri-driver (cargo install tauri-driver --locked)");
        let capabilities = json!({
            "tauri:options": {"application": program},
            "browserName": "wry",
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let started = Instant::now();
        let mut driver = driver;
        let mut give_up = |why: String| -> ! {
            // SIGTERM, so WebKitWebDriver and the app go with it.
            if let Ok(pid) = i32::try_from(driver.id()) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
            }
            let _ = driver.wait();
            panic!("{name}: {why}")
        };
        let client = loop {
            // Bounded: without a display the app never starts and the session never opens.
            let attempt = tokio::time::timeout(
                Duration::from_secs(60),
                ClientBuilder::native()
                    .capabilities(capabilities.clone())
                    .connect(&format!("http://127.0.0.1:{port}")),
            )
            .await;
            match attempt {
                Err(_) => give_up("the app did not open within 60 s (is there a display?)".into()),
                Ok(Ok(client)) => break client,
                Ok(Err(error)) if started.elapsed() > Duration::from_secs(30) => {
                    give_up(format!("cannot reach tauri-driver: {error}"))
                }
                Ok(Err(_)) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        };
        App {
            client,
            driver,
            data,
        }
    }

    /// Ends the session; on failure saves a screenshot first, then fails the test.
    pub async fn finish(self, name: &str, outcome: Step) {
        if let Err(why) = &outcome {
            self.screenshot(&format!("{name}-failure")).await;
            eprintln!("{name}: {why}");
        }
        let App {
            client,
            mut driver,
            data,
        } = self;
        let _ = client.close().await;
        // SIGTERM, not SIGKILL: a hard kill leaves WebKitWebDriver running with our output open.
        if let Ok(pid) = i32::try_from(driver.id()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let _ = driver.wait();
        drop(data);
        if let Err(why) = outcome {
            panic!("{name}: {why}");
        }
    }

    pub async fn screenshot(&self, name: &str) {
        let folder = target_dir().join("../e2e-screenshots");
        let _ = std::fs::create_dir_all(&folder);
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(folder.join(format!("{name}.png")), png);
        }
    }

    fn css(test: &str) -> Locator<'_> {
        Locator::Css(Box::leak(
            format!("[data-test=\"{test}\"]").into_boxed_str(),
        ))
    }

    async fn element(&self, test: &str) -> Result<fantoccini::elements::Element, String> {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Self::css(test))
            .await
            .map_err(|e| format!("no element {test}: {e}"))
    }

    pub async fn wait_for(&self, test: &str) -> Step {
        self.element(test).await.map(drop)
    }

    /// Clicks the first element matching a CSS selector (for elements without a `data-test`).
    pub async fn click_css(&self, selector: &str) -> Step {
        self.client
            .find(fantoccini::Locator::Css(selector))
            .await
            .map_err(|e| format!("{selector}: {e}"))?
            .click()
            .await
            .map_err(|e| format!("click {selector}: {e}"))
    }

    pub async fn click(&self, test: &str) -> Step {
        let element = self.element(test).await?;
        element
            .click()
            .await
            .map_err(|e| format!("click {test}: {e}"))
    }

    pub async fn fill(&self, test: &str, text: &str) -> Step {
        let element = self.element(test).await?;
        element
            .send_keys(text)
            .await
            .map_err(|e| format!("type into {test}: {e}"))
    }

    /// Empties a field as a person does, with the keyboard, so the page sees `input` events
    /// (WebDriver's own Clear fires none, and a bound value would keep its old text).
    pub async fn clear(&self, test: &str) -> Step {
        let element = self.element(test).await?;
        let length = element
            .prop("value")
            .await
            .ok()
            .flatten()
            .map_or(0, |v| v.chars().count());
        let end = char::from(fantoccini::key::Key::End).to_string();
        let backspace = char::from(fantoccini::key::Key::Backspace).to_string();
        element
            .send_keys(&format!("{end}{}", backspace.repeat(length)))
            .await
            .map_err(|e| format!("clear {test}: {e}"))
    }

    pub async fn select(&self, test: &str, value: &str) -> Step {
        let element = self.element(test).await?;
        element
            .select_by_value(value)
            .await
            .map_err(|e| format!("select {value} in {test}: {e}"))
    }

    /// Runs a script in the page that calls its last argument back with a value.
    pub async fn run_async(
        &self,
        script: &str,
        arguments: Vec<serde_json::Value>,
    ) -> Result<serde_json::Value, String> {
        self.client
            .execute_async(script, arguments)
            .await
            .map_err(|e| format!("script: {e}"))
    }

    pub async fn text(&self, test: &str) -> Result<String, String> {
        let element = self.element(test).await?;
        element
            .text()
            .await
            .map(|t| t.trim().to_owned())
            .map_err(|e| format!("text of {test}: {e}"))
    }

    pub async fn value(&self, test: &str) -> Result<String, String> {
        let element = self.element(test).await?;
        element
            .prop("value")
            .await
            .map(Option::unwrap_or_default)
            .map_err(|e| format!("value of {test}: {e}"))
    }

    /// A property (`disabled`, `title`…) of the first element matching a CSS selector.
    pub async fn prop_css(&self, selector: &str, name: &str) -> Result<Option<String>, String> {
        self.client
            .find(fantoccini::Locator::Css(selector))
            .await
            .map_err(|e| format!("{selector}: {e}"))?
            .prop(name)
            .await
            .map_err(|e| format!("{name} of {selector}: {e}"))
    }

    /// Whether a button or field is disabled.
    pub async fn disabled(&self, test: &str) -> Result<bool, String> {
        let element = self.element(test).await?;
        element
            .prop("disabled")
            .await
            .map(|value| value.as_deref() == Some("true"))
            .map_err(|e| format!("disabled of {test}: {e}"))
    }

    /// Where an element is drawn: x, y, width, height in CSS pixels.
    pub async fn rect(&self, test: &str) -> Result<(f64, f64, f64, f64), String> {
        let element = self.element(test).await?;
        element
            .rectangle()
            .await
            .map_err(|e| format!("rectangle of {test}: {e}"))
    }

    pub async fn count(&self, test: &str) -> Result<usize, String> {
        self.client
            .find_all(Self::css(test))
            .await
            .map(|found| found.len())
            .map_err(|e| format!("count {test}: {e}"))
    }

    /// Escape, as a keyboard user closes a dialog.
    pub async fn press_escape(&self) -> Step {
        let focused = self
            .client
            .active_element()
            .await
            .map_err(|e| format!("focus: {e}"))?;
        let escape = char::from(fantoccini::key::Key::Escape).to_string();
        focused
            .send_keys(&escape)
            .await
            .map_err(|e| format!("escape: {e}"))
    }

    pub async fn page_source(&self) -> Result<String, String> {
        self.client
            .source()
            .await
            .map_err(|e| format!("page source: {e}"))
    }

    /// Polls `check` until it holds or patience runs out.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F) -> Step
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            if check().await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        Err(format!("gave up waiting: {what}"))
    }

    /// Waits up to `patience` for an element, only looking: no input reaches the app meanwhile
    /// (the lock test counts on that).
    pub async fn wait_quietly_for(&self, test: &str, patience: Duration) -> Step {
        let started = Instant::now();
        while started.elapsed() < patience {
            if self.client.find(Self::css(test)).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Err(format!(
            "{test} did not appear within {} s",
            patience.as_secs()
        ))
    }

    pub async fn wait_text(&self, test: &str, wanted: &str) -> Step {
        self.eventually(&format!("« {wanted} » in {test}"), || async {
            self.text(test)
                .await
                .is_ok_and(|text| text.contains(wanted))
        })
        .await
    }

    pub async fn wait_text_anywhere(&self, wanted: &str) -> Step {
        self.eventually(&format!("« {wanted} » on the page"), || async {
            self.page_source()
                .await
                .is_ok_and(|page| page.contains(wanted))
        })
        .await
    }

    pub async fn wait_gone(&self, test: &str) -> Step {
        self.eventually(&format!("{test} to close"), || async {
            self.client.find(Self::css(test)).await.is_err()
        })
        .await
    }

    /// Switches the interface's language in Paramètres (`fr` or `en`) and waits until the
    /// navigation reads in it; the settings screen stays open.
    pub async fn language(&self, code: &str) -> Step {
        self.click("nav-settings").await?;
        self.select("settings-language", code).await?;
        let keys = if code == "en" { "Keys" } else { "Clés" };
        self.wait_text("nav-keys", keys).await
    }

    pub async fn wait_rows(&self, count: usize) -> Step {
        self.eventually(&format!("{count} key row(s)"), || async {
            self.client
                .find_all(Self::css("key-row"))
                .await
                .is_ok_and(|rows| rows.len() == count)
                && (count > 0 || self.client.find(Self::css("key-count")).await.is_ok())
        })
        .await
    }

    /// Calls a command from the page, as a curious user in the console would; answers
    /// `ok` or the error's code.
    pub async fn invoke(&self, command: &str, arguments: &str) -> Result<String, String> {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('{command}', {arguments})
                 .then(() => done('ok'), (error) => done(error.code || String(error)));"
        );
        let answer = self
            .client
            .execute_async(&script, vec![])
            .await
            .map_err(|e| format!("invoke: {e}"))?;
        Ok(answer.as_str().unwrap_or_default().to_owned())
    }

    /// The X11 clipboard, as another program sees it ("" when empty).
    pub fn clipboard(&self) -> String {
        Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .stderr(Stdio::null())
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default()
    }

    /// The formats the clipboard offers (`TARGETS`), which carry the clipboard-manager hints.
    pub fn clipboard_targets(&self) -> String {
        Command::new("xclip")
            .args(["-o", "-selection", "clipboard", "-t", "TARGETS"])
            .stderr(Stdio::null())
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default()
    }

    pub async fn reload(&self) -> Step {
        self.client
            .refresh()
            .await
            .map_err(|e| format!("reload: {e}"))
    }

    pub async fn clipboard_eventually(
        &self,
        check: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            let text = self.clipboard();
            if check(&text) {
                return Ok(text);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // Never print the clipboard: it may hold a secret.
        Err("the clipboard never held the expected value".into())
    }

    /// Checks a key with the real `sesamectl` on the same store; answers its code.
    pub fn sesamectl_verify(&self, token: &str) -> String {
        use std::io::Write;
        let mut child = Command::new(target_dir().join("sesamectl"))
            .args(["--json", "verify", "-"])
            .env("SESAME_DB", self.data.path().join("sesame.db"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("sesamectl (build the workspace first)");
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(token.as_bytes());
        }
        let output = child.wait_with_output().expect("sesamectl output");
        let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
        answer["code"].as_str().unwrap_or("no answer").to_owned()
    }
}
