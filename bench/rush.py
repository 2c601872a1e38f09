"""Opening day over HTTP: thousands of parents apply in the same minute.

    .venv/bin/python bench/rush.py [--applicants 5000] [--workers 3 --threads 8] ...

On the PostgreSQL database ``opora_rush`` (created when missing; 127.0.0.1 only):

1. migrates and loads the region-scale registry with ``bench/generate.py`` (a filled
   database is left alone);
2. opens enrolment in 100 groups of 20 seats and makes 5,000 parents, each with one
   child of a fitting age and a personal API token (bulk inserts; the rush data of a
   previous run is wiped first);
3. starts the application under gunicorn on 127.0.0.1 and fires the applicants from a
   separate load process (this file with ``--load``: asyncio, raw HTTP/1.1 over
   keep-alive connections, no Django), each applicant POSTing
   ``/api/v1/applications`` with its token; 20 % submit twice, half of them at once
   from "two devices", half again after the answer; a 503 is retried after its
   ``Retry-After``;
4. stops gunicorn and checks the database: oversold seats, lost and duplicated
   applications, answers that disagree with the rows;
5. runs pgbench with a one-row conditional UPDATE on the same machine, the bare SQL
   figure the rush stands next to.

With ``--intake`` the applicants send ``Prefer: respond-async``: each submission is
accepted into the outbox (202) and the settler (``opora settle``, started beside gunicorn
as production runs it) files it; the rush ends when the last one is settled, the CPU of
the settler counts with gunicorn's, and the report adds each submission's wait from
being accepted to being settled (and from being sent to its result).

Every loop is bounded (a deadline for the load, a timeout for every wait).
"""

import argparse
import asyncio
import collections
import datetime as dt
import json
import os
import random
import re
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/opora_rush"
LOOPBACK = {"127.0.0.1", "localhost"}
EMAIL_DOMAIN = "rush.bench"
MAX_ATTEMPTS = 8  # per request: 503s and broken connections are retried, not forever

