"""Throughput of the catalog under load, next to its bare SQL (``catalog_search.py
--throughput`` drives it).

- ``bare_app``: the floor, a WSGI application with nothing but a psycopg connection per
  worker: for each path it replays the statements a warm request of the project sends
  for that path (captured by ``catalog_search.py``, read from the JSON file named by
  ``CATALOG_BARE_STATEMENTS``) and answers 200 with the number of rows read.
- ``load``: a bounded load from threads with keep-alive HTTP/1.1 connections (standard
  library; wrk when it is installed is not needed): ``concurrency`` connections ask for
  ``path`` for ``seconds`` and count the answers.
"""

import http.client
import json
import os
import threading
import time

_statements = None
_connection = None


def bare_app(environ, start_response):
    global _statements, _connection
    if _statements is None:
        with open(os.environ["CATALOG_BARE_STATEMENTS"]) as source:
            _statements = json.load(source)
    if _connection is None:
        import psycopg

        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    from urllib.parse import unquote

    path = environ.get("PATH_INFO", "/")
    if environ.get("QUERY_STRING"):
        path += "?" + unquote(environ["QUERY_STRING"])
    rows = 0
    with _connection.cursor() as cursor:
        for sql in _statements.get(path, []):
            cursor.execute(sql.encode())
            rows += len(cursor.fetchall())
    body = str(rows).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def load(port: int, path: str, seconds: float, concurrency: int) -> dict:
    """Ask for ``path`` from ``concurrency`` threads for ``seconds``: requests/s,
    latency p50/p95/max ms and the statuses other than 200."""
    deadline = time.monotonic() + seconds
    latencies, failures, lock = [], [], threading.Lock()

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                bad.append(type(error).__name__)
                continue
            mine.append(time.perf_counter() - started)
            if status != 200:
                bad.append(status)
        connection.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pick(q):
        return 1000 * latencies[min(len(latencies) - 1, round(q * (len(latencies) - 1)))] if latencies else 0.0

    return {"rps": len(latencies) / elapsed, "p50": pick(0.5), "p95": pick(0.95), "max": pick(1.0),
            "failures": failures}
