from django.db import migrations, models


class Migration(migrations.Migration):
    """Check-ins by village and time: the home page counts a week's findings for the user's
    villages without reading every check-in of the database."""

    dependencies = [("patrols", "0007_printed_signs_weekly_at_most")]

    operations = [
        migrations.AddIndex(
            model_name="checkin",
            index=models.Index(fields=["region", "recorded_at"], name="checkin_region_time"),
        ),
    ]
