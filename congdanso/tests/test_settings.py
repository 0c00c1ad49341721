"""Settings come from the environment; bad values stop the start with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="congdanso.settings")
    script = "import django; django.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sqlite_file_database_runs_in_wal_mode(tmp_path):
    db = tmp_path / "wal.sqlite3"
    result = run_django(
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA foreign_keys').fetchone()[0])",
        DATABASE_URL=f"sqlite:///{db}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "1"]


def test_defaults_are_vietnamese_and_hanoi_time():
    result = run_django(
        "from django.conf import settings\nprint(settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ)"
    )
    assert result.stdout.split() == ["vi", "Asia/Ho_Chi_Minh", "True"]


def test_malformed_boolean_stops_the_start_with_its_name():
    result = run_django("", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_malformed_number_stops_the_start_with_its_name():
    result = run_django("", WARD_EDGE_TOLERANCE_M="three hundred")
    assert result.returncode != 0
    assert "WARD_EDGE_TOLERANCE_M must be a whole number" in result.stderr


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = run_django("", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret-from-file-0123456789-abcdefghijklmnopqrstuvwxyz\n")
    result = run_django(
        "from django.conf import settings\nprint(settings.SECRET_KEY)",
        SECRET_KEY_FILE=str(secret),
    )
    assert result.stdout.strip() == "s3cret-from-file-0123456789-abcdefghijklmnopqrstuvwxyz"
