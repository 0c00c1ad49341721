"""'My reports': a resident's own reports and the ones they follow, and nobody else's."""

from __future__ import annotations

from django.urls import reverse

from conftest import BA_DINH_SQUARE
from reports.services import report_follow

URL = reverse("citizen:my_reports")


def test_requires_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_lists_own_reports_with_status_deadline_and_age(client, alice, submit):
    report = submit(title="Đèn đường hỏng ngõ 3 Hàng Gai")
    private = submit(title="Phản ánh riêng tư của Alice", is_public=False)
    client.force_login(alice)
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    for r in (report, private):
        assert reverse("citizen:report_detail", args=[r.tracking_code]) in body
    assert "Đèn đường hỏng ngõ 3 Hàng Gai" in body
    assert "Phản ánh riêng tư của Alice" in body
    assert "Đã chuyển đơn vị xử lý" in body  # the status badge
    assert report.due_at.astimezone().strftime("%d/%m/%Y") in body  # the deadline
    assert "UBND Phường Hoàn Kiếm" in body  # who handles it


def test_lists_followed_reports_separately(client, alice, bob, submit):
    bobs = submit(
        reporter=bob,
        title="Cây đổ ở phố Phan Đình Phùng",
        lat=BA_DINH_SQUARE[0],
        lon=BA_DINH_SQUARE[1],
    )
    report_follow(actor=alice, report=bobs)
    client.force_login(alice)
    body = client.get(URL).content.decode()
    followed = body.split('class="reports followed"')[1]
    assert "Cây đổ ở phố Phan Đình Phùng" in followed
    assert "Trần Văn Bob" not in body


def test_does_not_show_other_residents_reports(client, alice, bob, submit):
    submit(reporter=bob, title="Phản ánh của Bob")
    client.force_login(alice)
    body = client.get(URL).content.decode()
    assert "Phản ánh của Bob" not in body
    assert "Bạn chưa gửi phản ánh nào." in body


def test_query_count_does_not_grow_with_the_number_of_reports(
    client, alice, bob, submit, django_assert_max_num_queries
):
    for i in range(6):
        report_follow(actor=alice, report=submit(reporter=bob, title=f"Của Bob {i}"))
        submit(title=f"Của Alice {i}")
    client.force_login(alice)
    # session, user, memberships, own reports, followed reports, unread count.
    with django_assert_max_num_queries(7):
        body = client.get(URL).content.decode()
    assert body.count('class="report"') == 12
