"""News: the write → review → publish flow with its history, who may do what, the body's
sanitising, the cover's checks, the public list by ward and the feed, the notices of an
important announcement."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alerts.models import WardFollow
from conftest import photo_file
from news.models import Article, ArticleStatus
from news.services import article_create, article_transition, clean_body
from notify.models import Notification
from reports import clock

pytestmark = pytest.mark.django_db
XSS = '<p>Lịch cắt điện</p><script>window.pwned=1</script><img src=x onerror="window.pwned=2"><a href="javascript:alert(1)" onclick="x()">xem</a>'


@pytest.fixture
def unit_a(ward_a):
    return ward_a.unit


def draft(actor, unit, **extra):
    values = {
        "actor": actor,
        "title": "Lịch cắt điện phường Hoàn Kiếm",
        "summary": "Cắt điện từ 8 giờ đến 12 giờ ngày 10/3.",
        "body": "<p>Điện lực Hoàn Kiếm thông báo <strong>cắt điện</strong>.</p>",
        "ward_ids": [unit.pk],
    }
    values.update(extra)
    return article_create(**values)


def test_script_and_handlers_are_removed_from_the_body(officer_a, unit_a):
    article = draft(officer_a, unit_a, body=XSS)
    stored = article.body
    assert "<script" not in stored and "onerror" not in stored and "onclick" not in stored
    assert "javascript:" not in stored and "window.pwned" not in stored
    assert "<p>Lịch cắt điện</p>" in stored
    assert 'rel="noopener noreferrer nofollow"' in clean_body(
        '<a href="https://hanoi.gov.vn">x</a>'
    )
    assert clean_body("Dòng một\n\nHai & ba") == "<p>Dòng một</p>\n\n<p>Hai &amp; ba</p>"


def test_write_review_publish_with_history(client, officer_a, leader_a, unit_a, ward_b):
    article = draft(officer_a, unit_a)
    client.force_login(officer_a)
    assert client.post(f"/can-bo/tin-tuc/{article.pk}/submit/").status_code == 302
    # The author cannot approve; an officer is no reviewer.
    client.post(f"/can-bo/tin-tuc/{article.pk}/approve/")
    assert Article.objects.get().status == ArticleStatus.IN_REVIEW
    assert client.get("/tin-tuc/").content.decode().count(article.title) == 0
    client.force_login(leader_a)
    assert article.title in client.get("/can-bo/tin-tuc/").content.decode()
    response = client.post(f"/can-bo/tin-tuc/{article.pk}/approve/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="article-panel"' in response.content.decode()
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.published_at is not None
    history = list(article.events.values_list("action", "actor__username"))
    assert history == [("create", "officer_a"), ("submit", "officer_a"), ("approve", "leader_a")]
    assert article.title in client.get("/tin-tuc/", {"ward": unit_a.pk}).content.decode()
    assert article.title not in client.get("/tin-tuc/", {"ward": ward_b.unit_id}).content.decode()
    assert "Điện lực Hoàn Kiếm" in client.get(f"/tin-tuc/{article.pk}/").content.decode()
    feed = client.get("/tin-tuc/feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert article.title in feed.content.decode() and "<feed" in feed.content.decode()


def test_returning_needs_a_note_and_drafts_stay_private(
    client, officer_a, leader_a, officer_b, unit_a
):
    article = draft(officer_a, unit_a)
    article_transition(actor=officer_a, article=article, action="submit")
    with pytest.raises(ValidationError):
        article_transition(actor=leader_a, article=article, action="return")
    article_transition(actor=leader_a, article=article, action="return", note="Thêm giờ cụ thể")
    assert Article.objects.get().status == ArticleStatus.DRAFT
    assert client.get(f"/tin-tuc/{article.pk}/").status_code == 404
    client.force_login(officer_b)
    assert client.get(f"/can-bo/tin-tuc/{article.pk}/").status_code == 404


def test_nobody_approves_their_own_article_and_wards_are_limited(
    leader_a, officer_b, unit_a, ward_b
):
    article = draft(leader_a, unit_a)
    article_transition(actor=leader_a, article=article, action="submit")
    with pytest.raises(PermissionDenied):
        article_transition(actor=leader_a, article=article, action="approve")
    with pytest.raises(ValidationError) as caught:
        draft(officer_b, unit_a)
    assert "wards" in caught.value.message_dict
    with pytest.raises(ValidationError):
        draft(officer_b, ward_b.unit, whole_city=True)


def test_cover_goes_through_the_media_checks(officer_a, unit_a, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("anh.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        draft(officer_a, unit_a, cover=fake)
    assert "cover" in caught.value.message_dict
    assert Article.objects.count() == 0
    article = draft(officer_a, unit_a, cover=photo_file())
    assert article.cover.name.startswith("news/covers/") and article.cover.name.endswith(".jpg")


def test_an_important_announcement_notifies_the_wards_followers(
    run_on_commit, run_worker, coordinator, city_leader, alice, bob, unit_a, ward_b
):
    WardFollow.objects.create(user=alice, ward=unit_a, created_at=clock.now())
    bob.home_ward = ward_b.unit
    bob.save(update_fields=["home_ward"])
    article = draft(coordinator, unit_a, important=True)
    article_transition(actor=coordinator, article=article, action="submit")
    run_on_commit(article_transition, actor=city_leader, article=article, action="approve")
    run_worker()
    notified = list(Notification.objects.filter(kind="news").values_list("user__username", "url"))
    assert notified == [("alice", f"/tin-tuc/{article.pk}/")]
