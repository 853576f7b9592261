//! Generates the app's context and, from the one list of its commands (`commands.list`), the
//! commands' permissions manifest and the invoke handler that `main.rs` includes. The capability
//! file and the interface's wrappers are checked against the same list by the app's tests.

use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=src-tauri/commands.list");
    let list = std::fs::read_to_string("src-tauri/commands.list")
        .unwrap_or_else(|error| panic!("src-tauri/commands.list: {error}"));
    let paths: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    let names: Vec<&'static str> = paths
        .iter()
        .map(|path| {
            let name = path.rsplit("::").next().unwrap_or(path);
            &*Box::leak(name.to_owned().into_boxed_str())
        })
        .collect();
    let handler = format!(
        "tauri::generate_handler![{}]",
        paths
            .iter()
            .map(|path| format!("crate::commands::{path}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let out = std::env::var("OUT_DIR").unwrap_or_else(|error| panic!("OUT_DIR: {error}"));
    std::fs::write(Path::new(&out).join("invoke_handler.rs"), handler)
        .unwrap_or_else(|error| panic!("invoke_handler.rs: {error}"));
    let manifest = tauri_build::AppManifest::new().commands(Box::leak(names.into_boxed_slice()));
    if let Err(error) =
        tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
    {
        // A build script reports failure by panicking; there is no caller to return to.
        panic!("tauri-build: {error:#}");
    }
}
