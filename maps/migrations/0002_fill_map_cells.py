"""Count the reports already stored, so an existing database's map is not empty until the
next `manage.py rebuild_map_cells`."""

from django.db import migrations


def fill(apps, schema_editor):
    from maps.services import HIDDEN_STATUSES, count_reports, row_values

    Report = apps.get_model("reports", "Report")
    MapCell = apps.get_model("maps", "MapCell")
    reports = (
        Report.objects.filter(is_public=True, lat__isnull=False, lon__isnull=False)
        .exclude(status__in=HIDDEN_STATUSES)
        .values_list("lat", "lon", "category_id", "status", "ward_id")
        .order_by()
    )
    counts = count_reports(reports.iterator(chunk_size=20_000))
    MapCell.objects.bulk_create(
        (MapCell(**row_values(key, n)) for key, n in counts.items()), batch_size=5_000
    )


class Migration(migrations.Migration):
    dependencies = [("maps", "0001_map_cells"), ("reports", "0006_report_map_point_idx")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
