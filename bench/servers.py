"""Processes the HTTP benchmarks start: gunicorn serving the app, the task worker, the scheduler.

Shared by bench/http_submit.py and bench/crash.py. Every process gets the same environment
(DATABASE_URL, DEBUG off, a fixed SECRET_KEY) and its output in a log file under `logdir`, so a
crash or a traceback in a worker can be read afterwards.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production-like settings: DEBUG off (no query log growing in memory), real hosts."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY="bench-secret-key-not-for-production-0123456789abcdef",  # noqa: S106
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _popen(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    out = open(log, "ab")  # kept open for the life of the process
    # Own process group: stopping the benchmark stops the server's workers too.
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def start_gunicorn(
    env: dict[str, str],
    *,
    port: int,
    workers: int = 2,
    threads: int = 1,
    logdir: Path,
    extra_args: list[str] | None = None,
) -> subprocess.Popen:
    args = [
        GUNICORN,
        "congdanso.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        *(extra_args or []),
    ]
    return _popen(args, env, logdir / "gunicorn.log")


def start_worker(env: dict[str, str], *, logdir: Path, name: str = "worker") -> subprocess.Popen:
    return _popen(
        [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
        env,
        logdir / f"{name}.log",
    )


def start_scheduler(env: dict[str, str], *, logdir: Path, interval: float = 2) -> subprocess.Popen:
    return _popen(
        [PYTHON, "manage.py", "scheduler", "--interval", str(interval)],
        env,
        logdir / "scheduler.log",
    )


def manage(env: dict[str, str], *args: str) -> None:
    """Run a management command to completion (migrate, load_units, …); raise on failure."""
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_http(url: str, *, timeout: float = 60, process: subprocess.Popen | None = None) -> None:
    """Until `url` answers anything but a connection error (a 404 counts: the server is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def gunicorn_workers(master: subprocess.Popen) -> list[psutil.Process]:
    """The master's worker processes (the ones that serve requests)."""
    try:
        return psutil.Process(master.pid).children()
    except psutil.NoSuchProcess:
        return []


def rss_mb(process: psutil.Process) -> float:
    return process.memory_info().rss / 2**20


def kill9(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop(process: subprocess.Popen, *, timeout: float = 10) -> None:
    """SIGTERM the process group, then SIGKILL what is left."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


if __name__ == "__main__":  # a smoke check: serve the app from the given database for a moment
    import tempfile

    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/smoke.sqlite3"
    env = app_env(url)
    manage(env, "migrate", "-v0")
    port = free_port()
    with tempfile.TemporaryDirectory() as logs:
        server = start_gunicorn(env, port=port, logdir=Path(logs))
        try:
            wait_http(f"http://127.0.0.1:{port}/", process=server)
            sizes = [round(rss_mb(w), 1) for w in gunicorn_workers(server)]
            print(f"gunicorn up on {port}; worker RSS MB: {sizes}")
        finally:
            stop(server)
