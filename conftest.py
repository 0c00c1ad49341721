"""The shared cast of every test: residents alice and bob; officers of Hoàn Kiếm (ward A) and
Ba Đình (ward B), who "should have no access to each other's reports"; a unit leader; the
coordinator; a city leader. Reference data (units, agencies, categories) is loaded once."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from PIL import Image

from accounts.models import Membership, Role, User
from routing.models import Category
from units.lookup import get_locator, reset_locator
from units.models import Agency

HOAN_KIEM_LAKE = (21.0285, 105.8522)  # → 00070 Phường Hoàn Kiếm
BA_DINH_SQUARE = (21.0368, 105.8347)  # → 00004 Phường Ba Đình
# In the sample residential groups (demo/data/residential_groups.sample.csv): the lake lies in
# 00070-TDP02; this point in 00070-TDP03, another group of the same ward. Ba Đình's sample
# groups have no boundary.
IN_TDP03 = (21.0330, 105.8500)
SAMPLE_GROUPS = Path(__file__).resolve().parent / "demo" / "data" / "residential_groups.sample.csv"
NOI_BAI_T1 = (21.2145, 105.8036)  # → 00433 Xã Nội Bài
GOOD_ANSWER = (
    "Tổ vệ sinh môi trường phường đã thu gom toàn bộ 2 xe rác tại ngõ 12 lúc 9 giờ sáng, "
    "rửa lại mặt đường và đặt biển cấm đổ rác."
)


def load_reference_data() -> None:
    call_command("load_units", "--no-progress", verbosity=0)
    call_command("load_agencies", verbosity=0)
    call_command("load_categories", verbosity=0)
    reset_locator()
    # Built now (ward ids change with each reload), not by the next page that asks: a browser
    # test waits 5 s for the ward, and the ~1.3 s build takes 4× that on a busy 2-core runner.
    get_locator()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def _reference_data(request, django_db_blocker):
    """Transactional tests (live_server) truncate every table when they end. Reload the
    reference data before the next database test, outside its transaction, so that it stays
    for the tests after it instead of being reloaded and rolled back by each one."""
    if request.node.get_closest_marker("django_db") is None and not any(
        f in request.fixturenames for f in ("db", "transactional_db", "live_server")
    ):
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        if not Agency.objects.exists():
            load_reference_data()


def make_user(
    username: str, *, agency: Agency | None = None, role: str | None = None, **extra
) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery", **extra)
    if agency is not None and role is not None:
        Membership.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a service and its after-commit callbacks (notices, queued tasks), as a committed
    request would: tests run inside a transaction that never commits."""

    def _run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return _run


@pytest.fixture
def ward_a(db) -> Agency:
    return Agency.objects.get(code="ubnd-00070")


@pytest.fixture
def ward_b(db) -> Agency:
    return Agency.objects.get(code="ubnd-00004")


@pytest.fixture
def office(db) -> Agency:
    return Agency.objects.get(code="dieu-phoi")


@pytest.fixture
def alice(db) -> User:
    return make_user("alice", full_name="Nguyễn Thị Alice", phone="+84912345678")


@pytest.fixture
def bob(db) -> User:
    return make_user("bob", full_name="Trần Văn Bob")


@pytest.fixture
def officer_a(ward_a) -> User:
    return make_user("officer_a", agency=ward_a, role=Role.OFFICER, full_name="Lê Văn An")


@pytest.fixture
def officer_a2(ward_a) -> User:
    return make_user("officer_a2", agency=ward_a, role=Role.OFFICER, full_name="Phạm Thị Hoa")


@pytest.fixture
def leader_a(ward_a) -> User:
    return make_user("leader_a", agency=ward_a, role=Role.UNIT_LEADER, full_name="Hoàng Minh Đức")


@pytest.fixture
def officer_b(ward_b) -> User:
    return make_user("officer_b", agency=ward_b, role=Role.OFFICER, full_name="Charlie Võ")


@pytest.fixture
def coordinator(office) -> User:
    return make_user("coordinator", agency=office, role=Role.COORDINATOR, full_name="Đỗ Điều Phối")


