"""The case book's chain columns (filled in by 0007, made unique by 0008)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("casebook", "0005_opinion_confidential_sender")]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="chain",
            field=models.CharField(default="", editable=False, max_length=40, verbose_name="chain"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="caseevent",
            name="seq",
            field=models.PositiveBigIntegerField(default=0, editable=False, verbose_name="line in the chain"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="caseevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="previous line's hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="caseevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
    ]
