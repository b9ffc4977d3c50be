"""The case events written before the chain, chained in id order, one chain per village."""

from django.db import migrations

from qunfang.core.books.chain import backfill
from qunfang.core.triggers import drop_append_only_triggers


def chain_existing_lines(apps, schema_editor):
    drop_append_only_triggers(schema_editor, "casebook_caseevent")  # `migrate` makes them again at its end
    rows = apps.get_model("casebook", "CaseEvent")._base_manager.using(schema_editor.connection.alias)
    backfill(rows.select_related("case"), lambda line: f"casebook/{line.case.region_id}", apps.get_model("core", "ChainHead"))


class Migration(migrations.Migration):
    dependencies = [("casebook", "0006_case_events_chain_columns"), ("core", "0006_chain_heads_and_security_log_chain_columns")]
    operations = [migrations.RunPython(chain_existing_lines, migrations.RunPython.noop)]
