"""
NAME
    clients - the small HTTP and Redis clients of the Python tests

SYNOPSIS
    import sys, os
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
    from harness import http, wait_until   # re-exported by harness

    status, headers, body = http("GET", "http://127.0.0.1:26010/healthz")
    wait_until("the idea stored", lambda: count() >= 1)

DESCRIPTION
    http() makes one request on a new connection; wait_until() retries a
    check until it holds or gives up (a bounded retry, never a timing
    threshold); set_cookie() picks a cookie from response header pairs;
    redis_command() sends one command over RESP and _resp_read() parses
    the reply. Nothing here knows about a Cluster: tests/lib/harness.py
    builds on these and imports every name back, so `from harness import
    http, wait_until, set_cookie, _resp_read` keeps working.

    The Redis client is hand-written because the standard library has
    none and the tests must not depend on pip.
"""
import http.client as httplib
import json
import socket
import time
import urllib.parse


def http(method, url, body=None, headers=None, timeout=10.0):
    """One request on a new connection. Returns (status, headers with
    lowercase names, body bytes). body may be bytes, str or a dict/list
    (sent as JSON unless a Content-Type header says otherwise)."""
    u = urllib.parse.urlsplit(url)
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    elif isinstance(body, str):
        body = body.encode()
    conn = httplib.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        path = u.path or "/"
        if u.query:
            path += "?" + u.query
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        data = res.read()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, data
    finally:
        conn.close()


def wait_until(what, fn, timeout=60.0, interval=0.2):
    """Calls fn until it returns a true value, which is returned; raises
    AssertionError naming `what` when `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = fn()
            if value:
                return value
        except (OSError, httplib.HTTPException, ValueError) as e:
            last = e
        if time.monotonic() >= deadline:
            raise AssertionError("gave up waiting for %s (last error: %r)" % (what, last))
        time.sleep(interval)


def set_cookie(headers, name):
    """The value of cookie name from a list of response header pairs."""
    for k, v in headers:
        if k.lower() == "set-cookie" and v.startswith(name + "="):
            return v.split(";")[0].split("=", 1)[1]
    raise AssertionError("no cookie " + name)


def _json_or_bytes(data):
    try:
        return json.loads(data)
    except ValueError:
        return data


def _resp_read(f):
    line = f.readline()
    if not line:
        raise OSError("redis closed the connection")
    kind, rest = line[:1], line[1:-2].decode()
    if kind == b"+":
        return rest
    if kind == b"-":
        raise OSError("redis: " + rest)
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode("utf-8", "replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_resp_read(f) for _ in range(n)]
    raise OSError("redis: unexpected reply %r" % line)


def redis_command(port, *args):
    """One Redis command over RESP to 127.0.0.1:port; returns a str, int,
    list or None. Hand-written because the stdlib has no Redis client (no
    pip here)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        cmd = "*%d\r\n" % len(args) + "".join(
            "$%d\r\n%s\r\n" % (len(str(a).encode()), a) for a in args)
        s.sendall(cmd.encode())
        return _resp_read(s.makefile("rb"))
