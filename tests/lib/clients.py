"""
NAME
    clients - the small HTTP and Redis clients of the Python tests

SYNOPSIS
    import sys, os
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
    from harness import http, wait_until   # re-exported by harness

    status, headers, body = http("GET", "http://127.0.0.1:26010/healthz")
    wait_until("the idea stored", lambda: count() >= 1)
    redis_command(port, "HGET", "inspraak:participant:p-1", "name")
    redis_command(port, "GET", participant_email_key("jan@bücher.nl"))
    body, ctype = multipart({"vraag": "nu"}, {"file": ("a.vtt", "text/vtt", data)})

    from clients import redis               # redis-py, for a client of its own
    r = redis.Redis(host="127.0.0.1", port=port)

DESCRIPTION
    http() makes one request on a new connection; wait_until() retries a
    check until it holds or gives up (a bounded retry, never a timing
    threshold); set_cookie() picks a cookie from response header pairs;
    multipart() encodes fields and files as a browser's
    multipart/form-data form would;
    redis_command() sends one command and returns Redis's reply as it
    came; participant_email_key() is the key storage files an address
    (in its stored form) under, docs/redis.md. Nothing here knows about
    a Cluster: tests/lib/harness.py builds
    on these and imports every name back, so `from harness import http,
    wait_until, set_cookie, redis_command` keeps working.

    The Redis protocol is redis-py's (Debian python3-redis, installed by
    deploy/install-deps.sh test). It lives in the system Python's
    dist-packages; a python3 from elsewhere (pyenv) does not look there,
    so that folder is added at the end of sys.path when the first import
    fails (the end: the running Python's own packages still come first).
"""
import hashlib
import http.client as httplib
import json
import sys
import time
import urllib.parse

try:
    import redis
except ImportError:
    sys.path.append("/usr/lib/python3/dist-packages")
    import redis


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


def multipart(fields, files=None):
    """(body bytes, Content-Type) of a multipart/form-data form: fields
    {name: str}, files {name: (file name, content type, bytes or str)}."""
    boundary = "----inspraak-test-7c1e0b"
    out = []
    for name, value in fields.items():
        out.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n'
                    % (boundary, name)).encode() + value.encode() + b"\r\n")
    for name, (filename, ctype, data) in (files or {}).items():
        out.append(('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                    'Content-Type: %s\r\n\r\n' % (boundary, name, filename, ctype)).encode() +
                   (data.encode() if isinstance(data, str) else data) + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


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


def participant_email_key(stored):
    """The email index key of an address in its stored form (trimmed,
    domain readable, ASCII lowercased: docs/redis.md)."""
    return "inspraak:participant-email:" + hashlib.blake2b(stored.encode(),
                                                           digest_size=16).hexdigest()


def redis_command(port, *args):
    """One Redis command to 127.0.0.1:port on a new connection; returns
    the reply as Redis sent it: a str (invalid UTF-8 replaced), int, list
    or None. A plain connection, not redis.Redis: that one reshapes many
    replies (PING gives True, HGETALL a dict), and the tests compare what
    Redis answered. Errors, refused connections and time-outs (5 s) raise
    OSError("redis: <redis-py's exception class>: <message>"), which
    wait_until() retries; redis-py names a Redis error code by its class
    (NOAUTH: AuthenticationError, LOADING: BusyLoadingError)."""
    conn = redis.Connection(host="127.0.0.1", port=port, socket_timeout=5,
                            socket_connect_timeout=5, decode_responses=True,
                            encoding_errors="replace")
    try:
        conn.send_command(*(a if isinstance(a, bytes) else str(a) for a in args))
        return conn.read_response()
    except redis.RedisError as e:
        raise OSError("redis: %s: %s" % (type(e).__name__, e)) from e
    finally:
        conn.disconnect()
