"""The duty ledger's lines written before the chain, chained in id order, one chain per village."""

from django.db import migrations

from qunfang.core.books.chain import backfill
from qunfang.core.triggers import drop_append_only_triggers


def chain_existing_lines(apps, schema_editor):
    drop_append_only_triggers(schema_editor, "patrols_dutyledgerentry")  # `migrate` makes them again at its end
    rows = apps.get_model("patrols", "DutyLedgerEntry")._base_manager.using(schema_editor.connection.alias)
    backfill(rows, lambda line: f"duty/{line.region_id}", apps.get_model("core", "ChainHead"))


class Migration(migrations.Migration):
    dependencies = [("patrols", "0003_duty_ledger_chain_columns"), ("core", "0006_chain_heads_and_security_log_chain_columns")]
    operations = [migrations.RunPython(chain_existing_lines, migrations.RunPython.noop)]
