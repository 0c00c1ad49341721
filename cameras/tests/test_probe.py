"""The camera watch against a real local HTTP server: every kind of good and broken feed, the
prober's safety rules, the flips, the owner's notice, the loader, the public page and API."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from cameras.models import Camera, CameraFlip, Health
from cameras.services import CameraFileError, cameras_load, cameras_probe
from cameras.testing import FeedServer
from conftest import BA_DINH_SQUARE, HOAN_KIEM_LAKE
from notify.models import Notification
from reports import clock
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def hls_dir(tmp_path_factory):
    """An HLS stream written by ffmpeg: a test pattern cut into 1-second segments."""
    folder = tmp_path_factory.mktemp("hls")
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x120:rate=5",
            "-t",
            "4",
            "-c:v",
            "mpeg2video",
            "-f",
            "hls",
            "-hls_time",
            "1",
            "-hls_list_size",
            "3",
            str(folder / "live.m3u8"),
        ],
        check=True,
        timeout=60,
    )
    return folder


@pytest.fixture
def feeds(hls_dir, settings, media_root):
    settings.CAMERAS_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.CAMERAS_ALLOW_PRIVATE = True
    settings.CAMERAS_TIMEOUT_SECONDS = 2
    settings.CAMERAS_MAX_BYTES = 1_000_000
    settings.CAMERAS_FROZEN_PROBES = 3
    settings.CAMERAS_STALE_SECONDS = 300
    settings.CAMERAS_NOTIFY_AFTER_SECONDS = 900
    with FeedServer(hls_dir=hls_dir, slow_s=5.0) as server:
        yield server


def camera(feeds, code: str, path: str, kind: str = "snapshot", agency_code: str = "ubnd-00070"):
    from units.models import Agency

    return Camera.objects.create(
        code=code,
        name=f"Camera {code}",
        lat=HOAN_KIEM_LAKE[0],
        lon=HOAN_KIEM_LAKE[1],
        ward=AdministrativeUnit.objects.get(era="2025", code="00070"),
        agency=Agency.objects.get(code=agency_code),
        kind=kind,
        url=feeds.url(path),
    )


def health(code: str) -> str:
    return Camera.objects.get(code=code).health


def test_each_feed_gets_its_health(feeds):
    cases = {
        "changing": ("/changing.jpg", "snapshot", Health.ONLINE),
        "mjpeg": ("/mjpeg", "mjpeg", Health.ONLINE),
        "hls": ("/hls/live.m3u8", "hls", Health.ONLINE),
        "black": ("/black.jpg", "snapshot", Health.DARK),
        "grey": ("/grey.jpg", "snapshot", Health.DARK),  # uniform: shows nothing
        "old": ("/old.jpg", "snapshot", Health.STALE),
        "truncated": ("/truncated.jpg", "snapshot", Health.OFFLINE),
        "slow": ("/slow.jpg", "snapshot", Health.OFFLINE),
        "huge": ("/huge.jpg", "snapshot", Health.OFFLINE),
        "fail": ("/fail.jpg", "snapshot", Health.OFFLINE),
        "html": ("/not-an-image.jpg", "snapshot", Health.OFFLINE),
        "missing": ("/nothing-here.jpg", "snapshot", Health.OFFLINE),
        "same-host": ("/same-host-redirect.jpg", "snapshot", Health.ONLINE),
        "other-host": ("/other-host-redirect.jpg", "snapshot", Health.OFFLINE),
    }
    for code, (path, kind, _expected) in cases.items():
        camera(feeds, code, path, kind)
    counts = cameras_probe()
    found = {code: health(code) for code in cases}
    assert found == {code: expected for code, (_p, _k, expected) in cases.items()}
    assert sum(counts.values()) == len(cases)
    assert "another host" in Camera.objects.get(code="other-host").last_error
    assert "1000000 bytes" in Camera.objects.get(code="huge").last_error
    # A good feed's picture is cached; a bad one keeps none.
    assert Camera.objects.get(code="hls").frame and not Camera.objects.get(code="black").frame
    assert CameraFlip.objects.filter(to_health=Health.OFFLINE).count() == 7


def test_the_same_picture_three_probes_in_a_row_is_frozen(feeds):
    camera(feeds, "frozen", "/frozen.jpg")
    camera(feeds, "live", "/changing.jpg")
    now = clock.now()
    for k in range(3):
        cameras_probe(now=now + timedelta(minutes=2 * k))
        if k < 2:
            assert health("frozen") == Health.ONLINE
    assert health("frozen") == Health.FROZEN and health("live") == Health.ONLINE
    flips = list(Camera.objects.get(code="frozen").flips.values_list("from_health", "to_health"))
    assert flips == [("unknown", "online"), ("online", "frozen")]


def test_an_hls_stream_that_stops_moving_is_stale(feeds):
    camera(feeds, "hls", "/hls/live.m3u8", "hls")
    now = clock.now()
    cameras_probe(now=now)
    cameras_probe(now=now + timedelta(seconds=200))
    assert health("hls") == Health.ONLINE
    cameras_probe(now=now + timedelta(seconds=400))  # the same media sequence for 400 s
    assert health("hls") == Health.STALE


def test_a_camera_bad_for_too_long_tells_its_owner_once(feeds, officer_a, officer_b):
    camera(feeds, "dead", "/fail.jpg")
    now = clock.now()
    cameras_probe(now=now)
    assert not Notification.objects.filter(kind="camera").exists()  # not yet long enough
    cameras_probe(now=now + timedelta(seconds=1000))
    cameras_probe(now=now + timedelta(seconds=1200))
    told = Notification.objects.filter(kind="camera")
    assert list(told.values_list("user__username", flat=True)) == ["officer_a"]
    assert "dead" in told.get().title


def test_the_prober_refuses_hosts_not_allowed_and_private_addresses(feeds, settings):
    camera(feeds, "private", "/changing.jpg")
    settings.CAMERAS_ALLOW_PRIVATE = False
    cameras_probe()
    assert health("private") == Health.OFFLINE
    assert "private address" in Camera.objects.get(code="private").last_error
    settings.CAMERAS_ALLOW_PRIVATE = True
    settings.CAMERAS_ALLOWED_HOSTS = ["cameras.example.org"]
    cameras_probe()
    assert "host not allowed" in Camera.objects.get(code="private").last_error
    assert feeds.hits.get("/changing.jpg", 0) == 0  # never fetched


def test_a_name_that_resolves_public_then_private_never_reaches_the_private_one(
    feeds, settings, monkeypatch
):
    """DNS rebinding: the address checked is the address connected to. A name answering a
    public address first and the local server's address after must not reach the server."""
    import socket

    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"] + ["127.0.0.1"] * 10)

    def rebinding(host, port, *args, **kwargs):
        if host in ("cam.test", b"cam.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    settings.CAMERAS_ALLOW_PRIVATE = False
    settings.CAMERAS_ALLOWED_HOSTS = ["cam.test"]
    settings.CAMERAS_TIMEOUT_SECONDS = 1
    cam = camera(feeds, "rebind", "/changing.jpg")
    cam.url = cam.url.replace("127.0.0.1", "cam.test")
    cam.save()
    cameras_probe()
    assert health("rebind") == Health.OFFLINE
    assert feeds.hits.get("/changing.jpg", 0) == 0
    # And a name that answers the private address at once is refused by name.
    cameras_probe()
    assert (
        "private address refused: cam.test → 127.0.0.1"
        in Camera.objects.get(code="rebind").last_error
    )
    assert feeds.hits.get("/changing.jpg", 0) == 0


def test_the_public_page_and_api_serve_our_cached_picture(client, feeds):
    camera(feeds, "live", "/changing.jpg")
    camera(feeds, "dead", "/fail.jpg")
    cameras_probe()
    fetched = feeds.hits["/changing.jpg"]
    page = client.get("/camera/").content.decode()
    assert "Camera live" in page and "/camera/live/anh.jpg" in page
    assert feeds.url("/") not in page  # never hot-linked
    assert "Mất tín hiệu từ" in page
    picture = client.get("/camera/live/anh.jpg")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"
    assert client.get("/camera/dead/anh.jpg").status_code == 404
    for _ in range(5):  # viewers never make the server fetch again
        client.get("/camera/live/anh.jpg")
    assert feeds.hits["/changing.jpg"] == fetched
    data = client.get(f"/api/cameras?lat={BA_DINH_SQUARE[0]}&lon={BA_DINH_SQUARE[1]}").json()
    assert {d["code"]: d["health"] for d in data} == {"live": "online", "dead": "offline"}
    live = next(d for d in data if d["code"] == "live")
    assert live["frame_url"] == "/camera/live/anh.jpg" and live["ward"] == "Phường Hoàn Kiếm"


def test_a_new_picture_replaces_the_old_file_once_the_row_points_at_it(
    client, feeds, media_root, django_capture_on_commit_callbacks
):
    camera(feeds, "live", "/changing.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        cameras_probe(now=clock.now())
    first = Camera.objects.get(code="live").frame
    with django_capture_on_commit_callbacks(execute=True):
        cameras_probe(now=clock.now() + timedelta(seconds=120))
    second = Camera.objects.get(code="live").frame
    assert first != second
    assert sorted(p.name for p in (media_root / "cameras").iterdir()) == [second.split("/")[-1]]
    served = b"".join(client.get("/camera/live/anh.jpg").streaming_content)
    assert served == (media_root / second).read_bytes()


HEADER = "code,name,road,lat,lon,agency,kind,url,direction\n"


def test_the_loader_is_idempotent_and_names_bad_rows(settings, tmp_path):
    settings.CAMERAS_ALLOWED_HOSTS = ["cam.hanoi.example"]
    good = (
        HEADER
        + "C1,Ngã tư Tràng Tiền,Tràng Tiền,21.0285,105.8522,so-giao-thong,snapshot,http://cam.hanoi.example/c1.jpg,Hướng Hồ Gươm\n"
    )
    assert cameras_load(good) == {"created": 1, "updated": 0, "unchanged": 0}
    assert cameras_load(good) == {"created": 0, "updated": 0, "unchanged": 1}
    assert Camera.objects.get().ward.code == "00070"
    bad = (
        good
        + "C2,X,,21.0,105.8,nope,snapshot,http://cam.hanoi.example/2.jpg\n"
        + "C3,X,,10.0,100.0,so-giao-thong,snapshot,http://cam.hanoi.example/3.jpg\n"
        + "C4,X,,21.0,105.8,so-giao-thong,rtsp,http://cam.hanoi.example/4\n"
        + "C5,X,,21.0,105.8,so-giao-thong,snapshot,http://evil.example/5.jpg\n"
        + "C1,X,,21.0,105.8,so-giao-thong,snapshot,http://cam.hanoi.example/1.jpg\n"
    )
    with pytest.raises(CameraFileError) as caught:
        cameras_load(bad)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["dòng 3", "dòng 4", "dòng 5", "dòng 6", "dòng 7"]
    assert "ngoài Hà Nội" in problems[1] and "evil.example" in problems[3]
    assert Camera.objects.count() == 1
    path = tmp_path / "cams.csv"
    path.write_text(bad, "utf-8")
    with pytest.raises(CommandError, match="Không nạp gì"):
        call_command("load_cameras", str(path))


def test_probe_cameras_once_runs_one_cycle(feeds, capsys):
    camera(feeds, "live", "/changing.jpg")
    call_command("probe_cameras", "--once")
    assert "1 camera(s)" in capsys.readouterr().out and health("live") == Health.ONLINE


def test_uptime_counts_hours_from_the_flips_and_ranks_owners(client, feeds, city_leader):
    from cameras.selectors import owners, uptime

    good = camera(feeds, "good", "/changing.jpg", agency_code="so-giao-thong")
    bad = camera(feeds, "bad", "/fail.jpg", agency_code="ubnd-00070")
    now = clock.now()
    for cam, flips in (
        (good, [("unknown", "online", 48)]),
        (bad, [("unknown", "online", 48), ("online", "offline", 12)]),
    ):
        for before, after, hours_ago in flips:
            CameraFlip.objects.create(
                camera=cam, from_health=before, to_health=after, at=now - timedelta(hours=hours_ago)
            )
        Camera.objects.filter(pk=cam.pk).update(health=flips[-1][1])
    rows = {r.code: r for r in uptime(Camera.objects.all(), days=7, now=now)}
    assert round(rows["good"].uptime_pct) == 100 and rows["good"].bad_hours == 0
    assert round(rows["bad"].bad_hours) == 12 and round(rows["bad"].uptime_pct) == 75
    ranked = owners(list(rows.values()))
    assert ranked[0].agency == "UBND Phường Hoàn Kiếm" and round(ranked[0].bad_hours) == 12
    client.force_login(city_leader)
    body = client.get("/bang-dieu-khien/camera/").content.decode()
    assert 'data-camera="bad"' in body and "Mất kết nối" in body
    assert body.index('data-camera="bad"') < body.index('data-camera="good"')


def test_a_bad_position_gives_the_plain_list_and_an_unknown_camera_404(client, feeds):
    camera(feeds, "live", "/changing.jpg")
    for query in ("lat=abc&lon=105.8", "lat=999&lon=999", "lat=nan&lon=nan", "lat=21.0"):
        assert client.get(f"/camera/?{query}").status_code == 200
        data = client.get(f"/api/cameras?{query}").json()
        assert [d["code"] for d in data] == ["live"]
    assert client.get("/camera/nope/anh.jpg").status_code == 404
    assert client.get("/camera/live/anh.jpg").status_code == 404  # not probed: no picture yet
