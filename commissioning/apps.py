from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save


class CommissioningConfig(AppConfig):
    name = "commissioning"
    verbose_name = "Commissioning (shared core)"

    def ready(self):
        # Keep role groups' permissions in step with the models after every migrate. Not tied to one
        # sender: each app's permissions are created by its own post_migrate, so sync after each.
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="commissioning.sync_roles")
        from .text import normalise_record_text

        # One way of storing text, whichever path saves it (commissioning/text.py).
        pre_save.connect(normalise_record_text, dispatch_uid="commissioning.normalise_text")


def _sync_roles_after_migrate(sender, using="default", **kwargs):
    from django.db import connections

    from .roles import sync_role_groups

    # Before auth's tables exist (e.g. a partial migrate) there is nothing to sync.
    if "auth_group" in connections[using].introspection.table_names():
        sync_role_groups()