@pytest.fixture
def city_leader(office) -> User:
    return make_user("city_leader", agency=office, role=Role.CITY_LEADER, full_name="Chủ tịch")


@pytest.fixture
def operator(office) -> User:
    """A hotline operator of the coordination office (files reports for callers)."""
    return make_user("operator", agency=office, role=Role.HOTLINE_OPERATOR, full_name="Vũ Tổng Đài")


@pytest.fixture
def helper_a(ward_a) -> User:
    """A member of ward A's community digital team (files for ward A's residents only)."""
    return make_user(
        "helper_a", agency=ward_a, role=Role.COMMUNITY_HELPER, full_name="Lý Tổ Trưởng"
    )


@pytest.fixture
def sample_groups(db) -> None:
    """The sample residential groups of Hoàn Kiếm (with boundaries) and Ba Đình (without)."""
    from units.groups import groups_load

    groups_load(SAMPLE_GROUPS.read_text(encoding="utf-8"))


def _group_leader(username: str, agency: Agency, group_code: str, full_name: str) -> User:
    from units.models import AdministrativeUnit

    user = make_user(username, full_name=full_name)
    Membership.objects.create(
        user=user,
        agency=agency,
        role=Role.GROUP_LEADER,
        unit=AdministrativeUnit.objects.get(era="2025", code=group_code),
    )
    return user


@pytest.fixture
def group_leader_a(sample_groups, ward_a) -> User:
    """The leader of 00070-TDP02, the residential group around Hoàn Kiếm Lake."""
    return _group_leader("group_leader_a", ward_a, "00070-TDP02", "Tổ Trưởng Hai")


@pytest.fixture
def group_leader_c(sample_groups, ward_a) -> User:
    """The leader of 00070-TDP03, another group of ward A: none of the lake's reports."""
    return _group_leader("group_leader_c", ward_a, "00070-TDP03", "Tổ Trưởng Ba")


@pytest.fixture
def waste(db) -> Category:
    """A ward-level category: reports go to the ward's People's Committee."""
    return Category.objects.get(code="rac-thai-ve-sinh")


_photo_counter = 0


