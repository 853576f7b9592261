#!/usr/bin/env bash
# Load figures for `sesamectl serve` with a real load tool (oha, from crates.io) on loopback:
#  1. repeated verification of valid keys (the cached path);
#  2. first verifications (one argon2id each), through fresh keys;
#  3. a flood of wrong secrets for one identifier alongside valid traffic: the valid requests'
#     latency, and how much CPU the service used.
# Usage: bench/serve.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
command -v oha >/dev/null 2>&1 || cargo install oha --locked
cargo build --release -q -p sesamectl
ctl=target/release/sesamectl
store=$(mktemp -d)
export SESAME_DB="$store/sesame.db" SESAME_USER=admin SESAME_PASSWORD="mot de passe du banc d'essai"
"$ctl" init --admin admin >/dev/null
"$ctl" service add Paie --prefix paie --permission factures:lecture >/dev/null
key() { "$ctl" --json key create Paie "$1" --permission factures:lecture | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
valid=$(key valide)
wrong=$(key ancienne); "$ctl" key regenerate ancienne >/dev/null   # its old secret is now wrong
fresh=(); for i in $(seq 1 40); do fresh+=("$(key "neuve $i")"); done
port=18419
"$ctl" serve --listen "127.0.0.1:$port" 2>/dev/null &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$store"' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
url="http://127.0.0.1:$port/v1/keys/verify"

summary() {  # oha JSON → requests/s, p50, p99 (ms)
    python3 -c 'import json,sys
r = json.load(sys.stdin)
s, p = r["summary"], r["latencyPercentiles"]
rate, p50, p99, ok = s["requestsPerSec"], p["p50"] * 1e3, p["p99"] * 1e3, s["successRate"] * 100
print(f"{rate:.0f} requests/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, success {ok:.1f} %")'
}
cpu_seconds() { awk '{print ($14 + $15) / 100}' "/proc/$server/stat"; }

echo "== repeated verification of one valid key, 50 connections, ${seconds} s"
oha --no-tui --output-format json -z "${seconds}s" -c 50 -m POST -H "Authorization: Bearer $valid" "$url" | summary

echo "== first verification of 40 fresh keys, one argon2id each, one after the other"
start=$(date +%s.%N)
for token in "${fresh[@]}"; do curl -fs -X POST -H "Authorization: Bearer $token" "$url" >/dev/null; done
end=$(date +%s.%N)
python3 -c "print(f'{40/($end-$start):.1f} first verifications/s, {($end-$start)/40*1e3:.1f} ms each')"

echo "== a flood of wrong secrets for one identifier (50 connections) alongside valid traffic (10 connections), ${seconds} s"
before=$(cpu_seconds)
oha --no-tui --output-format json -z "${seconds}s" -c 50 -m POST -H "Authorization: Bearer $wrong" "$url" > "$store/flood.json" &
flood=$!
oha --no-tui --output-format json -z "${seconds}s" -c 10 -m POST -H "Authorization: Bearer $valid" "$url" | summary | sed 's/^/valid traffic: /'
wait $flood
after=$(cpu_seconds)
python3 -c "import json; r = json.load(open('$store/flood.json')); rate = r['summary']['requestsPerSec']; print(f'flood: {rate:.0f} requests/s answered (429 once throttled)')"
python3 -c "print(f'service CPU during the flood: {($after - $before) / $seconds * 100:.0f} % of one core (2 cores = 200 %)')"
