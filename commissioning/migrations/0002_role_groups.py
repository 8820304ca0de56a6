"""Create the four role groups with their permissions.

Permissions are normally created after all migrations run; create them here first so
the groups can be given them. commissioning.apps re-syncs after every later migrate.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_role_groups(apps, schema_editor):
    from commissioning.roles import sync_role_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps)


def remove_role_groups(apps, schema_editor):
    from commissioning.roles import ALL_ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ALL_ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("commissioning", "0001_initial"),
        ("contracts", "0002_initial"),
        ("performance", "0002_initial"),
        ("providers", "0001_initial"),
        ("scrutiny", "0002_initial"),
        ("strategies", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
