"""Commissioning plans as the council defines them: the cycle's stages (an administrator's), themes with their
"I" statements, intentions placed on the cycle, and the plan page like seed 003's table."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commissioning import roles
from strategies import services
from strategies.models import CommissioningIntention, CycleStage, StrategicTheme, ThemeStatement
from tests.factories import (
    CycleStageFactory,
    DirectorateFactory,
    IntentionFactory,
    SavingFactory,
    StrategicThemeFactory,
    StrategyFactory,
    ThemeStatementFactory,
    UserFactory,
    cycle_phase,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategy(directorate):
    return StrategyFactory(directorate=directorate, name="Adult Social Care commissioning plan")


@pytest.fixture
def theme(strategy):
    return StrategicThemeFactory(strategy=strategy, name="Prevention")


@pytest.fixture
def other_commissioner(db):
    user = UserFactory(username="other", directorate=DirectorateFactory(code="cs", name="Children's Services"))
    user.groups.add(Group.objects.get(name=roles.COMMISSIONER))
    return user


def _intention(strategy, theme, current, expected, **extra) -> dict:
    return {"theme": theme, "intention": "Commission self-help tools", "current_stage": current,
            "expected_stage": expected, **extra}  # fmt: skip


# --- The cycle -------------------------------------------------------------------------------------------


def test_the_default_cycle_is_analyse_plan_do_review_in_that_order():
    phases = CycleStage.objects.filter(parent__isnull=True).in_cycle_order()
    assert [s.name for s in phases] == ["Analyse", "Plan", "Do", "Review"]


def test_finer_stages_sit_in_cycle_order_after_their_phase_and_before_the_next():
    design = CycleStageFactory(name="Design", order=1, parent=cycle_phase("Plan"))
    prepare = CycleStageFactory(name="Prepare", order=2, parent=cycle_phase("Plan"))
    evaluate = CycleStageFactory(name="Evaluate", order=1, parent=cycle_phase("Review"))

    names = [str(s) for s in CycleStage.objects.select_related("parent").in_cycle_order()]

    assert names == ["Analyse", "Plan", "Plan: Design", "Plan: Prepare", "Do", "Review", "Review: Evaluate"]
    assert design.is_before(prepare)
    assert prepare.is_before(cycle_phase("Do"))
    assert cycle_phase("Analyse").is_before(design)
    assert not evaluate.is_before(prepare)


def test_an_administrator_adds_a_finer_stage_and_a_commissioner_may_not(administrator, commissioner):
    stage = services.cycle_stage_create(
        by=administrator, data={"name": "Design", "order": 1, "parent": cycle_phase("Plan"), "active": True}
    )
    assert str(stage) == "Plan: Design"
    assert stage.history.first().history_user == administrator
    with pytest.raises(PermissionDenied):
        services.cycle_stage_create(by=commissioner, data={"name": "Prepare", "parent": cycle_phase("Plan")})
    with pytest.raises(PermissionDenied):
        services.cycle_stage_update(stage=stage, by=commissioner, data={"name": "Designing"})


def test_a_finer_stage_sits_under_a_phase_never_under_another_finer_stage(administrator):
    design = CycleStageFactory(name="Design", parent=cycle_phase("Plan"))

    with pytest.raises(ValidationError) as refused:
        services.cycle_stage_create(by=administrator, data={"name": "Sketch", "parent": design})
    assert "is itself a finer stage" in refused.value.message_dict["parent"][0]
    with pytest.raises(ValidationError) as refused:
        services.cycle_stage_update(stage=cycle_phase("Plan"), by=administrator, data={"parent": cycle_phase("Do")})
    assert "has finer stages of its own" in refused.value.message_dict["parent"][0]


def test_two_stages_of_one_phase_cannot_share_a_name(administrator):
    CycleStageFactory(name="Design", parent=cycle_phase("Plan"))
    with pytest.raises(ValidationError) as refused:
        services.cycle_stage_create(by=administrator, data={"name": "Design", "parent": cycle_phase("Plan")})
    assert refused.value.message_dict
    assert CycleStage.objects.filter(name="Design").count() == 1


# --- Intentions on the cycle -----------------------------------------------------------------------------


def test_expected_progress_cannot_be_earlier_in_the_cycle_than_the_existing_position(commissioner, strategy, theme):
    with pytest.raises(ValidationError) as refused:
        services.intention_create(
            strategy=strategy, by=commissioner, data=_intention(strategy, theme, cycle_phase("Do"), cycle_phase("Plan"))
        )

    assert refused.value.message_dict["expected_stage"] == [
        "The expected progress cannot be earlier in the cycle than the existing position (“Plan” comes before “Do”)."
    ]
    assert not CommissioningIntention.objects.exists()


def test_within_a_phase_finer_stages_keep_their_order_and_the_phase_itself_is_the_same_point(
    commissioner, strategy, theme
):
    design = CycleStageFactory(name="Design", order=1, parent=cycle_phase("Plan"))
    prepare = CycleStageFactory(name="Prepare", order=2, parent=cycle_phase("Plan"))

    with pytest.raises(ValidationError):
        services.intention_create(strategy=strategy, by=commissioner, data=_intention(strategy, theme, prepare, design))
    staying = services.intention_create(
        strategy=strategy, by=commissioner, data=_intention(strategy, theme, design, design)
    )
    to_phase = services.intention_create(
        strategy=strategy, by=commissioner, data=_intention(strategy, theme, prepare, cycle_phase("Plan"))
    )
    moving = services.intention_update(intention=staying, by=commissioner, data={"expected_stage": prepare})

    assert (moving.current_stage, moving.expected_stage) == (design, prepare)
    assert to_phase.expected_stage == cycle_phase("Plan")


def test_an_inactive_stage_is_kept_by_an_intention_at_it_but_not_chosen_anew(administrator, commissioner, strategy):
    design = CycleStageFactory(name="Design", parent=cycle_phase("Plan"))
    intention = IntentionFactory(strategy=strategy, current_stage=design, expected_stage=cycle_phase("Do"))
    services.cycle_stage_update(stage=design, by=administrator, data={"active": False})

    kept = services.intention_update(intention=intention, by=commissioner, data={"activity": "Tender in May."})
    assert kept.current_stage == design
    with pytest.raises(ValidationError) as refused:
        services.intention_create(
            strategy=strategy,
            by=commissioner,
            data=_intention(strategy, kept.theme, design, cycle_phase("Do")),
        )
    assert "no longer an active stage" in refused.value.message_dict["current_stage"][0]


def test_an_intention_sits_under_a_theme_of_its_own_plan(commissioner, strategy):
    elsewhere = StrategicThemeFactory(strategy=StrategyFactory(directorate=strategy.directorate), name="Recovery")

    with pytest.raises(ValidationError) as refused:
        services.intention_create(
            strategy=strategy,
            by=commissioner,
            data=_intention(strategy, elsewhere, cycle_phase("Plan"), cycle_phase("Do")),
        )
    assert refused.value.message_dict["theme"] == [
        "Choose one of the plan's own themes: “Recovery” belongs to another plan."
    ]


def test_an_intention_delivers_only_its_own_directorates_mtfp_savings(commissioner, strategy, theme):
    own = SavingFactory(directorate=strategy.directorate, reference="ASC-1415-03")
    other = SavingFactory(reference="CS-1415-01")

    with pytest.raises(ValidationError) as refused:
        services.intention_create(
            strategy=strategy,
            by=commissioner,
            data=_intention(strategy, theme, cycle_phase("Plan"), cycle_phase("Do"), savings=[own, other]),
        )
    assert "CS-1415-01 belongs to another directorate" in refused.value.message_dict["savings"][0]

    intention = services.intention_create(
        strategy=strategy,
        by=commissioner,
        data=_intention(strategy, theme, cycle_phase("Plan"), cycle_phase("Do"), driver="Care Bill", savings=[own]),
    )
    assert list(intention.savings.all()) == [own]
    assert intention.driver == "Care Bill"


# --- Themes and "I" statements ---------------------------------------------------------------------------


def test_a_commissioner_keeps_the_themes_and_statements_of_their_directorates_plans(
    commissioner, other_commissioner, strategy
):
    theme = services.theme_create(strategy=strategy, by=commissioner, data={"name": "Recovery", "order": 2})
    statement = services.statement_create(
        theme=theme, by=commissioner, data={"text": "I am enabled to achieve as full a recovery as possible."}
    )
    services.statement_update(statement=statement, by=commissioner, data={"order": 3})

    with pytest.raises(PermissionDenied):
        services.theme_update(theme=theme, by=other_commissioner, data={"name": "Renamed"})
    with pytest.raises(PermissionDenied):
        services.statement_create(theme=theme, by=other_commissioner, data={"text": "I have a say."})
    with pytest.raises(ValidationError) as refused:
        services.theme_create(strategy=strategy, by=commissioner, data={"name": "Recovery"})
    assert refused.value.message_dict
    assert list(ThemeStatement.objects.values_list("order", flat=True)) == [3]


def test_theme_named_finds_the_plans_theme_whatever_its_case_or_adds_it_last(commissioner, strategy, theme):
    assert services.theme_named(strategy=strategy, name="prevention", by=commissioner) == theme
    added = services.theme_named(strategy=strategy, name="Long  Term Support", by=commissioner)
    assert (added.name, added.order) == ("Long Term Support", theme.order + 1)
    assert StrategicTheme.objects.filter(strategy=strategy).count() == 2


# --- The plan page ----------------------------------------------------------------------------------------


def _somerset_like(strategy, theme):
    plan_stages = [
        CycleStageFactory(name=name, order=order, parent=cycle_phase("Plan"))
        for order, name in enumerate(["Design", "Prepare"], start=1)
    ]
    ThemeStatementFactory(theme=theme, text="I have access to easy-to-understand information.", order=1)
    recovery = StrategicThemeFactory(strategy=strategy, name="Recovery", order=2)
    IntentionFactory(
        strategy=strategy,
        theme=theme,
        intention="Make information and advice more accessible",
        driver="Care Bill",
        current_stage=plan_stages[0],
        expected_stage=plan_stages[1],
        activity="Develop a web based portal.",
    )
    IntentionFactory(
        strategy=strategy,
        theme=recovery,
        intention="Establish seven day working",
        driver="Better Care Fund",
        current_stage=cycle_phase("Analyse"),
        expected_stage=cycle_phase("Analyse"),
    )
    return plan_stages


def test_the_plan_shows_each_themes_statements_then_its_intentions_along_the_cycle(client_as_scrutiny, strategy, theme):
    _somerset_like(strategy, theme)

    response = client_as_scrutiny.get(reverse("strategies:plan", args=[strategy.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Prevention: key commissioning work") < page.index("“I have access to easy-to-understand")
    assert page.index("“I have access to easy-to-understand") < page.index("Make information and advice")
    assert page.index("Make information and advice") < page.index("Recovery: key commissioning work")
    assert "Driver: Care Bill" in page
    assert "Driver: Better Care Fund" in page
    # The stages are a row of cells, marked in words: Plan's finer stages under a Plan heading.
    assert '<th scope="colgroup" class="govuk-table__header" colspan="2">Plan</th>' in page
    info = page[page.index("Make information and advice") : page.index("Develop a web based portal.")]
    cells = [cell.split("</td>")[0] for cell in info.split('<td class="govuk-table__cell">')[1:6]]
    assert [("Existing" in c, "Expected" in c) for c in cells] == [
        (False, False),  # Analyse
        (True, False),  # Plan: Design
        (False, True),  # Plan: Prepare
        (False, False),  # Do
        (False, False),  # Review
    ]
    assert "Existing and expected" in page  # seven day working stays at Analyse
    assert "Edit theme" not in page  # a councillor reads the plan


def test_the_plan_page_runs_the_same_queries_however_large_the_plan(
    client_as_commissioner, strategy, theme, django_assert_max_num_queries
):
    _somerset_like(strategy, theme)
    url = reverse("strategies:plan", args=[strategy.pk])
    client_as_commissioner.get(url)
    for number in range(30):
        extra = StrategicThemeFactory(strategy=strategy, name=f"Theme {number}", order=number + 3)
        ThemeStatementFactory(theme=extra)
        intention = IntentionFactory(strategy=strategy, theme=extra)
        intention.savings.add(SavingFactory(directorate=strategy.directorate))

    with django_assert_max_num_queries(14):
        response = client_as_commissioner.get(url)
    assert response.content.decode().count("key commissioning work") == 32


def test_the_plan_prints_without_its_edit_links(client_as_commissioner, strategy, theme):
    _somerset_like(strategy, theme)
    page = client_as_commissioner.get(reverse("strategies:plan_print", args=[strategy.pk])).content.decode()
    assert "Make information and advice" in page
    assert "Edit theme" not in page
    assert "Back to the plan" in page


def test_a_commissioner_adds_a_theme_a_statement_and_an_intention_through_the_pages(client_as_commissioner, strategy):
    design = CycleStageFactory(name="Design", parent=cycle_phase("Plan"))
    response = client_as_commissioner.post(
        reverse("strategies:theme_add", args=[strategy.pk]), {"name": "Partnerships", "order": 5}
    )
    assert response.status_code == 302
    theme = StrategicTheme.objects.get(strategy=strategy, name="Partnerships")
    response = client_as_commissioner.post(
        reverse("strategies:statement_add", args=[theme.pk]),
        {"text": "I have considerate support delivered by competent people", "order": 1},
    )
    assert response.status_code == 302
    add = reverse("strategies:intention_add", args=[strategy.pk])
    refused = client_as_commissioner.post(
        add,
        {"theme": theme.pk, "intention": "Develop the BCF plan", "current_stage": cycle_phase("Do").pk,
         "expected_stage": design.pk, "order": 1},
    )  # fmt: skip
    assert refused.status_code == 200
    assert "cannot be earlier in the cycle" in refused.content.decode()
    saved = client_as_commissioner.post(
        add,
        {"theme": theme.pk, "intention": "Develop the BCF plan", "driver": "Better Care Fund",
         "current_stage": design.pk, "expected_stage": cycle_phase("Do").pk, "order": 1},
    )  # fmt: skip
    assert saved.status_code == 302
    assert saved.url == reverse("strategies:plan", args=[strategy.pk])
    assert CommissioningIntention.objects.get().current_stage == design


def test_an_administrator_keeps_the_cycle_on_its_page_and_others_read_it(client_as_admin, client_as_commissioner):
    response = client_as_admin.post(
        reverse("strategies:cycle_stage_add"),
        {"name": "Evaluate", "parent": cycle_phase("Review").pk, "order": 1, "active": "on"},
    )
    assert response.status_code == 302
    assert str(CycleStage.objects.get(name="Evaluate")) == "Review: Evaluate"
    page = client_as_commissioner.get(reverse("strategies:cycle_stages")).content.decode()
    assert "Evaluate" in page
    assert "Add a stage" not in page
    assert client_as_commissioner.get(reverse("strategies:cycle_stage_add")).status_code == 403


def test_the_admin_adds_a_cycle_stage_through_the_service(client_as_admin):
    response = client_as_admin.post(
        reverse("admin:strategies_cyclestage_add"),
        {"name": "Manage", "order": 2, "parent": cycle_phase("Do").pk, "description": "", "active": "on"},
    )
    assert response.status_code == 302
    stage = CycleStage.objects.get(name="Manage")
    assert stage.history.first().history_user.username == "administrator"
    assert Decimal(stage.order) == 2
