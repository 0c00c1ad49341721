"""gunicorn settings for one app server (`gunicorn -c deploy/gunicorn.conf.py congdanso.wsgi`).

Every value can be changed with an environment variable in the env file; see
docs/operations.md, "Sizing", for how many workers a machine can hold.
"""

from __future__ import annotations

import multiprocessing
import os

# nginx reaches this machine here (127.0.0.1:8000 when nginx runs on the same machine).
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers, one request each: the app is mostly database time. 2 × cores + 1 is
# gunicorn's rule of thumb; each worker needs ~140 MB of memory, so a small machine is
# limited by memory first.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request running longer than this is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On restart (SIGHUP or systemctl reload), requests in flight get this long to finish.
graceful_timeout = 30
keepalive = 5
# Recycle a worker after ~1,000 requests (jittered so they do not all restart at once):
# bounds slow memory growth (image decoding, large querysets).
max_requests = 1000
max_requests_jitter = 100
# The addresses allowed to set X-Forwarded-* for gunicorn itself (nginx's). Django reads
# X-Forwarded-Proto on its own (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Logs to stdout/stderr: systemd's journal keeps them (`journalctl -u congdanso-web`).
accesslog = "-"
errorlog = "-"
# No preload_app: each worker imports the app itself, so nothing opened at import time (a
# database connection, a file) is ever shared between forked workers.
