from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommissioningConfig(AppConfig):
    name = "commissioning"
    verbose_name = "Commissioning (shared core)"

    def ready(self):
        from .roles import sync_role_groups

        # Keep role groups' permissions in step with the models after every migrate.
        post_migrate.connect(_sync_roles_after_migrate, sender=self, dispatch_uid="commissioning.sync_roles")
        self._sync = sync_role_groups


def _sync_roles_after_migrate(sender, **kwargs):
    from .roles import sync_role_groups

    sync_role_groups()
