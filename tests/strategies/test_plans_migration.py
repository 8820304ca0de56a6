"""Migrations 0002–0004 of strategies: the fixed four-stage cycle becomes the administrator's stages, and every
existing intention keeps its theme (now a theme of its strategy) and its positions on the cycle."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("strategies", "0001_initial")]
AFTER = [("strategies", "0004_intention_theme_and_stages")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    """The database as it was before plans (strategies at 0001), put back to the latest schema afterwards."""
    old = _migrate(BEFORE)
    try:
        yield old
    finally:
        latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
        _migrate(latest)


def test_old_intentions_keep_their_themes_and_stages_after_the_migration(old_schema):
    Directorate = old_schema.get_model("commissioning", "Directorate")
    Strategy = old_schema.get_model("strategies", "CommissioningStrategy")
    Intention = old_schema.get_model("strategies", "CommissioningIntention")
    directorate = Directorate.objects.create(name="Adult Care and Community Wellbeing", code="accw-old")
    carers = Strategy.objects.create(name="Carers", directorate=directorate, purpose="Support carers.", sponsor="ED")
    frailty = Strategy.objects.create(name="Frailty", directorate=directorate, purpose="Frailty.", sponsor="ED")
    rows = [
        (carers, 1, "Breaks", "plan", "do"),
        (carers, 2, "Assessments", "analyse", "plan"),
        (carers, 3, "breaks ", "do", "review"),  # the same theme as the first, typed differently
        (frailty, 1, "Breaks", "review", "review"),
    ]
    for strategy, order, theme, current, expected in rows:
        Intention.objects.create(
            strategy=strategy,
            order=order,
            theme=theme,
            intention=f"Intention {order}",
            current_position=current,
            expected_position=expected,
        )

    new = _migrate(AFTER)

    stages = new.get_model("strategies", "CycleStage").objects.order_by("order")
    assert [(s.name, s.order, s.parent_id, s.active) for s in stages] == [
        ("Analyse", 1, None, True),
        ("Plan", 2, None, True),
        ("Do", 3, None, True),
        ("Review", 4, None, True),
    ]
    moved = new.get_model("strategies", "CommissioningIntention").objects.select_related(
        "strategy", "theme", "current_stage", "expected_stage"
    )
    assert sorted(
        (i.strategy.name, i.order, i.theme.name, i.theme.strategy_id == i.strategy_id, i.current_stage.name,
         i.expected_stage.name)
        for i in moved
    ) == [
        ("Carers", 1, "Breaks", True, "Plan", "Do"),
        ("Carers", 2, "Assessments", True, "Analyse", "Plan"),
        ("Carers", 3, "Breaks", True, "Do", "Review"),
        ("Frailty", 1, "Breaks", True, "Review", "Review"),
    ]  # fmt: skip
    themes = new.get_model("strategies", "StrategicTheme").objects.order_by("strategy__name", "order")
    assert [(t.strategy.name, t.name, t.order) for t in themes] == [
        ("Carers", "Breaks", 1),
        ("Carers", "Assessments", 2),
        ("Frailty", "Breaks", 1),
    ]


def test_the_migration_runs_backwards_to_the_fixed_stages(old_schema):
    Directorate = old_schema.get_model("commissioning", "Directorate")
    Strategy = old_schema.get_model("strategies", "CommissioningStrategy")
    directorate = Directorate.objects.create(name="Public Health", code="ph-old")
    strategy = Strategy.objects.create(name="Wellbeing", directorate=directorate, purpose="Wellbeing.", sponsor="DPH")
    old_schema.get_model("strategies", "CommissioningIntention").objects.create(
        strategy=strategy, theme="Prevention", intention="Falls service", current_position="do", expected_position="do"
    )
    _migrate(AFTER)

    back = _migrate(BEFORE)

    intention = back.get_model("strategies", "CommissioningIntention").objects.get()
    assert (intention.theme, intention.current_position, intention.expected_position) == ("Prevention", "do", "do")
