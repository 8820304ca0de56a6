from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommissioningConfig(AppConfig):
    name = "commissioning"
    verbose_name = "Commissioning (shared core)"

    def ready(self):
        # Keep role groups' permissions in step with the models after every migrate. Not tied to one
        # sender: each app's permissions are created by its own post_migrate, so sync after each.
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="commissioning.sync_roles")


def _sync_roles_after_migrate(sender, using="default", **kwargs):
    from django.db import connections

    from .roles import sync_role_groups

    # Before auth's tables exist (e.g. a partial migrate) there is nothing to sync.
    if "auth_group" in connections[using].introspection.table_names():
        sync_role_groups()
