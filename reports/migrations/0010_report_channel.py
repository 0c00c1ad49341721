from django.db import migrations, models

KNOWN = {"web", "api", "open311", "zalo", "email", "hotline", "assisted"}


def known_channels(apps, schema_editor):
    # "source" was free text ("app" in early demo data): anything unknown was the website/app.
    Report = apps.get_model("reports", "Report")
    Report.objects.exclude(channel__in=KNOWN).update(channel="web")


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_event_join_accounts")]

    operations = [
        migrations.RenameField("report", "source", "channel"),
        migrations.RunPython(known_channels, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="report",
            name="channel",
            field=models.CharField(
                choices=[
                    ("web", "Website and app"),
                    ("api", "API"),
                    ("open311", "Open311"),
                    ("zalo", "Zalo"),
                    ("email", "E-mail"),
                    ("hotline", "Hotline"),
                    ("assisted", "Filed by a community helper"),
                ],
                db_index=True,
                default="web",
                max_length=20,
                verbose_name="channel",
            ),
        ),
    ]