# --- the load process (standard library only) ----------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection to the server."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def request(self, payload: bytes, timeout: float):
        if self.writer is None:
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.port), timeout)
        self.writer.write(payload)
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await asyncio.wait_for(
            self.reader.readexactly(int(headers.get("content-length", "0"))), timeout)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _post(port, secret, body: bytes, intake=False) -> bytes:
    prefer = "Prefer: respond-async\r\n" if intake else ""
    return (f"POST /api/v1/applications HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {secret}\r\nContent-Type: application/json\r\n{prefer}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def _get_children(port, secret) -> bytes:
    return (f"GET /api/v1/children?page_size=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {secret}\r\n\r\n").encode()


async def _fire(plan, concurrency, deadline, control=False):
    port = plan["port"]
    jobs = collections.deque()
    for applicant, secret, child, group, mode in plan["jobs"]:
        if control:  # the cheapest authenticated read, once per applicant
            jobs.append((applicant, _get_children(port, secret), 1))
            continue
        payload = _post(port, secret, json.dumps({"child": child, "group": group}).encode(),
                        plan.get("intake", False))
        jobs.append((applicant, payload, 2 if mode == "again" else 1))
        if mode == "two_devices":  # the same press on a second device, at the same moment
            jobs.append((applicant, payload, 1))
    requests = []     # (applicant, status, seconds, attempt)
    outcomes = {}     # applicant -> list of (status, application id, application status)
    errors = collections.Counter()
    started = time.monotonic()
    stop_at = started + deadline

    async def one(connection, applicant, payload):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if time.monotonic() > stop_at:
                errors["deadline"] += 1
                return
            sent = time.perf_counter()
            try:
                status, headers, body = await connection.request(payload, timeout=30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
                connection.close()
                errors[type(error).__name__] += 1
                await asyncio.sleep(0.05 * attempt)
                continue
            requests.append((applicant, status, time.perf_counter() - sent, attempt))
            if status == 503:
                await asyncio.sleep(float(headers.get("retry-after", "1")))
                continue
            try:
                answer = json.loads(body) if body else {}
            except ValueError:  # an HTML error page
                answer = {}
            # an application's id and status, or an accepted submission's key and state
            outcomes.setdefault(applicant, []).append(
                (status, answer.get("id", answer.get("key")), answer.get("status", answer.get("state")),
                 answer.get("code"), time.perf_counter() - sent))
            return
        errors["gave_up"] += 1

    async def worker():
        connection = Connection(port)
        try:
            while jobs and time.monotonic() < stop_at:
                applicant, payload, times = jobs.popleft()
                for _ in range(times):
                    await one(connection, applicant, payload)
        finally:
            connection.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {"seconds": time.monotonic() - started, "requests": requests,
            "outcomes": outcomes, "errors": dict(errors), "left": len(jobs)}


def load_main(args):
    plan = json.loads(Path(args.load).read_text())
    result = asyncio.run(_fire(plan, args.concurrency, args.deadline, args.read_only))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    Path(args.out).write_text(json.dumps(result))
    return 0


# --- the orchestrator ----------------------------------------------------------------


def _database(url):
    parts = urllib.parse.urlparse(url)
    if parts.scheme not in ("postgres", "postgresql") or parts.hostname not in LOOPBACK:
        sys.exit("rush.py runs on a PostgreSQL server on 127.0.0.1 only")
    name = parts.path.lstrip("/")
    import psycopg

    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    return parts, name


def _setup_django(url, args):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opora.settings")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    from bench import generate  # sets Django up

    generate.main([f"--programs={args.programs}", f"--groups={args.region_groups}",
                   f"--organizations={args.organizations}", f"--seed={args.seed}"])


def _birth_date(rng, start: dt.date, age: int) -> dt.date:
    """A birth date giving ``age`` full years on ``start``."""
    anchor = dt.date(start.year - age, start.month, 1)
    return anchor - dt.timedelta(days=rng.randint(15, 300))


def prepare(args, rng):
    """Wipe the previous rush, open enrolment in the rush groups, make the families."""
    from django.db import connection, transaction
    from django.utils import timezone

    from opora.accounts.models import Role, User
    from opora.api.models import ApiToken, hash_secret, new_secret
    from opora.enrollment.models import Child, Guardianship, Sex
    from opora.enrollment.rules import age_on, identity_key

    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE enrollment_submission, enrollment_application, "
                       "enrollment_guardianship, enrollment_child, "
                       "api_apitoken, audit_auditevent, financing_invoiceline RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM accounts_user WHERE email LIKE %s", [f"%@{EMAIL_DOMAIN}"])
        cursor.execute("TRUNCATE django_tasks_database_dbtaskresult")
        cursor.execute("UPDATE registry_group SET seats_taken = 0, queue_last = 0 "
                       "WHERE seats_taken > 0 OR queue_last > 0")  # no application is left
        cursor.execute(
            "SELECT g.id, g.start_date, g.age_min, g.age_max, o.municipality_id, p.id "
            "FROM registry_group g JOIN registry_module m ON m.id = g.module_id "
            "JOIN registry_program p ON p.id = m.program_id "
            "JOIN registry_organization o ON o.id = p.organization_id "
            "WHERE p.status = 'published' AND o.is_active AND g.end_date > %s "
            "AND g.start_date > %s AND g.age_max <= 17 "
            "AND EXISTS (SELECT 1 FROM registry_scheduleline s WHERE s.group_id = g.id) "
            "ORDER BY g.id", [today + dt.timedelta(days=30), today])
        candidates = cursor.fetchall()
        if len(candidates) < args.groups:
            sys.exit(f"only {len(candidates)} groups fit; regenerate the region")
        groups = rng.sample(candidates, args.groups)
        cursor.execute(
            "UPDATE registry_group SET capacity_max = %s, capacity_min = LEAST(capacity_min, %s), "
            "is_active = true, enrolment_open = true, enrolment_from = %s, enrolment_to = %s, "
            "updated_at = %s WHERE id = ANY(%s)",
            [args.seats, args.seats, now - dt.timedelta(minutes=1), now + dt.timedelta(days=30),
             now, [g[0] for g in groups]])
        # The catalog index is left as it is: the rush never reads it (a refresh of the
        # hundred programs would take seconds and is the navigator's own benchmark).

        choices = [rng.choice(groups) for _ in range(args.applicants)]
        parents = User.objects.bulk_create([
            User(email=f"parent{i}@{EMAIL_DOMAIN}", password="!", role=Role.PARENT,
                 municipality_id=group[4], last_name="Родитель", first_name=f"Номер {i}")
            for i, group in enumerate(choices)], batch_size=1000)
        children = []
        for i, (_group, start, age_min, age_max, municipality, _p) in enumerate(choices):
            age = rng.randint(age_min, age_max)
            born = _birth_date(rng, start, age)
            assert age_on(born, start) == age and born < today
            last, first = f"Фамилия{i}", rng.choice(["Анна", "Иван", "Мария", "Артём", "София"])
            children.append(Child(last_name=last, first_name=first, birth_date=born,
                                  sex=Sex.FEMALE if first in ("Анна", "Мария", "София") else Sex.MALE,
                                  municipality_id=municipality,
                                  identity_key=identity_key(last, first, "", born)))
        children = Child.objects.bulk_create(children, batch_size=1000)
        # each parent registered the child, so the link is confirmed from the start
        confirmed = {"confirmed_at": now}
        Guardianship.objects.bulk_create([
            Guardianship(parent=p, child=c, consent_at=now, consent_by=p, consent_channel="api",
                         **confirmed)
            for p, c in zip(parents, children, strict=True)], batch_size=1000)
        secrets, tokens = [], []
        for parent in parents:
            prefix, secret = new_secret()
            secrets.append(secret)
            tokens.append(ApiToken(user=parent, name="Портал", prefix=prefix,
                                   key_hash=hash_secret(secret), expires_at=now + dt.timedelta(days=1)))
        # a parent with no child opens the server's connections before the rush
        idle = User.objects.create(email=f"warm-up@{EMAIL_DOMAIN}", password="!", role=Role.PARENT)
        prefix, warm_secret = new_secret()
        tokens.append(ApiToken(user=idle, name="Разогрев", prefix=prefix,
                               key_hash=hash_secret(warm_secret), expires_at=now + dt.timedelta(days=1)))
        ApiToken.objects.bulk_create(tokens, batch_size=1000)
    # Not the applications' table, which the rush has just emptied: recorded as empty, it
    # would have PostgreSQL check each submission's application (the foreign key) by
    # reading the whole table, the plan made for an empty one; a region's table holds
    # its earlier years, and an emptied one the planner takes for unknown.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE accounts_user, enrollment_child, enrollment_guardianship, "
                       "api_apitoken, registry_group")
    twice = rng.sample(range(args.applicants), int(args.applicants * args.twice))
    modes = {i: ("two_devices" if k % 2 else "again") for k, i in enumerate(twice)}
    jobs = [(i, secrets[i], children[i].pk, choices[i][0], modes.get(i, "once"))
            for i in range(args.applicants)]
    rng.shuffle(jobs)
    print(f"rush data: {args.groups} groups × {args.seats} seats, {args.applicants} parents with a "
          f"child and a token, {len(twice)} submitting twice ({time.perf_counter() - started:.1f} s)")
    return jobs, [g[0] for g in groups], warm_secret


