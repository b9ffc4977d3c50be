from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0007_chain_existing_security_log")]
    operations = [
        migrations.AddConstraint(
            model_name="securityevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="core_securityevent_chain_seq"),
        ),
    ]
