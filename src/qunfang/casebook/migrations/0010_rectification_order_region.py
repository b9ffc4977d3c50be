"""Rectification orders carry their inspection's village, for the (region, status, deadline)
index: the overdue orders of one village without reading every village's."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_region(apps, schema_editor):
    Order = apps.get_model("casebook", "RectificationOrder")
    Hazard = apps.get_model("casebook", "Hazard")
    village = Hazard.objects.filter(pk=OuterRef("hazard_id")).values("inspection__region_id")[:1]
    # (history lines stay as they were written: the history tables are append-only)
    Order.objects.update(region_id=Subquery(village))


class Migration(migrations.Migration):
    dependencies = [
        ("casebook", "0009_overdue_notices"),
        ("core", "0012_import_mapping"),
    ]

    operations = [
        migrations.AddField(
            model_name="rectificationorder",
            name="region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
                verbose_name="village",
            ),
        ),
        migrations.AddField(
            model_name="historicalrectificationorder",
            name="region",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="core.region",
                verbose_name="village",
            ),
        ),
        migrations.RunPython(fill_region, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="rectificationorder",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
                verbose_name="village",
            ),
        ),
        migrations.RemoveIndex(model_name="rectificationorder", name="rectification_due"),
        migrations.AddIndex(
            model_name="rectificationorder",
            index=models.Index(
                fields=["region", "status", "deadline"], name="rectification_due_here"
            ),
        ),
    ]
