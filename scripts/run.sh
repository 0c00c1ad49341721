#!/usr/bin/env bash
# Serve the app and run the background worker beside it; Ctrl-C stops both.
set -euo pipefail
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
PY=.venv/bin/python
$PY manage.py db_worker --no-reload &
worker=$!
$PY manage.py scheduler &
scheduler=$!
trap 'kill $worker $scheduler 2>/dev/null; wait $worker $scheduler 2>/dev/null' EXIT INT TERM
echo "Công dân số: http://$HOST:$PORT/  (admin: http://$HOST:$PORT/admin/)"
$PY manage.py runserver "$HOST:$PORT" --noreload
