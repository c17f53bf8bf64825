"""gunicorn settings for the production profile (`make prod`); every value can come from the env.

Sync workers: the app is CPU-bound (template rendering) with short database queries, so one
request per process keeps every core busy without GIL contention, and each worker needs exactly one
persistent database connection. Slow clients are the proxy's job (nginx buffers requests and
responses). Measurements behind this choice: docs/performance.md.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8005")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Load Django once in the master; workers fork with it imported (faster start, shared memory).
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 10000
max_requests_jitter = 1000
# Our RequestLogMiddleware writes one line per request (tokens redacted): no access log here.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "commons"
