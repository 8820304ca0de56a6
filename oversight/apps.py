from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Contract and provider oversight"

    def ready(self) -> None:
        # A published contract performance notice never changes: its save and delete guards are signal
        # receivers, connected here so that they hold in every process (shell, worker, admin), not only where
        # the pages or the API have imported the notices module.
        from . import notices  # noqa: F401
