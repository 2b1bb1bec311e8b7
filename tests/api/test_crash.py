#!/usr/bin/env python3
"""Crash-durability test for the PKO server: kill -9 in the middle of writes.

Usage:  python3 tests/api/test_crash.py /path/to/pko

The store promises (src/store/store.h) that a write whose commit was
acknowledged survives kill -9. This test checks that promise end to end:

  1. In a temporary directory: `pko init`, a system_admin user, `pko serve`
     on a free 127.0.0.1 port; log in once and create an API token, so the
     writers use `Authorization: Bearer` (no cookie, no CSRF).
  2. Several writer threads POST /api/v1/missions with unique acronyms and
     record each acronym (and id) whose 201 response was fully received,
     i.e. acknowledged. Any other answer (e.g. 503 busy) before the kill is
     reported by a check of its own; it does not affect the durability
     checks.
  3. After a random 1-3 s the server gets SIGKILL while the writers are
     still sending.
  4. Before anything reopens the database through PKO, the SQLite file
     itself (with its -wal) is opened read-only with Python's sqlite3
     module: every acknowledged mission must be in it and integrity_check
     must say ok.
  5. The server is restarted on the same database; every acknowledged
     mission must be listed by GET /api/v1/missions (paged with
     limit=500&cursor=next_cursor, no duplicates across pages) with the id
     it was acknowledged with, and a sample must be readable by id.
  6. `pko check --db D` (integrity + audit hash chain) must exit 0.

Steps 2-6 run CYCLES times (3) on the same database, so later cycles also
cover recovery from a database that has already crashed. At the end the
server is stopped with SIGTERM (it must exit 0; under ASan/LSan a leak
makes that fail) and `pko check` runs once more on the quiet database.

Writes that were in flight at the kill (sent, not acknowledged) may or may
not be present; both are fine. Only loopback traffic; every loop is bounded.

Prints one PASS/FAIL line per check and ends with "N passed, M failed";
exits 0 only when nothing failed. The temporary directory is removed on
success and kept (path printed) on failure.

Environment (all optional):
  PKO_CRASH_SEED     seed for the kill delays (default: time-based, printed)
  PKO_CRASH_CYCLES   number of kill/restart cycles (default 3)
  PKO_CRASH_WRITERS  writer threads (default 4)
  PKO_CRASH_KEEP     keep the temporary directory even on success
"""

import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 90.0    # seconds for /healthz to answer (ASan builds are slow)
REQUEST_TIMEOUT = 60.0    # per HTTP request
CLI_TIMEOUT = 300.0       # per CLI command (argon2id under ASan is slow)
STOP_TIMEOUT = 60.0       # for the server to exit after SIGTERM
KILL_MIN, KILL_MAX = 1.0, 3.0
MAX_WRITES_PER_WRITER = 50000   # per cycle; bounds the writer loops
MAX_PAGES = 10000               # bounds the paging loop
MAX_RECONNECTS = 5              # per writer and cycle, for connections lost before the kill
SAMPLE_GETS = 25                # acknowledged missions read back by id per cycle
ADMIN = "admin"
ADMIN_PASSWORD = "crash-test-password-1"

CYCLES = int(os.environ.get("PKO_CRASH_CYCLES", "3"))
WRITERS = int(os.environ.get("PKO_CRASH_WRITERS", "4"))


class Failure(Exception):
    pass


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def run_cli(pko, args, stdin=None):
    return subprocess.run([pko] + args, input=stdin, capture_output=True, text=True,
                          timeout=CLI_TIMEOUT)


