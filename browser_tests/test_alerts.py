"""Area alerts in real Chromium, in Vietnamese: a coordinator publishes a flood alert for ward
A; a resident who follows ward A sees the banner on the map and the alert on the alerts page;
a resident of ward B sees neither (and can follow a ward there)."""

from __future__ import annotations

from alerts.models import AreaAlert, WardFollow
from notify.models import Notification
from reports import clock
from units.models import AdministrativeUnit, Agency

from .conftest import SCREENSHOTS, assert_accessible, open_page, sign_in

TITLE = "Ngập sâu phố Hàng Bài"
BODY = "Nước ngập 40 cm từ 17 giờ, tránh đi qua phố Hàng Bài và Lý Thường Kiệt."


def test_coordinator_publishes_a_flood_alert_that_ward_a_sees(alice, bob, coordinator, live_server):
    unit_a = Agency.objects.get(code="ubnd-00070").unit
    unit_b = Agency.objects.get(code="ubnd-00004").unit
    noi_bai = AdministrativeUnit.objects.get(era="2025", code="00433")
    WardFollow.objects.create(user=alice, ward=unit_a, created_at=clock.now())
    bob.home_ward = unit_b
    bob.save(update_fields=["home_ward"])

    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "coordinator", "/can-bo/canh-bao/")
        page.locator("#publish-form").wait_for()
        assert_accessible(page)
        page.locator("#id_kind").select_option("flood")
        page.locator("#id_title").fill(TITLE)
        page.locator("#id_body").fill(BODY)
        page.locator("#id_wards").select_option(str(unit_a.pk))
        # Validity: the form's own "now" and "in 12 hours".
        page.locator("#publish-submit").click()
        listed = page.locator("li[id^='staff-alert-']", has_text=TITLE)
        listed.wait_for()
        assert "Hoàn Kiếm" in listed.inner_text()
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "alerts_staff_vi.png"), full_page=True)

    with open_page() as page:
        sign_in(page, live_server.url, "alice", "/ban-do/")
        banner = page.locator("#alert-banner")
        banner.wait_for()
        assert TITLE in banner.inner_text()
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "alerts_banner_vi.png"), full_page=True)
        banner.locator("a").click()
        page.wait_for_url(f"{live_server.url}/canh-bao/")
        alert = page.locator("li[id^='alert-']", has_text=TITLE)
        assert BODY in alert.inner_text()
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "alerts_resident_vi.png"), full_page=True)

    with open_page() as page:
        sign_in(page, live_server.url, "bob", "/ban-do/")
        page.locator("#map").wait_for()
        assert page.locator("#alert-banner").count() == 0
        assert TITLE not in page.content()
        page.goto(f"{live_server.url}/canh-bao/")
        assert page.locator("li[id^='alert-']").count() == 0
        # Following another ward (his home ward B counts already) still shows no ward A alert.
        page.locator("#follow-ward").select_option(str(noi_bai.pk))
        page.locator("#follow-submit").click()
        page.locator(f"#followed-{noi_bai.pk}").wait_for()
        assert page.locator("li[id^='alert-']").count() == 0
        assert_accessible(page)

    alert_row = AreaAlert.objects.get()
    assert (alert_row.kind, alert_row.title, alert_row.created_by) == ("flood", TITLE, coordinator)
    # The delivery task ran (immediately beside the live server): alice was notified, bob not.
    assert list(
        Notification.objects.filter(kind="alert").values_list("user__username", flat=True)
    ) == ["alice"]
