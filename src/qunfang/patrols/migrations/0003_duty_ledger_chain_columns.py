"""The duty ledger's chain columns (filled in by 0004, made unique by 0005); the time a line
is recorded is set when it is made, as the hash covers it."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("patrols", "0002_duty_ledger_append_only")]

    operations = [
        migrations.AddField(
            model_name="dutyledgerentry",
            name="chain",
            field=models.CharField(default="", editable=False, max_length=40, verbose_name="chain"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="dutyledgerentry",
            name="seq",
            field=models.PositiveBigIntegerField(default=0, editable=False, verbose_name="line in the chain"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="dutyledgerentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="previous line's hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="dutyledgerentry",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="dutyledgerentry",
            name="recorded_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
    ]
