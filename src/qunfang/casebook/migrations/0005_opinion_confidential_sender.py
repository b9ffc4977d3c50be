from django.db import migrations, models


def follow_confidential_cases(apps, schema_editor):
    """An entry that already became a confidential case keeps its sender confidential too."""
    Opinion = apps.get_model("casebook", "Opinion")
    Opinion.objects.filter(anonymous=False, cases__reporter_confidential=True).update(
        confidential=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("casebook", "0004_case_reporter_confidential_opinion_notice_pending"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalopinion",
            name="confidential",
            field=models.BooleanField(
                default=False,
                help_text="The sender's name and contact are then shown only to those allowed to see confidential reporters, each time logged, and never printed.",
                verbose_name="keep the sender confidential",
            ),
        ),
        migrations.AddField(
            model_name="opinion",
            name="confidential",
            field=models.BooleanField(
                default=False,
                help_text="The sender's name and contact are then shown only to those allowed to see confidential reporters, each time logged, and never printed.",
                verbose_name="keep the sender confidential",
            ),
        ),
        migrations.AddConstraint(
            model_name="opinion",
            constraint=models.CheckConstraint(
                condition=models.Q(("anonymous", False), ("confidential", False), _connector="OR"),
                name="anonymous_opinion_not_confidential",
            ),
        ),
        migrations.RunPython(follow_confidential_cases, migrations.RunPython.noop),
    ]
