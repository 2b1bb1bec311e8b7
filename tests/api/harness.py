"""Shared harness of the black-box API suites (Python standard library only).

A suite registers tests with @test, then calls run(prefix, users, ...) from
its main: it creates a database in a temporary directory, adds the users
(name -> roles, password NAME-password-1), starts `pko serve` on a free
127.0.0.1 port, logs everyone in (sessions in S), creates the missions MINUSCA
and MONUSCO (ids in M), runs the tests, stops the server and prints
"N passed, M failed". The database and server log are kept when a test fails.
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HOST = "127.0.0.1"


class _State:
    pko = None   # path of the binary
    port = None  # server port
    tmp = None   # temporary directory
    db = None    # database path


H = _State()
S = {}        # user name -> session {"cookie", "csrf", "id"}
M = {}        # mission acronym -> id
results = []  # registered tests, in order


def req(method, path, body=None, s=None, timeout=30, ctype="application/json"):
    """One request on a fresh connection: (status, json or None, raw, response)."""
    h = {"Connection": "close"}
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h["Content-Type"] = ctype
    if s:
        h["Cookie"] = "pko_session=" + s["cookie"]
        h["X-CSRF-Token"] = s["csrf"]
    c = http.client.HTTPConnection(HOST, H.port, timeout=timeout)
    try:
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        js = None
        if raw and "json" in (r.getheader("Content-Type") or ""):
            try:
                js = json.loads(raw)
            except ValueError:
                js = None
        return r.status, js, raw, r
    finally:
        c.close()


def login(user, pw):
    st, js, _, r = req("POST", "/api/v1/session", {"username": user, "password": pw})
    assert st == 200, (st, js)
    cookie = r.getheader("Set-Cookie").split(";")[0].split("=", 1)[1]
    return {"cookie": cookie, "csrf": js["csrf_token"], "id": js["user"]["id"]}


def pko(*args, stdin=None, timeout=300):
    return subprocess.run([H.pko, *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout)


def test(fn):
    results.append(fn)
    return fn


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def _start(prefix, users, clearance, prepare, env):
    H.tmp = tempfile.mkdtemp(prefix=prefix)
    H.db = os.path.join(H.tmp, "pko.db")
    assert pko("init", "--db", H.db).returncode == 0
    for name, roles in users.items():
        args = ["user", "add", name, "--password-stdin", "--db", H.db, "--clearance",
                clearance(name)]
        for r in roles:
            args += ["--role", r]
        p = pko(*args, stdin=name + "-password-1\n")
        assert p.returncode == 0, p.stderr
    extra = prepare(H.tmp) if prepare else {}
    sock = socket.socket()
    sock.bind((HOST, 0))
    H.port = sock.getsockname()[1]
    sock.close()
    log = open(os.path.join(H.tmp, "serve.log"), "w")
    proc = subprocess.Popen([H.pko, "serve", "--db", H.db, "--listen",
                             "%s:%d" % (HOST, H.port)], stdout=log, stderr=log,
                            env=dict(os.environ, **(env or {}), **(extra or {})))
    for _ in range(300):
        try:
            if req("GET", "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    for name in users:
        S[name] = login(name, name + "-password-1")
    for acr in ("MINUSCA", "MONUSCO"):
        st, js, _, _ = req("POST", "/api/v1/missions",
                           {"name": acr + " mission", "acronym": acr, "status": "active"},
                           S["admin"])
        assert st == 201, js
        M[acr] = js["id"]
    return proc


def run(prefix, users, clearance=lambda name: "confidential", prepare=None, env=None):
    """Set up, run every registered test, tear down; returns the exit code.
    'prepare(tmp)' may create files before the server starts and return
    extra environment variables for it."""
    H.pko = os.path.abspath(sys.argv[1])
    proc = _start(prefix, users, clearance, prepare, env)
    passed = failed = 0
    try:
        for fn in results:
            try:
                fn()
                passed += 1
                print("ok   " + fn.__name__)
            except Exception:  # noqa: BLE001
                failed += 1
                print("FAIL " + fn.__name__)
                traceback.print_exc()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.returncode != 0:
            failed += 1
            print("FAIL server_exit - exit code %s" % proc.returncode)
        if failed == 0:
            shutil.rmtree(H.tmp, ignore_errors=True)
        else:
            print("server log and database kept in " + H.tmp)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
