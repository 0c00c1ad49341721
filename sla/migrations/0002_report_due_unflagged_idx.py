"""A partial index for the reports past their deadline that the SLA sweep has not flagged yet.

Both the sweep (its first query) and the dashboard's exact "overdue now" (sla/selectors.py)
look for `due_at <= now AND overdue_since IS NULL`. On report_due_at_idx that is a scan of
every overdue report, flagged or not (tens of thousands in a big city); this index holds only
the unflagged ones with a deadline, a sweep interval's worth of which are past due.

Raw SQL in the sla app because the query is the SLA clock's, and the same statement works on
SQLite and PostgreSQL (both have partial indexes). Django's model state does not know the
index, so `makemigrations --check` is unaffected.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
        ("reports", "0006_report_map_point_idx"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX report_due_unflagged_idx ON reports_report (due_at) "
                "WHERE overdue_since IS NULL AND due_at IS NOT NULL"
            ),
            reverse_sql="DROP INDEX report_due_unflagged_idx",
        ),
    ]
