#!/usr/bin/env bash
# Prints the desktop app's figures beside Tauri's hello world (bench/hello): release cold start,
# memory (PSS of the app and its WebKit processes) with 100 000 keys, and filter
# click-to-rendered times. Runs under Xvfb and a
# private D-Bus session, like the end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps
command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked
build_interface
work=$(mktemp -d)
trap 'remove_test_home "$work"' EXIT
cargo run --release --locked -q -p sesame-core --features bench-seeding --example seed_store -- "$work/seeded.db" 100000
cargo build --release --locked -q -p hello-tauri
cargo bench --locked --bench app --no-run -q 2>/dev/null
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export PATH="$CARGO_HOME/bin:$PATH" SESAME_BENCH_STORE="$work/seeded.db"
HOME="$work" xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" dbus-run-session -- \
    cargo bench --locked -q --bench app 2>&1 | grep -E '^(cold start|memory|rows|filter)'
