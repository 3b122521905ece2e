"""
NAME
    soak - SOAK_N submissions over three channels under a kill -9 every 1-5 s

DESCRIPTION
    One real stack (tests/lib/harness.py, the supervisor restarting what
    dies): Redis (AOF, appendfsync always), storage, classifier,
    intake-form, intake-field, intake-mail. The load, from SOAK_THREADS
    threads:
      form   SOAK_N * 40 % ideas, POST /api/v1/ideas, each with its own
             Idempotency-Key, re-sent after a connection error, timeout,
             429 or 5xx until 201;
      field  SOAK_N * 58 % items in batches of 100 (POST
             /api/v1/field/batches), the same batch re-sent until 200;
      mail   SOAK_N * 2 % mails dropped into the Maildir inbox (durable
             once renamed into new/, as Postfix delivers).
    Meanwhile a killer sends SIGKILL to a random one of storage,
    classifier, the three intakes and redis-server every 1-5 s (random).
    Afterwards it waits until storage has caught up (bounded poll on
    ZCARD inspraak:ideas) and compares: every accepted form and field id
    stored, every mail's idea stored (inspraak:ix:channel:email), and
    nothing else (ZCARD equals the number accepted): lost = accepted but
    not stored, doubled = stored beyond that.

ENVIRONMENT
    SOAK_N        submissions [100000]
    SOAK_THREADS  client threads [12]
    SOAK_KILLS    1: kill (default); 0: only the load
    INSPRAAK_BIN  binaries (tests/soak/run.sh sets it)
"""
import itertools
import json
import os
import random
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from harness import Cluster, http, wait_until  # noqa: E402

RETRYABLE = {429, 500, 502, 503, 504}
TARGETS = ("storage", "classifier", "intake-form", "intake-field", "intake-mail", "redis")
BATCH = 100


