#!/usr/bin/env python3
"""Figures for `sesamectl serve` under attack, on loopback only, bounded in time.

The attacker speaks from 127.0.0.2 and up, the key's owner from 127.0.0.1:
  1. the owner's success rate while other addresses flood wrong secrets for the owner's key
     identifier (after a restart, so the owner's secret has never been seen valid);
  2. the latency of first checks (argon2id) of fresh keys during a flood of unknown
     identifiers: p50, p99, max;
  3. the service's resident memory before and after a flood of distinct caller-supplied text
     (companies, permissions, identifiers);
  4. the connection caps: idle connections one address can hold, and in all;
  5. a fresh address's share while 18 addresses keep reopening 64 connections each (enough to
     fill the total cap): how many of its requests are served;
  6. first checks of one key from 32 connections at once (one address, released together after
     a restart): p50, p99, max, against one first check alone (single flight: one argon2id).

Usage: bench/attack.py [path to sesamectl, default target/release/sesamectl] [seconds, default 10]
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

CTL = sys.argv[1] if len(sys.argv) > 1 else "target/release/sesamectl"
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
OWNER = "127.0.0.1"


def attacker(n):
    return f"127.0.0.{2 + n}"


def post(source, port, path, body, timeout=10.0):
    """One request on its own connection from `source`; (status, json) or (None, None)."""
    data = json.dumps(body).encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                      source_address=(source, 0)) as conn:
            conn.sendall(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                f"Connection: close\r\n\r\n".encode() + data)
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
    except OSError:
        return None, None
    head, _, payload = answer.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ")[1])
        return status, json.loads(payload or b"null")
    except (IndexError, ValueError):
        return None, None


def flood(port, sources, threads_per_source, body_of, stop, deadline):
    count = [0]

    def run(source):
        while not stop.is_set() and time.monotonic() < deadline:
            n = count[0]
            count[0] += 1
            status, _ = post(source, port, "/v1/keys/verify", body_of(n), timeout=5)
            if status != 200:
                time.sleep(0.005)

    threads = [threading.Thread(target=run, args=(s,), daemon=True)
               for s in sources for _ in range(threads_per_source)]
    for thread in threads:
        thread.start()
    return threads, count


def resident_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    import resource
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    folder = tempfile.mkdtemp()
    env = dict(os.environ, SESAME_DB=f"{folder}/sesame.db", SESAME_USER="admin",
               SESAME_PASSWORD="mot de passe du banc d'essai", SESAME_LANG="en")

    def ctl(*args):
        out = subprocess.run([CTL, "--json", *args], env=env, check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)

    ctl("init", "--admin", "admin")
    ctl("service", "add", "Paie", "--prefix", "paie", "--permission", "factures:lecture")
    with open(f"{folder}/import.csv", "w") as f:
        f.write("service;nom;identifiant;secret\nPaie;Banque;paie_banque-01;Le-secret-de-la-banque-2020!\n")
    ctl("key", "import", f"{folder}/import.csv")
    fresh = [ctl("key", "create", "Paie", f"neuve {i}")["token"] for i in range(60)]
    plain = ctl("key", "create", "Paie", "sans restriction")["token"]
    port = 18431

    def serve():
        server = subprocess.Popen([CTL, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            status, _ = post(OWNER, port, "/v1/keys/verify", {"key": "x"})
            if status:
                return server
            time.sleep(0.1)
        raise SystemExit("the service did not start")

    owner_key = {"client_id": "paie_banque-01", "client_secret": "Le-secret-de-la-banque-2020!"}

    # 1. The owner under a flood of wrong secrets for its identifier, after a restart.
    server = serve()
    stop = threading.Event()
    deadline = time.monotonic() + SECONDS
    threads, sent = flood(port, [attacker(n) for n in range(8)], 8,
                          lambda n: {"client_id": "paie_banque-01",
                                     "client_secret": f"mauvais-secret-numero-{n}"},
                          stop, deadline)
    valid = total = 0
    while time.monotonic() < deadline:
        status, body = post(OWNER, port, "/v1/keys/verify", owner_key)
        total += 1
        valid += status == 200 and body and body.get("code") == "VALID"
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    print(f"owner under a flood of {sent[0]} wrong secrets from 8 addresses: "
          f"{valid}/{total} VALID ({100 * valid / max(total, 1):.1f} %)")
    server.terminate()
    server.wait()

    # 2. First checks during a flood of unknown identifiers.
    server = serve()
    stop = threading.Event()
    deadline = time.monotonic() + SECONDS * 3
    threads, sent = flood(port, [attacker(n) for n in range(5)], 40,
                          lambda n: {"client_id": f"paie_inconnu-{n}",
                                     "client_secret": "un-secret-assez-long-pour-passer"},
                          stop, deadline)
    time.sleep(1)
    latencies, refused = [], 0
    for token in fresh:
        started = time.monotonic()
        status, body = post(OWNER, port, "/v1/keys/verify", {"key": token})
        latencies.append((time.monotonic() - started) * 1e3)
        refused += not (status == 200 and body.get("code") == "VALID")
    stop.set()
    for thread in threads:
        thread.join()
    print(f"first checks of {len(fresh)} fresh keys during a flood of {sent[0]} unknown identifiers "
          f"(200 connections from 5 addresses): p50 {percentile(latencies, 50):.0f} ms, "
          f"p99 {percentile(latencies, 99):.0f} ms, max {max(latencies):.0f} ms, {refused} not VALID")

    # 3. Memory under distinct caller-supplied text.
    before = resident_kib(server.pid)
    stop = threading.Event()
    deadline = time.monotonic() + SECONDS * 6
    filler = "x" * 4000
    threads, sent = flood(port, [OWNER, attacker(9)], 4,
                          lambda n: [{"key": plain, "company": f"{n}-{filler}"},
                                     {"key": plain, "permission": f"{n}-{filler}"},
                                     {"client_id": f"paie_inconnu-{n}",
                                      "client_secret": f"{n}-secret-assez-long"}][n % 3],
                          stop, deadline)
    for thread in threads:
        thread.join()
    after = resident_kib(server.pid)
    print(f"memory over {SECONDS * 6:.0f} s of {sent[0]} distinct inputs: {before / 1024:.1f} MiB "
          f"before, {after / 1024:.1f} MiB after (+{(after - before) / 1024:.1f} MiB)")

    # 4. Connection caps.
    held = []
    for _ in range(200):
        try:
            held.append(socket.create_connection(("127.0.0.1", port), timeout=2,
                                                 source_address=(attacker(20), 0)))
        except OSError:
            break
    time.sleep(0.5)
    still_open = 0
    for conn in held:
        conn.settimeout(0.05)
        try:
            still_open += conn.recv(1) != b""
        except socket.timeout:
            still_open += 1
        except OSError:
            pass
    print(f"idle connections kept open from one address: {still_open} of {len(held)} "
          f"(cap per address 64; in all min(1024, open-file limit - 128))")
    for conn in held:
        conn.close()

    # 5. Fresh addresses while 18 others keep 64 connections each open, reopening those closed.
    stop = threading.Event()
    deadline = time.monotonic() + SECONDS * 3
    reopened = [0]
    filler_thread = threading.Thread(target=hold_connections,
                                     args=(port, [attacker(40 + n) for n in range(18)], 64,
                                           stop, deadline, reopened), daemon=True)
    filler_thread.start()
    time.sleep(1)
    served = asked = 0
    n = 0
    while time.monotonic() < deadline:
        status, body = post(attacker(100 + n % 50), port, "/v1/keys/verify", {"key": plain},
                            timeout=5)
        n += 1
        asked += 1
        served += status == 200 and body.get("code") == "VALID"
        time.sleep(0.05)
    stop.set()
    filler_thread.join()
    print(f"fresh addresses while 18 addresses hold 64 connections each "
          f"({reopened[0]} opened): {served} of {asked} requests served")
    server.terminate()
    server.wait()

    # 6. 32 first checks of one key at once, after a restart; then one first check alone.
    alone = []
    together = []
    for round_ in range(5):
        server = serve()
        barrier = threading.Barrier(32)
        latencies = [None] * 32

        def first_check(n):
            barrier.wait()
            started = time.monotonic()
            status, body = post(OWNER, port, "/v1/keys/verify", owner_key)
            ok = status == 200 and body and body.get("code") == "VALID"
            latencies[n] = (time.monotonic() - started) * 1e3 if ok else None

        threads = [threading.Thread(target=first_check, args=(n,)) for n in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        together.extend(latencies)
        server.terminate()
        server.wait()
        server = serve()
        started = time.monotonic()
        post(OWNER, port, "/v1/keys/verify", owner_key)
        alone.append((time.monotonic() - started) * 1e3)
        server.terminate()
        server.wait()
    answered = [latency for latency in together if latency is not None]
    print(f"32 first checks of one key at once, 5 restarts: {len(answered)}/{len(together)} VALID, "
          f"p50 {percentile(answered, 50):.0f} ms, p99 {percentile(answered, 99):.0f} ms, "
          f"max {max(answered):.0f} ms; one first check alone: median "
          f"{percentile(alone, 50):.0f} ms")


def hold_connections(port, sources, per_source, stop, deadline, opened):
    """Keeps `per_source` idle connections open from each source, reopening those closed."""
    import selectors
    selector = selectors.DefaultSelector()
    counts = {source: 0 for source in sources}

    def top_up():
        for source in sources:
            while counts[source] < per_source and not stop.is_set():
                try:
                    conn = socket.create_connection(("127.0.0.1", port), timeout=2,
                                                    source_address=(source, 0))
                except OSError:
                    return
                conn.setblocking(False)
                selector.register(conn, selectors.EVENT_READ, source)
                counts[source] += 1
                opened[0] += 1

    while not stop.is_set() and time.monotonic() < deadline:
        top_up()
        for key, _ in selector.select(timeout=0.1):
            try:
                data = key.fileobj.recv(1024)
            except OSError:
                data = b""
            if not data:
                selector.unregister(key.fileobj)
                key.fileobj.close()
                counts[key.data] -= 1
    for key in list(selector.get_map().values()):
        key.fileobj.close()


if __name__ == "__main__":
    main()
