from django.apps import AppConfig
from django.db.models.signals import post_migrate

# The council's cycle until an administrator changes it (migration 0003 creates the same four).
DEFAULT_CYCLE = [
    ("Analyse", "Understand needs, resources and the market."),
    ("Plan", "Decide what to commission and how: design the service and prepare to buy it."),
    ("Do", "Buy, implement and manage the service."),
    ("Review", "Evaluate the service against its outcomes and decide what next."),
]


class StrategiesConfig(AppConfig):
    name = "strategies"
    verbose_name = "Strategies"

    def ready(self):
        # A database emptied by ``flush`` (a test's teardown) has lost the migration's default cycle: put it back.
        post_migrate.connect(_default_cycle_after_migrate, sender=self, dispatch_uid="strategies.default_cycle")


def _default_cycle_after_migrate(sender, using="default", **kwargs):
    from django.db import connections

    from .models import CycleStage

    if "strategies_cyclestage" not in connections[using].introspection.table_names():
        return
    stages = CycleStage.objects.using(using)
    if stages.exists():
        return  # the administrator's cycle, whatever it now is
    for order, (name, description) in enumerate(DEFAULT_CYCLE, start=1):
        stages.create(name=name, order=order, description=description, active=True)