class Soak:
    def __init__(self, cluster, n, threads, spread=0.0, every=(1.0, 5.0)):
        self.c = cluster
        self.spread = spread   # seconds over which to spread the jobs' starts
        self.every = every     # seconds between kills: uniform(a, b)
        self.n_form = n * 40 // 100
        self.n_mail = max(1, n * 2 // 100)
        self.n_field = n - self.n_form - self.n_mail
        self.threads = threads
        self.lock = threading.Lock()
        self.ids = {}          # form key / field local_id -> idea id
        self.errors = []
        self.retries = 0
        self.kills = {t: 0 for t in TARGETS}
        self.missed = 0
        self.result = {}
        self.done = threading.Event()
        work = [("form", i) for i in range(self.n_form)]
        work += [("field", i) for i in range(0, self.n_field, BATCH)]
        random.shuffle(work)
        self.n_jobs = len(work)
        self.work = iter(enumerate(work))

    # --- clients ---
    def _retry(self, attempt):
        with self.lock:
            self.retries += 1
        time.sleep(min(0.05 * (2 ** min(attempt, 5)), 1.0))

    def _form(self, i):
        key = "soak-%d" % i
        text = "Soak-idee %d: meer %s in de wijk" % (i, ("bomen", "bankjes", "licht")[i % 3])
        for attempt in itertools.count():
            try:
                status, body = self.c.post_idea(text, key=key, timeout=15)
            except (OSError, ValueError) as e:
                status, body = None, repr(e)
            if status == 201:
                with self.lock:
                    self.ids[key] = body["id"]
                return
            if status is not None and status not in RETRYABLE:
                with self.lock:
                    self.errors.append(("form", key, status, body))
                return
            self._retry(attempt)

    def _field(self, start):
        n = min(BATCH, self.n_field - start)
        items = [{"local_id": "soak-f-%d" % (start + k),
                  "text": "Veldidee %d: een zebrapad bij de school" % (start + k),
                  "question": "nu", "collected_at": "2025-05-12T14:03:00+02:00"}
                 for k in range(n)]
        body = json.dumps({"device_id": "soak-tablet", "activity": "omgevingsvisietour",
                           "items": items}).encode()
        for attempt in itertools.count():
            try:
                status, _, data = http("POST", self.c.url("intake-field", "/api/v1/field/batches"),
                                       body, {"Content-Type": "application/json",
                                              "Authorization": "Bearer " + self.device},
                                       timeout=30)
            except OSError as e:
                status, data = None, repr(e).encode()
            if status == 200:
                answer = json.loads(data)
                with self.lock:
                    for a in answer["accepted"]:
                        self.ids[a["local_id"]] = a["id"]
                    if answer["rejected"]:
                        self.errors.append(("field", start, 200, answer["rejected"][:3]))
                return
            if status is not None and status not in RETRYABLE:
                with self.lock:
                    self.errors.append(("field", start, status, data[:300]))
                return
            self._retry(attempt)

    def _client(self):
        while True:
            with self.lock:
                i, job = next(self.work, (None, None))
            if job is None:
                return
            if self.spread:  # shapes the load so it overlaps the kills
                delay = self.t0 + self.spread * i / self.n_jobs - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            (self._form if job[0] == "form" else self._field)(job[1])

    def _mails(self):
        inbox = os.path.join(self.c.var, "mail", "inbox")
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(inbox, sub), exist_ok=True)
        for i in range(self.n_mail):
            msg = ("From: bewoner%d@example.org\r\nTo: idee@heerlen.nl\r\n"
                   "Subject: Idee %d\r\nMessage-ID: <soak-%d@example.org>\r\n"
                   "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                   "Mijn idee nummer %d: meer groen op het plein.\r\n" % (i, i, i, i))
            tmp = os.path.join(inbox, "tmp", "soak-%d" % i)
            with open(tmp, "w") as f:
                f.write(msg)
            os.rename(tmp, os.path.join(inbox, "new", "soak-%d" % i))
            if self.done.is_set():
                continue
            time.sleep(0.01)

    def _killer(self):
        # Every target once first (shuffled), then at random.
        first = random.sample(TARGETS, len(TARGETS))
        while not self.done.is_set():
            time.sleep(random.uniform(*self.every))
            if self.done.is_set():
                return
            target = first.pop() if first else random.choice(TARGETS)
            if self.c.kill9(target):
                self.kills[target] += 1
            else:
                self.missed += 1  # between a death and its restart

    # --- run and check ---
    def run(self, kills):
        r = self.c.ctl("device", "add", "soak-tablet")
        if r.returncode != 0:
            raise SystemExit("inspraakctl device add: %s" % r.stderr)
        self.device = r.stdout.strip().split()[-1]
        t0 = self.t0 = time.monotonic()
        workers = [threading.Thread(target=self._client, daemon=True)
                   for _ in range(self.threads)]
        workers.append(threading.Thread(target=self._mails, daemon=True))
        killer = threading.Thread(target=self._killer, daemon=True)
        for w in workers:
            w.start()
        if kills:
            killer.start()
        for w in workers:
            w.join()
        self.done.set()
        if kills:
            killer.join()
        t_load = time.monotonic() - t0
        self.c.wait_ready(timeout=300)
        want = len(self.ids) + self.n_mail
        inbox_new = os.path.join(self.c.var, "mail", "inbox", "new")
        wait_until("every mail taken in", lambda: not os.listdir(inbox_new), timeout=1800,
                   interval=1)
        wait_until("storage to hold %d ideas" % want,
                   lambda: self.c.redis("ZCARD", "inspraak:ideas") >= want, timeout=3600,
                   interval=1)
        time.sleep(3)  # anything doubled would arrive now
        stored = set(self.c.redis("ZRANGE", "inspraak:ideas", 0, -1))
        accepted = set(self.ids.values())
        n_mail_stored = self.c.redis("ZCARD", "inspraak:ix:channel:email")
        lost = len(accepted - stored) + max(0, self.n_mail - n_mail_stored)
        doubled = len(stored) - len(accepted) - n_mail_stored + \
            (len(self.ids) - len(accepted))
        failed = os.listdir(os.path.join(self.c.var, "mail", "failed")) \
            if os.path.isdir(os.path.join(self.c.var, "mail", "failed")) else []
        print("soak: submissions=%d (form %d, field %d, mail %d) accepted=%d stored=%d "
              "lost=%d doubled=%d errors=%d mail_failed=%d retries=%d kills=%s (total %d) "
              "load=%.0fs until_stored=%.0fs" % (
                  self.n_form + self.n_field + self.n_mail, self.n_form, self.n_field,
                  self.n_mail, len(self.ids) + self.n_mail, len(stored), lost, doubled,
                  len(self.errors), len(failed), self.retries, self.kills,
                  sum(self.kills.values()), t_load, time.monotonic() - t0), flush=True)
        self.result = {"lost": lost, "doubled": doubled, "errors": list(self.errors),
                       "mail_failed": failed, "kills": dict(self.kills),
                       "accepted": len(self.ids) + self.n_mail, "stored": len(stored)}
        for e in self.errors[:10]:
            print("soak: error %r" % (e,), file=sys.stderr)
        return lost == 0 and doubled == 0 and not self.errors and not failed


def main():
    n = int(os.environ.get("SOAK_N", "100000"))
    threads = int(os.environ.get("SOAK_THREADS", "12"))
    c = Cluster(("storage", "classifier", "intake-form", "intake-field", "intake-mail"),
                env={"INSPRAAK_MAIL_POLL_MS": "200"})
    c.start(timeout=120)
    ok = False
    try:
        ok = Soak(c, n, threads).run(os.environ.get("SOAK_KILLS", "1") == "1")
    finally:
        if not ok:
            c.dump_logs(lines=30)
        c.stop()
        c.cleanup()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