# --- gunicorn --------------------------------------------------------------------------


def _get(port, path, secret=None, timeout=2.0):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {secret}"} if secret else {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


TASK_BACKENDS = {"immediate": "django_tasks.backends.immediate.ImmediateBackend",
                 "database": "django_tasks_db.DatabaseBackend"}


def server_environment(args, url):
    """The environment of the server: production settings but for plain HTTP, a dummy
    mail backend and no login throttling; the database connections are the production
    default, not the benchmark's own."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "opora.settings",
           "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", "OPORA_DEBUG": "false",
           "OPORA_SECRET_KEY": os.environ.get("OPORA_SECRET_KEY") or secrets.token_urlsafe(50),
           "OPORA_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
           "OPORA_LOGIN_THROTTLING": "false", "OPORA_ALLOWED_HOSTS": "127.0.0.1",
           "OPORA_SSL_REDIRECT": "false",  # plain HTTP straight to gunicorn
           "OPORA_TASKS_BACKEND": TASK_BACKENDS[args.tasks],
           "OPORA_LOG_LEVEL": "ERROR"}
    for name in ("OPORA_DB_CONN_MAX_AGE", "OPORA_DB_CONN_HEALTH_CHECKS"):
        env.pop(name, None)
    return env


SETTLER_MARKER = "opora settle"


def start_settler(args, url, log):
    """The outbox's settler (``opora settle``) beside gunicorn, as production runs it,
    returned once it is at work: its first look at the outbox is seen in the database.
    (Starting Django costs seconds of CPU, which would otherwise count with the rush.)"""
    from django.db import connection

    settler = subprocess.Popen([str(Path(sys.executable).parent / "opora"), "settle"],
                               env=server_environment(args, url), cwd=ROOT, stdout=log,
                               stderr=log, start_new_session=True)
    waited_until = time.monotonic() + 180
    while time.monotonic() < waited_until:
        if settler.poll() is not None:
            log.flush()
            sys.exit(f"the settler exited with {settler.returncode}:\n"
                     + Path(log.name).read_text()[-3000:])
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                           "AND datname = current_database() AND query LIKE %s",
                           ["%enrollment_submission%settled_at IS NULL LIMIT 1%"])
            if cursor.fetchone()[0]:
                return settler
        time.sleep(0.2)
    stop_server(settler)
    sys.exit("the settler did not start within 180 s")


def start_server(args, url, log, app="opora.wsgi"):
    """gunicorn serving ``app`` (the project, or the bare floor ``bench.floor:application``)
    with the rush's settings."""
    env = server_environment(args, url)
    command = [str(Path(sys.executable).parent / "gunicorn"), app, "--preload",
               "--workers", str(args.workers), "--threads", str(args.threads),
               "--worker-class", "gthread" if args.threads > 1 else "sync",
               "--bind", f"127.0.0.1:{args.port}", "--keep-alive", "30", "--backlog", "2048",
               "--log-level", "warning", "--graceful-timeout", "10"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log,
                              start_new_session=True)
    waited_until = time.monotonic() + 180  # a loaded machine starts workers slowly
    while time.monotonic() < waited_until:
        if server.poll() is not None:
            log.flush()
            sys.exit(f"gunicorn exited with {server.returncode}:\n"
                     + Path(log.name).read_text()[-3000:])
        try:
            if _get(args.port, "/api/v1/dictionaries") == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    sys.exit("gunicorn did not answer within 180 s")


