#!/usr/bin/env python3
"""Figures for several verification services on one PostgreSQL store (issue 14), on loopback.

Run by bench/verifiers.sh, which starts a private PostgreSQL cluster and a hot standby of it
and exports SESAME_BENCH_PG / SESAME_BENCH_PG_STANDBY (libpq key=value, database `postgres`).
  1. warm verification (a key already proven: the cached path) over HTTP, one client connection
     per verifier: SQLite with one verifier, PostgreSQL with one, PostgreSQL with two at once;
  2. the time for a revocation to be obeyed by all three verifiers of one PostgreSQL store
     (LISTEN/NOTIFY), p50 and p99 over N revocations;
  3. the same through a verifier reading the hot standby (`serve --read-db`).

Usage: bench/verifiers.py [path to sesamectl] [revocations, default 100] [seconds per run, default 5]
"""

import datetime
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CTL = sys.argv[1] if len(sys.argv) > 1 else "target/release/sesamectl"
REVOCATIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 100
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
PG = os.environ["SESAME_BENCH_PG"]
STANDBY = os.environ["SESAME_BENCH_PG_STANDBY"]
PASSWORD = "mot de passe du banc d'essai"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Store:
    """A store with the service « Paie », on SQLite or on a fresh PostgreSQL database."""

    def __init__(self, location, home):
        self.env = {"PATH": os.environ["PATH"], "HOME": home, "SESAME_DB": location,
                    "SESAME_USER": "admin", "SESAME_PASSWORD": PASSWORD, "SESAME_LANG": "fr"}
        self.ctl("init", "--admin", "admin")
        self.ctl("service", "add", "Paie", "--prefix", "paie", "--permission", "factures:lecture")

    def ctl(self, *args):
        done = subprocess.run([CTL, "--json", *args], env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"sesamectl {args}: {done.stdout} {done.stderr}")
        return json.loads(done.stdout) if done.stdout.strip() else None

    def key(self, name):
        return self.ctl("key", "create", "Paie", name, "--permission", "factures:lecture")["token"]

    def serve(self, *options):
        port = free_port()
        process = subprocess.Popen([CTL, "serve", "--listen", f"127.0.0.1:{port}", *options],
                                   env=self.env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        verifier = Verifier(port, process)
        deadline = time.monotonic() + 30
        while not verifier.healthy():
            if time.monotonic() > deadline or process.poll() is not None:
                sys.exit("a verifier did not start")
            time.sleep(0.1)
        return verifier


class Verifier:
    def __init__(self, port, process):
        self.port, self.process = port, process
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def healthy(self):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False

    def code(self, key):
        """The answer for `key`, on the kept connection (opened again if the service closed it
        after its idle timeout)."""
        body = json.dumps({"key": key})
        for attempt in (1, 2):
            try:
                self.connection.request("POST", "/v1/keys/verify", body,
                                        {"Content-Type": "application/json"})
                return json.loads(self.connection.getresponse().read())["code"]
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                if attempt == 2:
                    raise

    def code_once(self, key):
        """The answer for `key`, on a connection of its own."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("POST", "/v1/keys/verify", json.dumps({"key": key}),
                               {"Content-Type": "application/json"})
            return json.loads(connection.getresponse().read())["code"]
        finally:
            connection.close()

    def stop(self):
        self.process.terminate()
        self.process.wait()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def warm(verifiers, key):
    """Each verifier checks `key` in a loop on its own connection for SECONDS, at once."""
    latencies = [[] for _ in verifiers]

    def run(index, verifier):
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            started = time.perf_counter()
            assert verifier.code(key) == "VALID"
            latencies[index].append(time.perf_counter() - started)

    threads = [threading.Thread(target=run, args=(i, v)) for i, v in enumerate(verifiers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [latency for one in latencies for latency in one]
    return len(every) / SECONDS, statistics.median(every) * 1e6, percentile(every, 0.99) * 1e6


# Per run of `revocations`, the VALID answers given after the revocation's command returned.
STALE = {}


def revocations(store, verifiers, count, label):
    """Creates `count` keys, proves each at every verifier, then revokes them one by one and
    times from the revocation's own timestamp (taken in its transaction, just before the
    commit) until every verifier answers REVOKED; the verifiers are asked all along, from
    before the revocation starts."""
    keys = [store.key(f"{label} {n}") for n in range(count)]
    for key in keys:
        for verifier in verifiers:
            deadline = time.monotonic() + 5
            while verifier.code(key) != "VALID":
                if time.monotonic() > deadline:
                    sys.exit("a key never became valid")
                time.sleep(0.005)
    delays = []
    for n, key in enumerate(keys):
        obeyed = {}

        def ask():
            deadline = time.time() + 10
            while len(obeyed) < len(verifiers) and time.time() < deadline:
                for verifier in verifiers:
                    if verifier not in obeyed and verifier.code(key) == "REVOKED":
                        obeyed[verifier] = time.time()
                # Asked every millisecond or so: a tighter loop would take the two cores from
                # the revocation being measured.
                time.sleep(0.001)

        asking = threading.Thread(target=ask)
        asking.start()
        revoked = store.ctl("key", "revoke", f"{label} {n}", "--reason", "banc d'essai")
        # The revocation's command has returned: every verifier must answer from the changed
        # state now (a stale answer is a VALID after the change returned).
        # (On connections of their own: the asking thread uses the kept ones.)
        for verifier in verifiers:
            if verifier.code_once(key) == "VALID":
                STALE[label] = STALE.get(label, 0) + 1
        asking.join()
        if len(obeyed) < len(verifiers):
            sys.exit("a revocation was not obeyed within 10 s")
        at = datetime.datetime.fromisoformat(revoked["key"]["revoked_at"].replace("Z", "+00:00"))
        delays.append(max(obeyed.values()) - at.timestamp())
    return statistics.median(delays) * 1e3, percentile(delays, 0.99) * 1e3, max(delays) * 1e3


def database(name):
    subprocess.run([os.environ["SESAME_BENCH_PSQL"], PG, "-qc", f"CREATE DATABASE {name}"],
                   check=True)
    return f"{PG} dbname={name}"


def main():
    folder = tempfile.mkdtemp()
    sqlite = Store(os.path.join(folder, "sesame.db"), folder)
    pg_home = tempfile.mkdtemp()
    pg = Store(database("bench_verifiers"), pg_home)
    started = []
    try:
        print(f"1. warm verification over HTTP, {SECONDS:.0f} s per run, one connection per verifier")
        key = sqlite.key("chaude")
        one = sqlite.serve()
        started.append(one)
        one.code(key)
        base = warm([one], key)
        print(f"   SQLite, one verifier:      {base[0]:7.0f} checks/s  p50 {base[1]:6.0f} µs  p99 {base[2]:6.0f} µs")
        one.stop()
        started.remove(one)
        key = pg.key("chaude")
        first, second, third = pg.serve(), pg.serve(), pg.serve()
        started += [first, second, third]
        for verifier in (first, second):
            verifier.code(key)
        single = warm([first], key)
        print(f"   PostgreSQL, one verifier:  {single[0]:7.0f} checks/s  p50 {single[1]:6.0f} µs  p99 {single[2]:6.0f} µs"
              f"  (×{single[1] / base[1]:.2f} the SQLite p50)")
        double = warm([first, second], key)
        print(f"   PostgreSQL, two verifiers: {double[0]:7.0f} checks/s  p50 {double[1]:6.0f} µs  p99 {double[2]:6.0f} µs"
              f"  (×{double[0] / single[0]:.2f} the throughput of one)")
        print(f"2. a revocation obeyed by three verifiers (LISTEN/NOTIFY), {REVOCATIONS} revocations")
        p50, p99, worst = revocations(pg, [first, second, third], REVOCATIONS, "trois")
        print(f"   p50 {p50:.1f} ms  p99 {p99:.1f} ms  max {worst:.1f} ms")
        print(f"   VALID answers after the revocation's command returned: {STALE.get('trois', 0)}"
              f" of {3 * REVOCATIONS} first requests")
        for verifier in (first, second, third):
            verifier.stop()
            started.remove(verifier)
        print(f"3. a revocation obeyed by a verifier reading the hot standby, {REVOCATIONS} revocations")
        reader = pg.serve("--read-db", f"{STANDBY} dbname=bench_verifiers")
        started.append(reader)
        p50, p99, worst = revocations(pg, [reader], REVOCATIONS, "secours")
        print(f"   p50 {p50:.1f} ms  p99 {p99:.1f} ms  max {worst:.1f} ms")
        print(f"   VALID answers after the revocation's command returned: {STALE.get('secours', 0)}"
              f" of {REVOCATIONS} (a standby shows a change once it has replayed it)")
    finally:
        for verifier in started:
            verifier.stop()


if __name__ == "__main__":
    main()
