"""Photos and videos on the report page, in real Chromium: the processed photo shows, and the
video plays and seeks (the player asks for byte ranges; the server answers 206)."""

from __future__ import annotations

import pytest

from conftest import photo_file, video_file
from reports.models import Media, MediaKind

from .conftest import SCREENSHOTS, open_page


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_processed_photo_shows_and_video_plays_and_seeks(submit, live_server, fmt):
    # Beside the live server, tasks run as they are enqueued (root conftest): the public
    # copies exist as soon as the submission commits.
    report = submit(
        files=[photo_file(size=(800, 600)), video_file(f"clip.{fmt}", seconds=4, fmt=fmt)]
    )
    video = Media.objects.get(report=report, kind=MediaKind.VIDEO)
    assert video.public_video and video.poster, video.processing_error
    assert Media.objects.get(report=report, kind=MediaKind.PHOTO).thumbnail

    statuses: list[int] = []
    with open_page() as page:
        page.on(
            "response",
            lambda r: statuses.append(r.status) if "/video/" in r.url else None,
        )
        page.goto(f"{live_server.url}/phan-anh/{report.tracking_code}/")
        photo = page.get_by_role("img", name="Ảnh hiện trường")
        photo.wait_for()
        assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
        assert "Ảnh đang được xử lý" not in page.content()

        player = page.locator("video")
        # Every promise below gives up after 10 s: page.evaluate has no timeout of its own, and a
        # stalled video must fail the test, not hang the run.
        player.evaluate(
            """v => new Promise((resolve, reject) => {
                setTimeout(() => reject(new Error("no metadata in 10 s")), 10000);
                if (v.readyState >= 1) return resolve();
                v.addEventListener("loadedmetadata", resolve, {once: true});
                v.addEventListener("error", () => reject(new Error("video error")), {once: true});
            })"""
        )
        assert player.evaluate("v => v.duration") == pytest.approx(4, abs=0.3)
        # Seek near the end: the browser fetches that part by a range request.
        seeked = player.evaluate(
            """v => new Promise((resolve, reject) => {
                setTimeout(() => reject(new Error("no seek in 10 s")), 10000);
                v.addEventListener("seeked", () => resolve(v.currentTime), {once: true});
                v.currentTime = 3;
            })"""
        )
        assert seeked == pytest.approx(3, abs=0.2)
        # And it plays (muted, so that autoplay rules allow it).
        played = player.evaluate(
            """v => { v.muted = true; v.currentTime = 0;
                const playing = v.play().then(() => new Promise(resolve =>
                    setTimeout(() => resolve(v.currentTime), 700)));
                return Promise.race([playing, new Promise((_, reject) =>
                    setTimeout(() => reject(new Error("not playing in 10 s")), 10000))]); }"""
        )
        assert played > 0.2
        page.screenshot(path=str(SCREENSHOTS / f"report_media_{fmt}.png"), full_page=True)
    assert 206 in statuses, statuses
