"""gunicorn settings: ``gunicorn -c config/gunicorn.py config.wsgi``; each can be set from the env.

gthread workers keep connections alive, so a client that sends many requests (a page's tracker
beacons, a load balancer's pooled connections) does not pay a TCP handshake and an accept per
request, as it does with sync workers, which close every connection. One process per core: the
collector is CPU-bound in Python; threads cover the waits on Redis and PostgreSQL.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))  # seconds an idle connection is kept
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))  # 0: workers are not recycled
max_requests_jitter = max_requests // 10