def photo_file(
    name: str = "photo.jpg", *, size=(64, 48), colour=None, fmt="JPEG"
) -> SimpleUploadedFile:
    """A real, unique JPEG (each call differs, so proof photos are never 'reused')."""
    global _photo_counter
    _photo_counter += 1
    colour = colour or (
        (_photo_counter * 37) % 256,
        (_photo_counter * 91) % 256,
        (_photo_counter * 13) % 256,
    )
    buf = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.putpixel((0, 0), (_photo_counter % 256, (_photo_counter // 256) % 256, 7))
    image.save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


_videos: dict[tuple, bytes] = {}


def video_file(
    name: str = "clip.mp4", *, seconds: float = 2, fmt: str = "mp4", location: bool = True
) -> SimpleUploadedFile:
    """A real, tiny video made by ffmpeg (Debian package ffmpeg), with a GPS location tag in
    its metadata as phones write it; made once per shape and reused."""
    key = (seconds, fmt, location)
    if key not in _videos:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / f"clip.{fmt}"
            codec = ["-c:v", "libvpx", "-b:v", "100k"] if fmt == "webm" else ["-pix_fmt", "yuv420p"]
            tags = ["-metadata", "location=+21.0285+105.8522/"] if location else []
            command = [
                shutil.which("ffmpeg") or "ffmpeg",
                "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                f"testsrc=duration={seconds}:size=160x120:rate=10", *codec, *tags, str(out),
            ]  # fmt: skip
            subprocess.run(command, check=True)  # noqa: S603 - fixed arguments
            _videos[key] = out.read_bytes()
    return SimpleUploadedFile(name, _videos[key], content_type="video/mp4")


@pytest.fixture
def media_root(tmp_path, settings):
    """MEDIA_ROOT (public copies) in a temporary folder; the private originals beside it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    return settings.MEDIA_ROOT


@pytest.fixture
def private_media_root(media_root, settings):
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def run_worker(monkeypatch):
    """Run the queued background tasks as `manage.py db_worker --batch` does, inside the
    test's transaction. The worker closes "old" connections between tasks, and a connection
    inside a transaction counts as old: on PostgreSQL that would end the test's transaction."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def _run() -> None:
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    return _run


@pytest.fixture(autouse=True)
def _tasks_run_at_once_beside_live_server(request):
    """No worker runs beside pytest's live server: there, background tasks (the public copies
    of photos) run as they are enqueued, so pages show what the worker would have made."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("settings").TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


@pytest.fixture(autouse=True)
def _force_login_verifies_staff(monkeypatch):
    """Staff pages need a TOTP code in the session (accounts.access.role_required). A test
    that signs a staff member in with `client.force_login` is about something else: the login
    also marks the session verified. The second factor itself is tested through the real
    pages in accounts/tests/test_staff_2fa.py."""
    from django.test.client import ClientMixin

    from accounts.testing import verify_session

    force_login = ClientMixin.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        verify_session(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login_verified)


@pytest.fixture
def submit(alice, waste, media_root):
    """Submit a report as alice at Hoàn Kiếm Lake (routed to ward A) unless told otherwise."""
    from reports.services import report_submit

    def _submit(**overrides):
        values = {
            "reporter": alice,
            "category": waste,
            "lat": HOAN_KIEM_LAKE[0],
            "lon": HOAN_KIEM_LAKE[1],
            "title": "Rác thải tràn ra vỉa hè",
            "description": "Rác tồn đọng nhiều ngày ở đầu ngõ, bốc mùi hôi.",
            "files": [photo_file()],
        }
        values.update(overrides)
        return report_submit(**values)

    return _submit


@pytest.fixture
def fast_password_hasher(settings):
    """Cheap password hashing for tests that create many users: Argon2 costs ~0.1 s a user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language (Vietnamese), as every request does. Django's
    LocaleMiddleware activates a request's language for the thread and never resets it, so a
    test's English request would otherwise leak into the next test's code run outside a
    request (routing reasons, notices), whichever tests the xdist worker happened to run
    before it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_cached_category_model():
    """The category classifier is cached per process; a model stored by one test (and rolled
    back with it) must not keep serving the next."""
    from classify.services import forget_serving_model

    forget_serving_model()
    yield
    forget_serving_model()


_trained_classifiers: dict = {}


def seed_classifier():
    """The category classifier trained on the shipped seed corpus alone, once per test process
    (a few seconds); the held-out file is never part of it."""
    from classify import model as ml
    from classify import services

    if "seed" not in _trained_classifiers:
        seed = services.read_corpus(services.SEED_PATH)
        _trained_classifiers["seed"] = ml.train(
            lambda: iter(seed), classes=sorted({c for c, _t in seed}), workers=1
        )
    return _trained_classifiers["seed"]


@pytest.fixture
def serving_model(db):
    """The seed classifier stored as the serving model, as train_category_model leaves it."""
    from classify import services

    stored = services.model_store(seed_classifier(), serving=True)
    return stored


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Every test's SMS go to a list (notify.sms.outbox), never to the console or a gateway."""
    from notify import sms

    settings.SMS_BACKEND = "notify.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`manage.py args…` in another process with the environment `env` (e.g. fresh_site's)."""
    # Our own interpreter and manage.py; the arguments are the test's.
    return subprocess.run(  # noqa: S603
        [sys.executable, str(Path(__file__).resolve().parent / "manage.py"), *args],
        env=env,
        cwd=Path(__file__).resolve().parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def fresh_site(tmp_path):
    """The environment of a new, empty site: its own database and media folders."""
    env = {
        **os.environ,
        "MEDIA_ROOT": str(tmp_path / "new-media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "new-private"),
        "DEBUG": "true",
    }
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield env
        return
    import psycopg

    conf = connection.settings_dict
    name = f"restored_{uuid.uuid4().hex[:12]}"
    server = {
        "host": conf["HOST"],
        "port": conf["PORT"],
        "user": conf["USER"],
        "password": conf["PASSWORD"],
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = (
        f"postgresql://{conf['USER']}:{conf['PASSWORD']}@{conf['HOST']}:{conf['PORT']}/{name}"
    )
    yield env
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
