"""`manage.py check --deploy`: each production check fires for a bad setting and stays silent
for a good one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from deployment.checks import DEV_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]

GOOD_KEY = "Zq3-7vH_kP2mX9rT4wLb8nYc1sDf6gJ0aE5uQiRoWzVtKxNhMjBlCyFpGe"
GOOD = {
    "DEBUG": False,
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": ["congdanso.example.vn"],
    "SITE_URL": "https://congdanso.example.vn",
    "CSRF_TRUSTED_ORIGINS": ["https://congdanso.example.vn"],
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SMS_BACKEND": "notify.sms.HttpBackend",
    "VAPID_PUBLIC_KEY": "BPublic",
    "VAPID_PRIVATE_KEY": "private",
    "VNEID_ISSUER": "",
    "VNEID_CLIENT_ID": "",
    "VNEID_CLIENT_SECRET": "",
    "APP_SERVERS": 1,
    "MEDIA_S3_BUCKET": "",
    "PRIVATE_MEDIA_S3_BUCKET": "",
    "MEDIA_ROOT": "/srv/congdanso/media",
    "PRIVATE_MEDIA_ROOT": "/srv/congdanso/private_media",
    "TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
}


def _our_ids(**overrides) -> list[str]:
    with override_settings(**(GOOD | overrides)):
        return sorted(
            m.id
            for m in run_checks(include_deployment_checks=True)
            if m.id.startswith("congdanso.")
        )


def test_good_production_settings_pass_every_check(settings):
    # The test database may be SQLite or PostgreSQL: only W001 depends on it.
    expected = (
        ["congdanso.W001"] if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else []
    )
    assert _our_ids() == expected


def test_checks_run_only_with_deploy():
    with override_settings(**(GOOD | {"DEBUG": True})):
        assert not [m for m in run_checks() if m.id.startswith("congdanso.")]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"DEBUG": True}, "congdanso.E001"),
        ({"SECRET_KEY": DEV_SECRET_KEY}, "congdanso.E002"),
        ({"SECRET_KEY": "short-key"}, "congdanso.E002"),
        ({"SECRET_KEY": "ab" * 40}, "congdanso.E002"),
        ({"SECRET_KEY": "change-me-" + GOOD_KEY}, "congdanso.E002"),
        ({"ALLOWED_HOSTS": []}, "congdanso.E003"),
        ({"ALLOWED_HOSTS": ["*"]}, "congdanso.E003"),
        ({"SITE_URL": "http://congdanso.example.vn"}, "congdanso.E004"),
        ({"VNEID_ISSUER": "https://vneid.example.vn"}, "congdanso.E005"),
        (
            {"VNEID_ISSUER": "https://vneid.example.vn", "VNEID_CLIENT_ID": "cds"},
            "congdanso.E005",
        ),
        ({"PRIVATE_MEDIA_ROOT": "/srv/congdanso/media/private"}, "congdanso.E006"),
        ({"PRIVATE_MEDIA_ROOT": "/srv/congdanso/media"}, "congdanso.E006"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "congdanso.W002"),
        ({"SMS_BACKEND": "notify.sms.ConsoleBackend"}, "congdanso.W003"),
        ({"VAPID_PRIVATE_KEY": ""}, "congdanso.W004"),
        ({"APP_SERVERS": 3}, "congdanso.W005"),
        (
            {
                "TASKS": {
                    "default": {
                        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                        "QUEUES": ["default"],
                    }
                }
            },
            "congdanso.W006",
        ),
        ({"CSRF_TRUSTED_ORIGINS": []}, "congdanso.W007"),
        ({"CSRF_TRUSTED_ORIGINS": ["https://other.example.vn"]}, "congdanso.W007"),
    ],
)
def test_each_check_fires_for_its_bad_setting(overrides, expected):
    assert expected in _our_ids(**overrides)
    assert expected not in _our_ids()


@pytest.mark.parametrize(
    "overrides",
    [
        # All three VNeID variables together are a working configuration.
        {
            "VNEID_ISSUER": "https://vneid.example.vn",
            "VNEID_CLIENT_ID": "cds",
            "VNEID_CLIENT_SECRET": "s3cret",
        },
        # Several app servers with the media in buckets.
        {"APP_SERVERS": 3, "MEDIA_S3_BUCKET": "pub", "PRIVATE_MEDIA_S3_BUCKET": "priv"},
        # Originals beside the public copies, not inside them.
        {"PRIVATE_MEDIA_ROOT": "/srv/congdanso/media-private"},
    ],
)
def test_good_variants_stay_silent(overrides, settings):
    sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    assert _our_ids(**overrides) == (["congdanso.W001"] if sqlite else [])


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "congdanso.example.vn",
    "SITE_URL": "https://congdanso.example.vn",
    "CSRF_TRUSTED_ORIGINS": "https://congdanso.example.vn",
    # `check` does not connect to the database: any PostgreSQL URL will do.
    "DATABASE_URL": "postgres://congdanso:secret@127.0.0.1:5432/congdanso",
    "EMAIL_HOST": "smtp.example.vn",
    "SMS_BACKEND": "notify.sms.HttpBackend",
    "SMS_HTTP_URL": "https://sms.example.vn/send",
    "VAPID_PUBLIC_KEY": "BPublic",
    "VAPID_PRIVATE_KEY": "private",
    "APP_SERVERS": "2",
    "MEDIA_S3_BUCKET": "congdanso-media",
    "PRIVATE_MEDIA_S3_BUCKET": "congdanso-private",
    "MEDIA_S3_ENDPOINT_URL": "https://s3.example.vn",
}


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PG", "DATABASE_URL", "MEDIA_", "PRIVATE_MEDIA", "VNEID_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manage_py_check_deploy_passes_with_a_production_env():
    done = _check_deploy(PRODUCTION_ENV)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "System check identified no issues (0 silenced)."


def test_manage_py_check_deploy_fails_with_debug_on():
    done = _check_deploy(PRODUCTION_ENV | {"DEBUG": "true"})
    assert done.returncode == 1
    assert "(congdanso.E001) DEBUG is on" in done.stderr
    assert "HINT: Set DEBUG=false." in done.stderr


def test_sqlite_in_production_is_a_warning_not_an_error():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    done = _check_deploy(env)
    assert done.returncode == 0, done.stderr
    assert "(congdanso.W001) The database is SQLite" in done.stderr
    assert "HINT: Set DATABASE_URL=postgres://" in done.stderr


def _env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile reads them (comments, quoted values)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _sep, value = line.partition("=")
            values[name] = value.strip('"')
    return values


def test_the_example_env_file_is_refused_for_every_placeholder_until_filled_in():
    example = _env_file(ROOT / "deploy" / "congdanso.env.example")
    placeholders = sorted(k for k, v in example.items() if "change-me" in v and k != "SECRET_KEY")
    # The example's secrets: database password, bucket keys, mail and SMS, Web Push keys.
    assert placeholders == [
        "AUDIT_KEY",
        "AUDIT_SIGNING_KEY",
        "DATABASE_URL",
        "EMAIL_HOST_PASSWORD",
        "MEDIA_S3_ACCESS_KEY_ID",
        "MEDIA_S3_SECRET_ACCESS_KEY",
        "SMS_HTTP_TOKEN",
        "VAPID_PRIVATE_KEY",
        "VAPID_PUBLIC_KEY",
    ]
    as_shipped = _check_deploy(example)
    assert as_shipped.returncode == 1
    assert "(congdanso.E002)" in as_shipped.stderr
    for name in placeholders:
        assert f"(congdanso.E007) {name} still holds the example's placeholder" in as_shipped.stderr
    assert as_shipped.stderr.count("(congdanso.E007)") == len(placeholders)
    # Filled in but one: that one alone is named.
    filled = {k: "filled-" + k.lower() for k in placeholders}
    filled["AUDIT_SIGNING_KEY"] = "A" * 43 + "="
    filled["DATABASE_URL"] = "postgres://congdanso:s3cret@10.0.0.20:5432/congdanso"
    one_left = _check_deploy(
        example | filled | {"SECRET_KEY": GOOD_KEY, "SMS_HTTP_TOKEN": "change-me"}
    )
    assert one_left.returncode == 1
    assert one_left.stderr.count("(congdanso.") == 1
    assert "(congdanso.E007) SMS_HTTP_TOKEN still holds" in one_left.stderr
    filled_in = _check_deploy(example | filled | {"SECRET_KEY": GOOD_KEY})
    assert filled_in.returncode == 0, filled_in.stderr
    assert filled_in.stdout.strip() == "System check identified no issues (0 silenced)."


def test_a_placeholder_in_a_secret_file_is_flagged_too(tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text("change-me\n", encoding="utf-8")
    done = _check_deploy(PRODUCTION_ENV | {"EMAIL_HOST_PASSWORD_FILE": str(secret)})
    assert done.returncode == 1
    assert "(congdanso.E007) EMAIL_HOST_PASSWORD still holds" in done.stderr