def stop_server(server):
    """Stop the gunicorn we started: its master and the workers in its session."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)


def warm_up(args, secret):
    """Open every worker thread's database connection and fill Django's caches, with a
    read that changes nothing the rush looks at."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(args.workers * args.threads * 2) as pool:
        statuses = list(pool.map(lambda _: _get(args.port, "/api/v1/children", secret, 10),
                                 range(args.workers * args.threads * 20)))
    assert set(statuses) == {200}, collections.Counter(statuses)


class CpuMeter:
    """CPU seconds of the processes whose command line holds ``marker`` (the PostgreSQL
    backends of one database, the gunicorn master and workers of one port), from /proc,
    polled twice a second so that a process ending during the run (connections are
    recycled after ``OPORA_DB_CONN_MAX_AGE``) still counts up to its last poll."""

    def __init__(self, marker: str):
        self.marker = marker.encode()
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.start, self.last = self._sample(), {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _sample(self):
        seen = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if self.marker not in Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" "):
                    continue
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seen[entry.name] = (int(fields[11]) + int(fields[12])) / self.ticks
        return seen

    def _poll(self):
        while not self.done.wait(0.5):
            self.last.update(self._sample())

    def stop(self) -> float:
        self.done.set()
        self.thread.join(5)
        self.last.update(self._sample())
        return sum(seconds - self.start.get(pid, 0.0) for pid, seconds in self.last.items())


def wait_settled(deadline: float) -> int:
    """Wait until the outbox is empty (the settler has settled every submission), at
    most ``deadline`` seconds; the number still waiting then."""
    from django.db import connection

    stop_at = time.monotonic() + deadline
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM enrollment_submission WHERE settled_at IS NULL")
            waiting = cursor.fetchone()[0]
        if not waiting or time.monotonic() > stop_at:
            return waiting
        time.sleep(0.02)


def run_load(args, plan, out, name, control=False, settler=False):
    """One load process against the running server; its result with the CPU seconds
    the server, the database (and the settler, which the load waits for) spent
    meanwhile."""
    meters = [CpuMeter(f"127.0.0.1:{args.port}"), CpuMeter(f" {name} "),
              *([CpuMeter(SETTLER_MARKER)] if settler else [])]
    load = subprocess.run(
        [sys.executable, __file__, "--load", str(plan), "--out", str(out), "--concurrency",
         str(args.concurrency), "--deadline", str(args.deadline), *(["--read-only"] * control)],
        timeout=args.deadline + 60)
    waiting = wait_settled(args.deadline) if settler else 0
    server_cpu, db_cpu, *settler_cpu = (meter.stop() for meter in meters)
    if load.returncode != 0:
        sys.exit(f"the load process failed with {load.returncode}")
    return {**json.loads(out.read_text()), "server_cpu": server_cpu, "db_cpu": db_cpu,
            "settler_cpu": sum(settler_cpu), "waiting": waiting}


