"""The dashboard pages through HTTP: who may open them, what each leader sees, sorting,
drill-down counts equal to the figures, the live poll, and a constant number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from conftest import BA_DINH_SQUARE, GOOD_ANSWER, photo_file
from reports import clock
from reports.models import Report
from reports.services import report_accept, report_resolve
from units.models import Agency

pytestmark = pytest.mark.django_db

INDEX = reverse("dashboard:index")
DRILL = reverse("dashboard:drilldown")
LIVE = reverse("dashboard:live")
ALL_URLS = [
    INDEX,
    DRILL,
    reverse("dashboard:stages"),
    reverse("dashboard:trends"),
    reverse("dashboard:heat"),
    LIVE,
    reverse("dashboard:export_csv"),
    reverse("dashboard:export_xlsx"),
    reverse("dashboard:export_pdf"),
    reverse("dashboard:registrations"),
]


@pytest.fixture
def reports_ab(submit, officer_a, officer_b):
    """Ward A: 3 reports, one accepted and resolved; ward B: 1 report."""
    a1 = submit(title="Rác ở ngõ 12")
    a2 = submit(title="Rác ở ngõ 14")
    a3 = submit(title="Rác ở ngõ 16")
    b1 = submit(title="Rác ở quảng trường", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    report_accept(actor=officer_a, report=a1)
    report_resolve(actor=officer_a, report=a1, answer=GOOD_ANSWER, files=[photo_file()])
    return a1, a2, a3, b1


def ranking_names(html: str) -> list[str]:
    body = html.split('class="dash-table ranking"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row">([^<]+)</th>', body)


def figure(html: str, key: str) -> str:
    match = re.search(
        rf'data-figure="{key}">.*?<span class="figure-value">(.*?)</span>', html, re.S
    )
    return match.group(1).strip()


@pytest.mark.parametrize("url", ALL_URLS)
def test_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", ALL_URLS)
@pytest.mark.parametrize("who", ["alice", "officer_a"])
def test_residents_and_officers_get_404(client, request, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 404


def test_city_leader_sees_every_unit_ranked_most_unresolved_first(client, city_leader, reports_ab):
    client.force_login(city_leader)
    response = client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert ranking_names(html) == ["UBND Phường Hoàn Kiếm", "UBND Phường Ba Đình"]
    assert figure(html, "received") == "4"
    assert figure(html, "unresolved_now") == "3"
    assert figure(html, "handled_pct") == "25,0&nbsp;%"


def test_unit_leader_sees_only_his_unit(client, leader_a, reports_ab):
    client.force_login(leader_a)
    html = client.get(INDEX).content.decode()
    assert ranking_names(html) == ["UBND Phường Hoàn Kiếm"]
    assert figure(html, "received") == "3"
    assert "UBND Phường Ba Đình" not in html


@pytest.mark.parametrize(
    "name", ["drilldown", "export_csv", "export_xlsx", "export_pdf", "stages", "live", "heat"]
)
def test_unit_leader_asking_for_another_unit_gets_404(
    client, leader_a, ward_a, ward_b, reports_ab, name
):
    client.force_login(leader_a)
    url = reverse(f"dashboard:{name}")
    assert client.get(url, {"agency": ward_b.pk}).status_code == 404
    assert client.get(url, {"agency": "x"}).status_code == 404
    assert client.get(url, {"agency": ward_a.pk}).status_code in (200, 204)


def test_city_leader_narrows_to_one_unit(client, city_leader, ward_b, reports_ab):
    client.force_login(city_leader)
    html = client.get(INDEX, {"agency": ward_b.pk}).content.decode()
    assert ranking_names(html) == ["UBND Phường Ba Đình"]
    assert figure(html, "received") == "1"


def test_sort_links_toggle_and_order_the_ranking(client, city_leader, reports_ab):
    client.force_login(city_leader)
    html = client.get(INDEX, {"sort": "name"}).content.decode()
    assert ranking_names(html) == ["UBND Phường Ba Đình", "UBND Phường Hoàn Kiếm"]
    # The sorted column says so (aria-sort) and its link reverses the order.
    assert 'aria-sort="ascending"><a href="/bang-dieu-khien/?period=90d&amp;sort=-name"' in html
    html = client.get(INDEX, {"sort": "-name"}).content.decode()
    assert ranking_names(html) == ["UBND Phường Hoàn Kiếm", "UBND Phường Ba Đình"]
    # Number columns sort largest first on the first click.
    assert 'href="/bang-dieu-khien/?period=90d&amp;sort=-received"' in html
    html = client.get(INDEX, {"sort": "received"}).content.decode()
    assert ranking_names(html) == ["UBND Phường Ba Đình", "UBND Phường Hoàn Kiếm"]


@pytest.mark.parametrize(
    ("key", "metric", "expected"),
    [
        ("received", "received", 4),
        ("handled_pct", "handled", 1),
        ("unresolved_now", "unresolved_now", 3),
        ("overdue_now", "overdue_now", 0),
        ("reopened_pct", "reopened", 0),
    ],
)
def test_headline_figure_equals_its_drilldown_count(
    client, city_leader, reports_ab, key, metric, expected
):
    client.force_login(city_leader)
    response = client.get(INDEX)
    assert getattr(response.context["figures"], metric) == expected
    html = response.content.decode()
    link = re.search(rf'data-figure="{key}">\s*<a href="([^"]+)"', html).group(1)
    assert f"metric={metric}" in link
    page = client.get(link.replace("&amp;", "&"))
    assert page.context["page"].paginator.count == expected


def test_drilldown_lists_the_reports_behind_a_unit_figure(client, city_leader, ward_a, reports_ab):
    a1, a2, a3, _b1 = reports_ab
    client.force_login(city_leader)
    response = client.get(DRILL, {"metric": "unresolved_now", "agency": ward_a.pk})
    codes = [r.tracking_code for r in response.context["page"]]
    assert codes == [a3.tracking_code, a2.tracking_code]
    html = response.content.decode()
    assert f'href="{reverse("workspace:report", args=[a3.tracking_code])}"' in html
    assert a1.tracking_code not in html


def test_ranking_numbers_link_to_the_unit_drilldown(client, city_leader, ward_a, reports_ab):
    client.force_login(city_leader)
    html = client.get(INDEX).content.decode()
    assert (
        f'href="{DRILL}?period=90d&amp;agency={ward_a.pk}&amp;metric=unresolved_now">2</a>' in html
    )


def test_unknown_metric_is_404(client, city_leader):
    client.force_login(city_leader)
    assert client.get(DRILL, {"metric": "nonsense"}).status_code == 404


def test_live_poll_is_204_until_something_happens(client, city_leader, reports_ab, submit):
    client.force_login(city_leader)
    html = client.get(INDEX).content.decode()
    latest = re.search(r'data-latest-event="(\d+)"', html).group(1)
    assert client.get(LIVE, {"after": latest}).status_code == 204
    submit(title="Phản ánh mới")
    response = client.get(LIVE, {"after": latest})
    assert response.status_code == 200
    assert response["HX-Trigger"] == "dashboard-changed"
    fragment = response.content.decode()
    assert figure(fragment, "received") == "5"
    new_latest = re.search(r'data-latest-event="(\d+)"', fragment).group(1)
    assert int(new_latest) > int(latest)
    assert client.get(LIVE, {"after": new_latest}).status_code == 204


def test_unit_leader_live_poll_ignores_other_units(client, leader_a, reports_ab, submit):
    client.force_login(leader_a)
    latest = re.search(r'data-latest-event="(\d+)"', client.get(INDEX).content.decode()).group(1)
    submit(title="Ở Ba Đình", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    assert client.get(LIVE, {"after": latest}).status_code == 204


def test_trends_json_counts_received_and_handled_per_day(client, city_leader, reports_ab):
    client.force_login(city_leader)
    data = client.get(reverse("dashboard:trends"), {"period": "7d"}).json()
    assert len(data["days"]) == 7
    assert data["received"][-1] == 4
    assert data["handled"][-1] == 1
    assert sum(data["received"]) == 4


def test_stages_page_marks_the_bottleneck_in_words(client, leader_a, submit, officer_a):
    start = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội
    with clock.travel(start):
        report = submit()
    with clock.travel(start + timedelta(hours=2)):
        report_accept(actor=officer_a, report=report)
    with clock.travel(start + timedelta(hours=30)):
        report_resolve(actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()])
    client.force_login(leader_a)
    html = client.get(reverse("dashboard:stages"), {"period": "year"}).content.decode()
    row = html.split('<th scope="row">UBND Phường Hoàn Kiếm</th>', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="num( bottleneck)?">(.*?)</td>', row, re.S)
    assert [bool(marked) for marked, _text in cells] == [False, False, True, False]
    resolving = cells[2][1]
    assert '<span class="stage-median">28,0</span>' in resolving
    assert "▲ Điểm nghẽn" in resolving
    assert '<span class="stage-median">2,0</span>' in cells[1][1]


def test_registrations_page_counts_residents_per_ward(client, city_leader, alice, bob):
    client.force_login(city_leader)
    response = client.get(reverse("dashboard:registrations"))
    assert response.status_code == 200
    rows = {r.name: r.accounts for r in response.context["rows"]}
    assert sum(rows.values()) == 2


def _many_units(n: int, submit):
    agencies = list(Agency.objects.filter(unit__isnull=False).order_by("pk")[:n])
    for agency in agencies:
        Report.objects.filter(pk=submit().pk).update(agency=agency)
    # The update above bypasses the services (and so the rollups): rebuild, as after any
    # bulk write.
    from rollups.services import rebuild

    rebuild()


def test_index_query_count_does_not_grow_with_units(
    client, city_leader, submit, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(city_leader)
    _many_units(2, submit)
    with CaptureQueriesContext(connection) as two:
        assert len(ranking_names(client.get(INDEX).content.decode())) == 2
    _many_units(10, submit)
    with CaptureQueriesContext(connection) as ten:
        assert len(ranking_names(client.get(INDEX).content.decode())) == 10
    assert len(ten) == len(two)


def test_custom_period_counts_only_reports_received_in_it(client, city_leader, submit):
    with clock.travel(datetime(2026, 3, 10, 3, 0, tzinfo=UTC)):
        submit(title="Tháng ba")
    with clock.travel(datetime(2026, 5, 10, 3, 0, tzinfo=UTC)):
        submit(title="Tháng năm")
    client.force_login(city_leader)
    params = {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"}
    html = client.get(INDEX, params).content.decode()
    assert figure(html, "received") == "1"
    assert "01/03/2026 – 31/03/2026" in html
    # Figures link to a drill-down over the same dates.
    assert "period=custom&amp;from=2026-03-01&amp;to=2026-03-31&amp;metric=received" in html
    assert figure(client.get(INDEX, {"period": "all"}).content.decode(), "received") == "2"