def tail(path, n=30):
    try:
        with open(path, "r", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


class Server:
    """One `pko serve` process on a free loopback port."""

    def __init__(self, pko, db, log_path):
        self.pko, self.db, self.log_path = pko, db, log_path
        self.proc = None
        self.port = None

    def start(self):
        last = ""
        for _attempt in range(5):  # the free port can be taken in between
            self.port = free_port()
            log = open(self.log_path, "ab")
            log.write(b"--- starting on port %d\n" % self.port)
            log.flush()
            self.proc = subprocess.Popen(
                [self.pko, "serve", "--db", self.db, "--listen", "%s:%d" % (HOST, self.port)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            log.close()
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    last = "server exited with %s:\n%s" % (self.proc.returncode,
                                                           tail(self.log_path))
                    break
                try:
                    status, _, _ = self.request("GET", "/healthz", timeout=5)
                    if status == 200:
                        return
                except (OSError, http.client.HTTPException):
                    pass
                time.sleep(0.1)
            else:
                self.kill()
                raise Failure("/healthz did not answer 200 within %.0f s:\n%s"
                              % (STARTUP_TIMEOUT, tail(self.log_path)))
        raise Failure("server did not start: " + last)

    def request(self, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            h = dict(headers or {})
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                h["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            raw = r.read()
            try:
                doc = json.loads(raw) if raw else None
            except ValueError:
                doc = None
            return r.status, r.headers, doc
        finally:
            conn.close()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait(timeout=STOP_TIMEOUT)

    def stop(self):
        """SIGTERM and wait; returns the exit code (None if it had to be killed)."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            return None


class Writer(threading.Thread):
    """POSTs missions over one keep-alive connection until told to stop or
    the connection breaks (the server was killed)."""

    def __init__(self, port, token, cycle, index, stop):
        super().__init__(daemon=True)
        self.port, self.token, self.cycle, self.index = port, token, cycle, index
        self.stop_event = stop
        self.acked = {}        # acronym -> id, 201 fully received
        self.unexpected = []   # (acronym, status, body) of non-201 answers
        self.ended_by = None   # why the loop ended
        self.reconnects = 0    # connections lost before the kill

    def acronym(self, n):
        return ("C%d-%d-%d" % (self.cycle, self.index, n)).upper()

    def run(self):
        conn = None
        try:
            for n in range(MAX_WRITES_PER_WRITER):
                if self.stop_event.is_set():
                    self.ended_by = "stop"
                    return
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
                acr = self.acronym(n)
                body = json.dumps({"name": "Crash test mission %s" % acr, "acronym": acr,
                                   "status": "active"}).encode()
                try:
                    conn.request("POST", "/api/v1/missions", body=body, headers={
                        "Authorization": "Bearer " + self.token,
                        "Content-Type": "application/json"})
                    r = conn.getresponse()
                    raw = r.read()
                except (OSError, http.client.HTTPException) as e:
                    conn.close()
                    conn = None
                    # The kill is followed at once by the stop event; a
                    # connection lost otherwise is retried a few times.
                    if self.stop_event.wait(0.5) or self.reconnects >= MAX_RECONNECTS:
                        self.ended_by = "connection: %s" % type(e).__name__
                        return
                    self.reconnects += 1
                    continue
                if r.status == 201:
                    try:
                        doc = json.loads(raw)
                    except ValueError:
                        doc = None
                    if isinstance(doc, dict) and doc.get("acronym") == acr and doc.get("id"):
                        self.acked[acr] = doc["id"]
                    else:
                        self.unexpected.append((acr, r.status, raw[:200]))
                else:
                    self.unexpected.append((acr, r.status, raw[:200]))
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            self.ended_by = "limit"
        finally:
            if conn is not None:
                conn.close()


def list_missions(srv, token):
    """All missions via paging: {acronym: id}; fails on a duplicate."""
    seen = {}
    cursor = None
    for _page in range(MAX_PAGES):
        path = "/api/v1/missions?limit=500"
        if cursor:
            path += "&cursor=" + urllib.parse.quote(cursor, safe="")
        status, _, doc = srv.request("GET", path, headers={"Authorization": "Bearer " + token})
        if status != 200 or not isinstance(doc, dict):
            raise Failure("GET %s gave %s %r" % (path, status, doc))
        for m in doc.get("items", []):
            if m["acronym"] in seen:
                raise Failure("mission %s listed twice across pages" % m["acronym"])
            seen[m["acronym"]] = m["id"]
        cursor = doc.get("next_cursor")
        if not cursor:
            return seen
    raise Failure("more than %d pages of missions" % MAX_PAGES)


def sqlite_missions(db):
    """Open the database file read-only, as it is on disk after the kill
    (WAL included; nothing checkpoints it), and return ({acronym: id},
    integrity_check result)."""
    uri = "file:%s?mode=ro" % urllib.parse.quote(os.path.abspath(db))
    con = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        rows = con.execute("SELECT acronym, id FROM missions").fetchall()
        integrity = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
    finally:
        con.close()
    return dict(rows), integrity


def main():
    if len(sys.argv) != 2:
        print("usage: %s /path/to/pko" % sys.argv[0], file=sys.stderr)
        return 2
    pko = os.path.abspath(sys.argv[1])
    if not os.access(pko, os.X_OK):
        print("%s is not an executable" % pko, file=sys.stderr)
        return 2
    seed = int(os.environ.get("PKO_CRASH_SEED", str(int(time.time() * 1000) % 1000000)))
    rnd = random.Random(seed)
    print("# seed %d (set PKO_CRASH_SEED=%d to repeat the kill delays), %d cycles, %d writers"
          % (seed, seed, CYCLES, WRITERS), flush=True)

    tmp = tempfile.mkdtemp(prefix="pko-crash-")
    db = os.path.join(tmp, "pko.db")
    log_path = os.path.join(tmp, "server.log")
    srv = Server(pko, db, log_path)
    passed = failed = 0
    acked = {}  # every acknowledged acronym over all cycles -> id

    def check(name, fn):
        nonlocal passed, failed
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - report everything as a failure
            failed += 1
            msg = str(e) if isinstance(e, Failure) else traceback.format_exc()
            print("FAIL %s: %s" % (name, msg.strip()), flush=True)
            return False
        passed += 1
        print("PASS %s" % name, flush=True)
        return True

    token = [None]

    def setup():
        p = run_cli(pko, ["init", "--db", db])
        if p.returncode != 0:
            raise Failure("pko init exited %d: %s" % (p.returncode, p.stderr))
        p = run_cli(pko, ["user", "add", ADMIN, "--role", "system_admin", "--clearance",
                          "strictly_confidential", "--password-stdin", "--db", db],
                    stdin=ADMIN_PASSWORD + "\n")
        if p.returncode != 0:
            raise Failure("pko user add exited %d: %s" % (p.returncode, p.stderr))
        srv.start()
        status, headers, doc = srv.request("POST", "/api/v1/session",
                                           {"username": ADMIN, "password": ADMIN_PASSWORD})
        if status != 200 or not isinstance(doc, dict) or not doc.get("csrf_token"):
            raise Failure("login gave %s %r" % (status, doc))
        cookie = None
        for v in headers.get_all("Set-Cookie") or []:
            if v.startswith("pko_session="):
                cookie = v.split(";", 1)[0]
        if not cookie:
            raise Failure("login set no pko_session cookie")
        status, _, doc = srv.request("POST", "/api/v1/tokens", {"name": "crash"}, headers={
            "Cookie": cookie, "X-CSRF-Token": doc["csrf_token"]})
        if status != 201 or not isinstance(doc, dict) or not doc.get("token"):
            raise Failure("POST /api/v1/tokens gave %s %r" % (status, doc))
        token[0] = doc["token"]
        status, _, doc = srv.request("GET", "/api/v1/missions?limit=1",
                                     headers={"Authorization": "Bearer " + token[0]})
        if status != 200:
            raise Failure("GET /api/v1/missions with the token gave %s %r" % (status, doc))

    try:
        if not check("setup: init, admin user, serve, login, API token", setup):
            return finish(passed, failed, tmp, srv, keep=True)

        for cycle in range(1, CYCLES + 1):
            stop = threading.Event()
            writers = [Writer(srv.port, token[0], cycle, i, stop) for i in range(WRITERS)]
            delay = rnd.uniform(KILL_MIN, KILL_MAX)
            state = {}

            def write_and_kill():
                for w in writers:
                    w.start()
                time.sleep(delay)
                state["running_at_kill"] = sum(1 for w in writers if w.is_alive())
                srv.kill()
                stop.set()
                for w in writers:
                    w.join(REQUEST_TIMEOUT + 10)
                if any(w.is_alive() for w in writers):
                    raise Failure("a writer did not stop after the kill")
                n = 0
                for w in writers:
                    for acr, mid in w.acked.items():
                        acked[acr] = mid
                        n += 1
                state["acked"] = n
                if state["running_at_kill"] != WRITERS:
                    raise Failure("only %d of %d writers were still writing at the kill"
                                  % (state["running_at_kill"], WRITERS))
                if n == 0:
                    raise Failure("no write was acknowledged in %.1f s before the kill" % delay)

            name = "cycle %d: %d writers, SIGKILL after %.2f s mid-stream" % (cycle, WRITERS,
                                                                             delay)
            ok = check(name, write_and_kill)
            if ok:
                print("# cycle %d: %d writes acknowledged before the kill, %d in total%s"
                      % (cycle, state["acked"], len(acked),
                         "; %d connections lost and reopened before the kill"
                         % sum(w.reconnects for w in writers)
                         if any(w.reconnects for w in writers) else ""), flush=True)

            def no_errors():
                bad = [u for w in writers for u in w.unexpected]
                if bad:
                    statuses = {}
                    for _, st, _ in bad:
                        statuses[st] = statuses.get(st, 0) + 1
                    raise Failure("%d of %d answers before the kill were not 201 (by status: "
                                  "%s); first: %r" % (len(bad), len(bad) + state.get("acked", 0),
                                                      statuses, bad[0]))

            check("cycle %d: every write answered before the kill was a 201" % cycle,
                  no_errors)

            def file_durable():
                rows, integrity = sqlite_missions(db)
                missing = [a for a in acked if a not in rows]
                if missing:
                    raise Failure("%d acknowledged missions missing from the SQLite file "
                                  "after kill -9, e.g. %s" % (len(missing), missing[:5]))
                wrong = [a for a in acked if rows[a] != acked[a]]
                if wrong:
                    raise Failure("missions stored under another id: %s" % wrong[:5])
                ours = sum(1 for a in rows if a.startswith("C"))
                if ours < len(acked):
                    raise Failure("%d missions in the file < %d acknowledged"
                                  % (ours, len(acked)))
                if integrity != ["ok"]:
                    raise Failure("integrity_check: %s" % integrity[:5])

            check("cycle %d: every acknowledged write is in the SQLite file after kill -9 "
                  "(read-only open, integrity ok)" % cycle, file_durable)

            if not check("cycle %d: server restarts on the crashed database" % cycle,
                         srv.start):
                break

            def api_durable():
                listed = list_missions(srv, token[0])
                missing = [a for a in acked if a not in listed]
                if missing:
                    raise Failure("%d acknowledged missions not listed after restart, e.g. %s"
                                  % (len(missing), missing[:5]))
                wrong = [a for a in acked if listed[a] != acked[a]]
                if wrong:
                    raise Failure("missions listed under another id: %s" % wrong[:5])
                for acr in rnd.sample(sorted(acked), min(SAMPLE_GETS, len(acked))):
                    status, _, doc = srv.request(
                        "GET", "/api/v1/missions/" + acked[acr],
                        headers={"Authorization": "Bearer " + token[0]})
                    if status != 200 or doc.get("acronym") != acr:
                        raise Failure("GET /api/v1/missions/%s gave %s %r"
                                      % (acked[acr], status, doc))

            check("cycle %d: every acknowledged mission is listed after restart (paged)"
                  % cycle, api_durable)

            def pko_check():
                p = run_cli(pko, ["check", "--db", db])
                if p.returncode != 0:
                    raise Failure("pko check exited %d:\n%s%s" % (p.returncode, p.stdout,
                                                                   p.stderr))

            check("cycle %d: pko check exits 0" % cycle, pko_check)

        def graceful_stop():
            rc = srv.stop()
            if rc != 0:
                raise Failure("server exited with %s after SIGTERM:\n%s"
                              % (rc, tail(log_path)))
            p = run_cli(pko, ["check", "--db", db])
            if p.returncode != 0:
                raise Failure("pko check exited %d:\n%s%s" % (p.returncode, p.stdout,
                                                               p.stderr))

        check("end: SIGTERM stops the server with exit 0, pko check exits 0", graceful_stop)
    finally:
        srv.kill()
    return finish(passed, failed, tmp, srv, keep=failed > 0)


def finish(passed, failed, tmp, srv, keep):
    srv.kill()
    if keep or os.environ.get("PKO_CRASH_KEEP"):
        print("# kept %s (database pko.db, server log server.log)" % tmp, flush=True)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