def run_floor(args, url, plan, tmp, name, group_ids):
    """The same load against the bare floor (``bench/floor.py``) under the same gunicorn
    settings, on the same database; its result with the rows it filed."""
    from django.db import connection

    from bench import floor

    with connection.cursor() as cursor:
        floor.prepare(cursor, {pk: args.seats for pk in group_ids})
    with open(tmp / "floor.log", "w") as log:
        server = start_server(args, url, log, app="bench.floor:application")
        try:
            warm_up(args, "floor")
            result = run_load(args, plan, tmp / "floor.json", name)
        finally:
            stop_server(server)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE status = 'new') "
                       "FROM bench_floor_application")
        result["applications"], result["held"] = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM bench_floor_group WHERE seats_taken > capacity_max")
        result["oversold_groups"] = cursor.fetchone()[0]
        for statement in ("DROP TABLE bench_floor_application", "DROP TABLE bench_floor_group"):
            cursor.execute(statement)
    result["log"] = (tmp / "floor.log").read_text()
    return result


def profile(args, jobs, count):
    """cProfile of ``count`` first submissions, in this process through Django's whole
    request handler (middleware, ninja, the service), after a few unprofiled ones; prints
    the functions of the path by cumulative milliseconds per submission."""
    import cProfile
    import pstats

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    ordered = [job for job in jobs if job[4] == "once"]

    headers = {"prefer": "respond-async"} if args.intake else {}

    def submit(job):
        _applicant, secret, child, group, _mode = job
        response = client.post("/api/v1/applications", {"child": child, "group": group},
                               content_type="application/json",
                               headers={"authorization": f"Bearer {secret}", **headers})
        assert response.status_code == (202 if args.intake else 201), response.content

    for job in ordered[:20]:  # imports, caches, the connection
        submit(job)
    profiler = cProfile.Profile(time.process_time)  # CPU: a loaded machine waits, it does not work
    started = time.perf_counter()
    profiler.enable()
    for job in ordered[20:20 + count]:
        submit(job)
    profiler.disable()
    wall = (time.perf_counter() - started) * 1000 / count
    stats = pstats.Stats(profiler)
    print(f"\nprofile of {count} submissions (in-process, Django's test client): "
          f"{wall:.2f} ms wall per submission; cumulative CPU ms of this process per submission:")
    rows = []
    for (filename, line, function), (_cc, calls, _tt, cumulative, _callers) in stats.stats.items():
        if "/opora/" in filename or function in ("execute", "_execute", "commit", "get_response"):
            rows.append((cumulative * 1000 / count, calls / count, f"{Path(filename).name}:{line} "
                         f"{function}"))
    for ms, calls, where in sorted(rows, reverse=True)[:args.profile_rows]:
        print(f"{ms:8.3f} ms {calls:6.1f} calls  {where}")
    if args.intake:  # and the settler's batches of what was accepted
        from opora.enrollment import intake

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        settled = 0
        while done := intake.settle():
            settled += done
        profiler.disable()
        stats = pstats.Stats(profiler)
        total = sum(t for (_f, _l, _fn), (_cc, _n, t, _c, _cl) in stats.stats.items())
        print(f"\nthe settler: {settled} submissions, {total * 1000 / settled:.3f} CPU ms each; "
              f"cumulative CPU ms per submission:")
        rows = [(cumulative * 1000 / settled, calls / settled, f"{Path(filename).name}:{line} "
                 f"{function}") for (filename, line, function), (_cc, calls, _tt, cumulative, _c)
                in stats.stats.items()]
        for ms, calls, where in sorted(rows, reverse=True)[:args.profile_rows]:
            print(f"{ms:8.3f} ms {calls:6.1f} calls  {where}")


# --- checking the rows -------------------------------------------------------------------


