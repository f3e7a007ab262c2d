"""gunicorn settings: ``gunicorn -c config/gunicorn.py config.wsgi``; each can be set from the env.

Workers keep connections alive, so a client that sends many requests (a page's tracker beacons, a
load balancer's pooled connections) does not pay a TCP handshake and an accept per request, as it
does with sync workers, which close every connection.

Single-threaded processes by default. The collector is CPU-bound in Python and each beacon waits
~60 µs on Redis: with several threads per process, every such wait hands the interpreter lock to
another thread and back, which cost more than the wait (on 2 cores, 2 x 4 threads took 0.67–0.73
ms of CPU per beacon, 4 x 1 0.66–0.69 ms — benchmarks/README.md, Collector).

With one thread, gthread's pool only adds a handoff per request (a queue, a future, a wake-up
pipe, two interpreter-lock switches), so config/gunicorn_worker.py's worker keeps gthread's
keep-alive loop and serves each request on the loop's own thread: ~0.1 ms less CPU per request.

One process per core plus one: on 2 cores, 3 processes served more beacons than 4 in each of five
alternated pairs (2,252–2,494/s against 1,816–2,356/s; benchmarks/README.md, Collector). The
spare process covers the others' Redis waits; more only add context switches on cores that
Redis, PostgreSQL and the Celery workers need too.

A deployment whose dashboard pages wait long on PostgreSQL can raise ``GUNICORN_THREADS`` (which
switches back to gthread's pool), or serve the dashboard from a second gunicorn with threads.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 2) + 1))
worker_class = "config.gunicorn_worker.InlineWorker"  # gthread's keep-alive loop, no thread handoff
threads = int(os.environ.get("GUNICORN_THREADS", 1))
if threads > 1:  # the inline worker serves one request at a time: threads need gthread's pool
    worker_class = "gthread"
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))  # seconds an idle connection is kept
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))  # 0: workers are not recycled
max_requests_jitter = max_requests // 10
