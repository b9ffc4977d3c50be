"""The security log's lines written before the chain, chained in id order into one chain."""

from django.db import migrations

from qunfang.core.books.chain import backfill
from qunfang.core.triggers import drop_append_only_triggers


def chain_existing_lines(apps, schema_editor):
    drop_append_only_triggers(schema_editor, "core_securityevent")  # `migrate` makes them again at its end
    rows = apps.get_model("core", "SecurityEvent")._base_manager.using(schema_editor.connection.alias)
    backfill(rows, lambda line: "security", apps.get_model("core", "ChainHead"))


class Migration(migrations.Migration):
    dependencies = [("core", "0006_chain_heads_and_security_log_chain_columns")]
    operations = [migrations.RunPython(chain_existing_lines, migrations.RunPython.noop)]
