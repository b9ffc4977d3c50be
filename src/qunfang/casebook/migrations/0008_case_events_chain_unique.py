from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("casebook", "0007_chain_existing_case_events")]
    operations = [
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="casebook_caseevent_chain_seq"),
        ),
    ]
