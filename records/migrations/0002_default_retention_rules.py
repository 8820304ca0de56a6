"""The retention schedule's statutory defaults (records.defaults), loaded once; an administrator changes them."""

from django.db import migrations


def load_defaults(apps, schema_editor):
    from records.defaults import default_rules

    RetentionRule = apps.get_model("records", "RetentionRule")
    for row in default_rules():
        RetentionRule.objects.get_or_create(record_type=row["record_type"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_information_governance")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
