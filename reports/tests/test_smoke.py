from reports.workflow import Status


def test_submitted_report_at_hoan_kiem_lake_is_routed_to_the_ward(submit, ward_a):
    report = submit()
    assert report.status == Status.ROUTED
    assert report.agency == ward_a
    assert report.ward.code == "00070"
    assert report.tracking_code.startswith("PA-")
    assert list(report.events.values_list("action", flat=True)) == ["submit", "route"]
