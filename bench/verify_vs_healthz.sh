#!/usr/bin/env bash
# Warm verification over HTTP as a ratio to the same service's /healthz (same connections, same
# load tool), for one or more `sesamectl` binaries, runs interleaved so that they share the
# machine's state: wrk (Debian's) on loopback, 10 connections, keep-alive. Prints requests per
# second and the server's own CPU time per request (user + system, from /proc), the steadier
# figure on a 2-core machine where the load tool takes its share of the same cores.
# Usage: bench/verify_vs_healthz.sh [seconds per run, default 5] [rounds, default 3] [BINARY...]
# (default binary: target/release/sesamectl, built here).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
rounds=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
command -v wrk >/dev/null 2>&1 || {
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get install -y -qq wrk >/dev/null
}
if [ $# -eq 0 ]; then
    cargo build --release -q -p sesamectl
    set -- target/release/sesamectl
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo 'wrk.method = "POST"' > "$work/post.lua"
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# wrk against the server `pid`: « requests/s µs-of-server-CPU-per-request ».
load() {
    local pid=$1 before after out
    shift
    before=$(cpu_ticks "$pid")
    out=$(wrk -t1 -c10 -d"${seconds}s" "$@")
    after=$(cpu_ticks "$pid")
    python3 - "$out" "$before" "$after" "$ticks" <<'PY'
import re, sys
out, before, after, ticks = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
requests = int(re.search(r"(\d+) requests in", out).group(1))
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
print(f"{rate:.0f} {(after - before) / ticks / requests * 1e6:.1f}")
PY
}
declare -A results
port=18431
for round in $(seq 1 "$rounds"); do
    for ctl in "$@"; do
        store=$(mktemp -d -p "$work")
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
        read -r h hc < <(load "$server" "$url/healthz")
        read -r v vc < <(load "$server" -s "$work/post.lua" -H "Authorization: Bearer $token" "$url/v1/keys/verify")
        kill -TERM "$server"; wait "$server" 2>/dev/null || true
        results[$ctl]="${results[$ctl]:-} $h,$hc,$v,$vc"
        echo "round $round $ctl: /healthz $h requests/s ($hc µs CPU each), verify $v requests/s ($vc µs CPU each)"
    done
done
for ctl in "$@"; do
    python3 - "$ctl" "${results[$ctl]}" <<'EOF2'
import statistics, sys
name, runs = sys.argv[1], [tuple(map(float, r.split(","))) for r in sys.argv[2].split()]
h, hc, v, vc = (statistics.median(column) for column in zip(*runs))
print(f"{name}: /healthz median {h:.0f}/s ({hc:.1f} µs CPU each), warm verify median {v:.0f}/s "
      f"({vc:.1f} µs CPU each), ratio {v / h:.2f} (CPU per request: healthz/verify {hc / vc:.2f})")
EOF2
done