def check(result, jobs, group_ids):
    from django.db import connection

    child_of = {applicant: child for applicant, _s, child, _g, _m in jobs}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT g.id, g.capacity_max, count(a.id) FILTER (WHERE a.status IN "
            "('new', 'awaiting_contract', 'enrolled')), count(a.id) FILTER (WHERE a.status = "
            "'waitlisted'), count(DISTINCT a.queue_number) FILTER (WHERE a.status = 'waitlisted'), "
            "g.seats_taken FROM registry_group g LEFT JOIN enrollment_application a ON a.group_id = g.id "
            "WHERE g.id = ANY(%s) GROUP BY g.id", [group_ids])
        per_group = cursor.fetchall()
        cursor.execute("SELECT child_id, id, status FROM enrollment_application")
        rows = cursor.fetchall()
    by_child = collections.defaultdict(list)
    for child, pk, status in rows:
        by_child[child].append((pk, status))
    counters_wrong = sum(1 for _g, _c, held, _w, _q, counter in per_group if counter != held)
    per_group = [row[:5] for row in per_group]
    oversold = sum(max(0, held - capacity) for _g, capacity, held, _w, _q in per_group)
    # a free seat left while someone waits in line is a lost seat
    idle = sum(1 for _g, capacity, held, waiting, _q in per_group if waiting and held < capacity)
    queue_gaps = sum(1 for _g, _c, _h, waiting, distinct in per_group if waiting != distinct)
    duplicates = sum(len(apps) - 1 for apps in by_child.values() if len(apps) > 1)
    outcomes = {int(k): v for k, v in result["outcomes"].items()}
    answered_2xx = {a for a, answers in outcomes.items()
                    if any(s in (200, 201, 202) for s, *_ in answers)}
    lost_answered = sum(1 for a in answered_2xx if len(by_child.get(child_of[a], [])) != 1)
    without_application = sum(1 for a in child_of if not by_child.get(child_of[a]))
    mismatched = 0
    for applicant, answers in outcomes.items():
        row = by_child.get(child_of[applicant], [(None, None)])[0]
        mismatched += sum(1 for s, pk, status, *_rest in answers
                          if s in (200, 201) and (pk, status) != row)
    return {"oversold": oversold, "idle_seats_with_queue": idle, "queue_gaps": queue_gaps,
            "counters_wrong": counters_wrong,
            "duplicates": duplicates, "lost_answered": lost_answered,
            "without_application": without_application, "answer_mismatch": mismatched,
            "held": sum(h for _g, _c, h, _w, _q in per_group),
            "waitlisted": sum(w for _g, _c, _h, w, _q in per_group),
            "applications": len(rows), "answered": len(answered_2xx)}


# --- pgbench ------------------------------------------------------------------------------


