#!/usr/bin/env bash
# Warm verification over HTTP as a ratio to the same service's /healthz (same connections, same
# load tool), for one or more `sesamectl` binaries, runs interleaved so that they share the
# machine's state: oha on loopback, 10 connections, keep-alive.
# Usage: bench/verify_vs_healthz.sh [seconds per run, default 5] [rounds, default 3] [BINARY...]
# (default binary: target/release/sesamectl, built here).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
rounds=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
command -v oha >/dev/null 2>&1 || cargo install oha --locked
if [ $# -eq 0 ]; then
    cargo build --release -q -p sesamectl
    set -- target/release/sesamectl
fi
rate() {  # oha JSON → requests/s
    python3 -c 'import json,sys; print(round(json.load(sys.stdin)["summary"]["requestsPerSec"]))'
}
declare -A healthz verify
port=18431
for round in $(seq 1 "$rounds"); do
    for ctl in "$@"; do
        store=$(mktemp -d)
        export SESAME_DB="$store/sesame.db" SESAME_USER=admin SESAME_PASSWORD="mot de passe du banc d'essai"
        export SESAME_KEY_DIR="$store/keys"
        "$ctl" init --admin admin >/dev/null
        "$ctl" service add Paie --prefix paie --permission factures:lecture >/dev/null
        token=$("$ctl" --json key create Paie valide --permission factures:lecture |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
        port=$((port + 1))
        "$ctl" serve --listen "127.0.0.1:$port" 2>/dev/null &
        server=$!
        for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
        url="http://127.0.0.1:$port"
        curl -fs -X POST -H "Authorization: Bearer $token" "$url/v1/keys/verify" >/dev/null
        h=$(oha --no-tui --output-format json -z "${seconds}s" -c 10 "$url/healthz" | rate)
        v=$(oha --no-tui --output-format json -z "${seconds}s" -c 10 -m POST \
            -H "Authorization: Bearer $token" "$url/v1/keys/verify" | rate)
        kill -TERM "$server"; wait "$server" 2>/dev/null || true
        rm -rf "$store"
        healthz[$ctl]="${healthz[$ctl]:-} $h"
        verify[$ctl]="${verify[$ctl]:-} $v"
        echo "round $round $ctl: /healthz $h requests/s, verify $v requests/s"
    done
done
for ctl in "$@"; do
    python3 - "$ctl" "${healthz[$ctl]}" "${verify[$ctl]}" <<'EOF'
import statistics, sys
name, h, v = sys.argv[1], [int(x) for x in sys.argv[2].split()], [int(x) for x in sys.argv[3].split()]
hm, vm = statistics.median(h), statistics.median(v)
print(f"{name}: /healthz median {hm:.0f}/s, warm verify median {vm:.0f}/s, ratio {vm / hm:.2f}")
EOF
done
