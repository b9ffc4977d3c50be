"""The books' hash chains: the chain heads, and the chain columns of the security log (filled
in by 0007, made unique by 0008)."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0005_security_log_records_exports")]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40, unique=True, verbose_name="chain")),
                ("seq", models.PositiveBigIntegerField(default=0, verbose_name="lines")),
                ("hash", models.CharField(default="0000000000000000000000000000000000000000000000000000000000000000", max_length=64, verbose_name="hash")),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"verbose_name": "chain head", "verbose_name_plural": "chain heads", "ordering": ["name"]},
        ),
        migrations.AddField(
            model_name="securityevent",
            name="chain",
            field=models.CharField(default="", editable=False, max_length=40, verbose_name="chain"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="securityevent",
            name="seq",
            field=models.PositiveBigIntegerField(default=0, editable=False, verbose_name="line in the chain"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="securityevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="previous line's hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="securityevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="securityevent",
            name="kind",
            field=models.CharField(choices=[("login_succeeded", "Signed in"), ("login_failed", "Sign-in failed"), ("locked_out", "Locked out after repeated failures"), ("logged_out", "Signed out"), ("session_expired", "Session expired"), ("password_changed", "Password changed"), ("role_granted", "Role granted"), ("role_revoked", "Role revoked"), ("jurisdiction_changed", "Jurisdiction changed"), ("account_created", "Account created"), ("account_deactivated", "Account deactivated"), ("personal_data_revealed", "Personal data revealed"), ("data_exported", "List exported"), ("log_archived", "Older lines archived")], max_length=30, verbose_name="event"),
        ),
    ]
