"""The default commissioning cycle (Analyse, Plan, Do, Review) as administrator-configurable stages, and each
existing intention moved onto them: its fixed stage value becomes the stage of the same name, and its theme text
becomes a theme of its strategy (one theme per distinct text, in the order the intentions first use it)."""

from django.db import migrations

DEFAULT_CYCLE = [
    ("analyse", "Analyse", "Understand needs, resources and the market."),
    ("plan", "Plan", "Decide what to commission and how: design the service and prepare to buy it."),
    ("do", "Do", "Buy, implement and manage the service."),
    ("review", "Review", "Evaluate the service against its outcomes and decide what next."),
]


def forwards(apps, schema_editor):
    CycleStage = apps.get_model("strategies", "CycleStage")
    StrategicTheme = apps.get_model("strategies", "StrategicTheme")
    Intention = apps.get_model("strategies", "CommissioningIntention")
    stages = {}
    for order, (value, name, description) in enumerate(DEFAULT_CYCLE, start=1):
        stage = CycleStage.objects.filter(parent__isnull=True, name=name).first()
        if stage is None:
            stage = CycleStage.objects.create(name=name, order=order, description=description, active=True)
        stages[value] = stage
    themes = {}
    for intention in Intention.objects.order_by("strategy_id", "order", "pk"):
        name = (intention.theme or "").strip()[:150] or "General"
        key = (intention.strategy_id, name.lower())
        if key not in themes:
            themes[key] = StrategicTheme.objects.create(
                strategy_id=intention.strategy_id,
                name=name,
                order=sum(1 for k in themes if k[0] == intention.strategy_id) + 1,
            )
        intention.theme_ref = themes[key]
        intention.current_stage = stages.get(intention.current_position, stages["analyse"])
        intention.expected_stage = stages.get(intention.expected_position, intention.current_stage)
        intention.save(update_fields=["theme_ref", "current_stage", "expected_stage"])
    # The intentions' history keeps reading the same: each old version points at its theme and stages.
    History = apps.get_model("strategies", "HistoricalCommissioningIntention")
    for version in History.objects.all():
        name = (version.theme or "").strip()[:150] or "General"
        theme = themes.get((version.strategy_id, name.lower()))
        version.theme_ref_id = theme.pk if theme else None
        version.current_stage_id = stages.get(version.current_position, stages["analyse"]).pk
        version.expected_stage_id = stages.get(version.expected_position, stages["analyse"]).pk
        version.save(update_fields=["theme_ref", "current_stage", "expected_stage"])


def backwards(apps, schema_editor):
    """Back to the fixed values: a stage's phase gives the old value (a finer stage its phase's)."""
    Intention = apps.get_model("strategies", "CommissioningIntention")
    by_name = {name: value for value, name, _ in DEFAULT_CYCLE}

    def value_of(stage):
        phase = stage.parent or stage
        return by_name.get(phase.name, "analyse")

    for intention in Intention.objects.select_related("theme_ref", "current_stage__parent", "expected_stage__parent"):
        intention.theme = intention.theme_ref.name if intention.theme_ref_id else ""
        if intention.current_stage_id:
            intention.current_position = value_of(intention.current_stage)
        if intention.expected_stage_id:
            intention.expected_position = value_of(intention.expected_stage)
        intention.save(update_fields=["theme", "current_position", "expected_position"])


class Migration(migrations.Migration):
    dependencies = [("strategies", "0002_cycle_stages_themes_savings")]

    operations = [migrations.RunPython(forwards, backwards)]