def pgbench(parts, name, seconds):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_seat")
        cursor.execute("CREATE TABLE bench_seat (id integer PRIMARY KEY, taken integer NOT NULL, "
                       "capacity integer NOT NULL)")
        # a capacity never reached, so every statement updates its row
        cursor.execute("INSERT INTO bench_seat SELECT g, 0, 2147483647 FROM generate_series(1, 100) g")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("\\set id random(1, 100)\n"
                     "UPDATE bench_seat SET taken = taken + 1 WHERE id = :id AND taken < capacity;\n")
    try:
        output = subprocess.run(
            ["pgbench", "-h", parts.hostname, "-p", str(parts.port or 5432), "-U",
             parts.username or "postgres", "-n", "-f", script.name, "-c", "8", "-j", "2",
             "-T", str(seconds), name], capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(script.name)
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", output.stdout)
    if not found:
        return None, output.stdout + output.stderr
    return float(found.group(1)), float(latency.group(1)) if latency else None


# --- report --------------------------------------------------------------------------------


def _percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _latencies(result):
    values = [r[2] * 1000 for r in result["requests"]]
    return (f"{_percentile(values, .5):7.1f} {_percentile(values, .95):7.1f} "
            f"{_percentile(values, .99):7.1f} {max(values, default=float('nan')):7.1f}")


def _cpu(result):
    """CPU milliseconds per request: gunicorn (and the settler), PostgreSQL, the load
    process."""
    n = max(len(result["requests"]), 1)
    return ((result["server_cpu"] + result.get("settler_cpu", 0)) * 1000 / n,
            result["db_cpu"] * 1000 / n, result["cpu_seconds"] * 1000 / n)


def check_intake(result, checks):
    """The outbox's own checks and figures: every accepted submission settled, none
    refused, each naming the application its child has; the span from the first
    acceptance to the last settling, and each submission's wait from being accepted to
    being settled, alone and added to its request's own latency (what a parent waits
    for the result, counted from sending)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.key::text, s.application_id, a.id, s.refusal_code, "
            "extract(epoch FROM s.settled_at - s.accepted_at) FROM enrollment_submission s "
            "LEFT JOIN enrollment_application a ON a.child_id = COALESCE(s.child_id_sent, "
            "(SELECT c.id FROM enrollment_child c WHERE c.uuid = s.child_uuid_sent))")
        rows = cursor.fetchall()
        cursor.execute("SELECT extract(epoch FROM max(settled_at) - min(accepted_at)) "
                       "FROM enrollment_submission")
        span = float(cursor.fetchone()[0] or 0)
    waits = {key: float(wait) for key, _s, _a, _c, wait in rows if wait is not None}
    sent_to_result = [latency + waits[key] for answers in result["outcomes"].values()
                      for status, key, _state, _code, latency in answers
                      if status == 202 and key in waits]
    checks.update({
        "submissions": len(rows), "waiting": sum(1 for r in rows if r[4] is None),
        "refused": sum(1 for r in rows if r[3]),
        "submission_mismatch": sum(1 for _k, application, row, code, _w in rows
                                   if not code and application != row),
        "span": span, "settle_waits": [w * 1000 for w in waits.values()],
        "sent_to_result": [w * 1000 for w in sent_to_result]})


def _spread(values):
    return (f"{_percentile(values, .5):7.1f} {_percentile(values, .95):7.1f} "
            f"{_percentile(values, .99):7.1f} {max(values, default=float('nan')):7.1f}")


def report(args, result, checks, control, bench, floor):
    requests, seconds = result["requests"], result["seconds"]
    if args.intake:  # the rush ends when the settler has settled the last submission
        seconds = max(seconds, checks["span"])
    statuses = collections.Counter(r[1] for r in requests)
    final = collections.Counter(s for answers in result["outcomes"].values() for s, *_ in answers)
    codes = collections.Counter(c for answers in result["outcomes"].values()
                                for s, _pk, _st, c, *_rest in answers if s >= 400)
    print()
    print(f"gunicorn {args.workers} workers × {args.threads} threads, status mail: {args.tasks}; "
          f"load: {args.concurrency} keep-alive connections; 2 cores shared by all")
    print(f"applicants                 {args.applicants:>7,}  (+{int(args.applicants * args.twice):,} "
          f"second submissions, half of them at once from two devices)")
    print(f"HTTP requests              {len(requests):>7,}  in {seconds:.2f} s = "
          f"{len(requests) / seconds:,.0f} requests/s")
    print(f"applications filed         {checks['applications']:>7,}  = "
          f"{checks['applications'] / seconds:,.0f} applications/s")
    print(f"latency ms p50/p95/p99/max {_latencies(result)}")
    if args.intake:
        print(f"outbox                     {checks['submissions']:,} submissions accepted "
              f"(202), {checks['waiting']} still waiting (must be 0), {checks['refused']} "
              f"refused, {checks['submission_mismatch']} naming another application than the "
              f"child's (must be 0); last settled {checks['span']:.2f} s after the first "
              f"was accepted")
        print(f"accepted → settled ms      {_spread(checks['settle_waits'])}  (p50/p95/p99/max)")
        print(f"sent → result ms           {_spread(checks['sent_to_result'])}  (the request's "
              f"own latency added)")
    print(f"HTTP statuses              {dict(sorted(statuses.items()))}; errors by code "
          f"{dict(codes) or '{}'}")
    print(f"final answers              {dict(sorted(final.items()))}; transport errors "
          f"{result['errors'] or '{}'}; jobs left at the deadline {result['left']}")
    print(f"seats held / waitlisted    {checks['held']:,} / {checks['waitlisted']:,}")
    print(f"oversold seats             {checks['oversold']:>7}   (must be 0)")
    print(f"lost applications          {checks['lost_answered'] + checks['without_application']:>7}"
          f"   (must be 0: 2xx without exactly one row {checks['lost_answered']}, applicant "
          f"without a row {checks['without_application']})")
    print(f"duplicates                 {checks['duplicates']:>7}   (must be 0)")
    print(f"answers unlike the rows    {checks['answer_mismatch']:>7}   (free seats with a queue "
          f"{checks['idle_seats_with_queue']}, queue-number gaps {checks['queue_gaps']}, seat "
          f"counters unlike the rows {checks['counters_wrong']})")
    server, database, load = _cpu(result)
    settler = (f" (of which the settler {result['settler_cpu'] * 1000 / max(len(requests), 1):.2f})"
               if args.intake else "")
    print(f"CPU ms per request         gunicorn{settler} {server:.2f}, PostgreSQL {database:.2f}, "
          f"load {load:.2f}: 2 idle cores would carry ≈ {2000 / (server + database + load):,.0f} "
          f"requests/s")
    if control is not None:
        c_server, c_database, c_load = _cpu(control)
        c_requests = len(control["requests"])
        print(f"control: GET /api/v1/children with the token, {c_requests:,} requests in "
              f"{control['seconds']:.2f} s = {c_requests / control['seconds']:,.0f} requests/s, "
              f"p50/p95/p99/max {_latencies(control)} ms, CPU ms per request gunicorn "
              f"{c_server:.2f}, PostgreSQL {c_database:.2f}, load {c_load:.2f}")
    if floor is not None:
        f_requests, f_seconds = len(floor["requests"]), floor["seconds"]
        f_server, f_database, f_load = _cpu(floor)
        project_rate = checks["applications"] / seconds
        floor_rate = floor["applications"] / f_seconds
        print(f"bare floor (bench/floor.py, same gunicorn, same load): {f_requests:,} requests in "
              f"{f_seconds:.2f} s = {f_requests / f_seconds:,.0f} requests/s, "
              f"{floor['applications']:,} applications = {floor_rate:,.0f} applications/s, "
              f"p50/p95/p99/max {_latencies(floor)} ms, CPU ms per request gunicorn "
              f"{f_server:.2f}, PostgreSQL {f_database:.2f}; oversold groups "
              f"{floor['oversold_groups']}, errors {floor['errors'] or '{}'}")
        print(f"RATIO project / bare floor: applications/s {project_rate:,.0f} / {floor_rate:,.0f} = "
              f"{project_rate / floor_rate:.3f}; requests/s "
              f"{(len(requests) / seconds) / (f_requests / f_seconds):.3f}")
    print(f"load average               {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"(at the end of the run)")
    tps, latency = bench
    if tps is None:
        print(f"pgbench failed: {latency}")
    else:
        print(f"pgbench: one-row conditional UPDATE, 8 clients, 2 threads: {tps:,.0f} tps "
              f"(latency {latency} ms)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--twice", type=float, default=0.2, help="share submitting twice")
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=64, help="connections of the load")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--deadline", type=float, default=300, help="seconds the load may take")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--tasks", choices=sorted(TASK_BACKENDS), default="database",
                        help="status mail queued in the database for the db_worker, as in "
                             "production (database), or sent inside the request (immediate)")
    parser.add_argument("--programs", type=int, default=50_000)
    parser.add_argument("--region-groups", type=int, default=100_000)
    parser.add_argument("--organizations", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--intake", action="store_true",
                        help="submit with Prefer: respond-async into the outbox, with the "
                             "settler (opora settle) running beside gunicorn")
    parser.add_argument("--no-control", dest="control", action="store_false",
                        help="skip the control run (every applicant reads its children once)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="no server: cProfile N submissions in this process and stop")
    parser.add_argument("--profile-rows", type=int, default=45)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--read-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load:
        return load_main(args)

    url = os.environ.get("RUSH_DATABASE_URL", DEFAULT_DATABASE)
    parts, name = _database(url)
    if args.profile:
        os.environ.update(server_environment(args, url))
    _setup_django(url, args)
    rng = random.Random(args.seed)
    jobs, group_ids, warm_secret = prepare(args, rng)
    if args.profile:
        profile(args, jobs, args.profile)
        return 0
    with tempfile.TemporaryDirectory(prefix="rush-") as tmp:
        plan = Path(tmp, "plan.json")
        plan.write_text(json.dumps({"port": args.port, "jobs": jobs, "intake": args.intake}))
        log = open(Path(tmp, "gunicorn.log"), "w")  # noqa: SIM115 — closed below
        server = start_server(args, url, log)
        settler = start_settler(args, url, log) if args.intake else None
        try:
            warm_up(args, warm_secret)
            result = run_load(args, plan, Path(tmp, "rush.json"), name, settler=args.intake)
            control = (run_load(args, plan, Path(tmp, "control.json"), name, control=True)
                       if args.control else None)
        finally:
            stop_server(server)
            if settler is not None:
                stop_server(settler)
            log.close()
        server_log = Path(tmp, "gunicorn.log").read_text()
        floor = run_floor(args, url, plan, Path(tmp), name, group_ids)
    checks = check(result, jobs, group_ids)
    if args.intake:
        check_intake(result, checks)
    bench = pgbench(parts, name, args.pgbench_seconds)
    report(args, result, checks, control, bench, floor)
    if server_log.strip():
        print("gunicorn said:\n" + "\n".join(server_log.strip().splitlines()[-10:]))
    failed = checks["oversold"] or checks["duplicates"] or checks["lost_answered"] \
        or checks["without_application"] or checks["counters_wrong"] \
        or checks.get("waiting") or checks.get("submission_mismatch")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
