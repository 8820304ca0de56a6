"""Every write of the strategies app, called as the pages, the API and the admin call it: it does the job and
records who did it; it refuses the wrong role and another directorate's commissioner; and bad input is refused
naming the field, with nothing half-saved."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning import roles
from strategies import services
from strategies.models import CommissioningIntention, CommissioningStrategy, HighlightReport, Outcome, StrategyRisk
from tests.factories import (
    DirectorateFactory,
    HighlightReportFactory,
    IntentionFactory,
    MeetingFactory,
    OutcomeFactory,
    StrategicThemeFactory,
    StrategyFactory,
    StrategyRiskFactory,
    SubmittedHighlightReportFactory,
    UserFactory,
    cycle_phase,
)

pytestmark = pytest.mark.django_db

Status = HighlightReport.Status


@pytest.fixture
def other_commissioner(db):
    """A commissioner of another directorate than the strategies' (the ``directorate`` fixture's)."""
    user = UserFactory(username="other-commissioner", directorate=DirectorateFactory(name="Place", code="place"))
    user.groups.add(Group.objects.get(name=roles.COMMISSIONER))
    return user


@pytest.fixture
def strategy(directorate):
    return StrategyFactory(directorate=directorate, name="Carers")


@pytest.fixture
def draft(strategy):
    return HighlightReportFactory(strategy=strategy, year=2018, quarter=3)


STRATEGY_DATA = {
    "name": "Adult Frailty",
    "purpose": "The purpose of this commissioning strategy is to support frail adults.",
    "sponsor": "Executive Director of Adult Care and Community Wellbeing",
    "stage_plan": True,
    "period_start": datetime.date(2018, 4, 1),
    "period_end": datetime.date(2021, 3, 31),
}


# --- Strategies ---------------------------------------------------------------------------------------


def test_a_commissioner_records_a_strategy_for_their_directorate(commissioner, directorate):
    strategy = services.strategy_create(by=commissioner, data={**STRATEGY_DATA, "directorate": directorate})

    assert strategy.stages == ["Plan"]
    assert strategy.history.get().history_user == commissioner


def test_a_strategy_may_not_end_before_it_starts_and_nothing_is_saved(commissioner, directorate):
    data = {**STRATEGY_DATA, "directorate": directorate, "period_end": datetime.date(2018, 3, 31)}

    with pytest.raises(ValidationError) as refused:
        services.strategy_create(by=commissioner, data=data)

    assert refused.value.message_dict == {"period_end": ["The strategy must end after it starts."]}
    assert not CommissioningStrategy.objects.exists()


@pytest.mark.parametrize("actor", ["contract_officer", "scrutiny_member", "other_commissioner"])
def test_only_a_directorates_commissioners_record_its_strategies(request, directorate, actor):
    with pytest.raises(PermissionDenied):
        services.strategy_create(by=request.getfixturevalue(actor), data={**STRATEGY_DATA, "directorate": directorate})

    assert not CommissioningStrategy.objects.exists()


def test_a_strategy_is_changed_and_the_change_recorded(commissioner, strategy):
    services.strategy_update(strategy=strategy, by=commissioner, data={"summary": "Carers are supported."})

    strategy.refresh_from_db()
    assert strategy.summary == "Carers are supported."
    assert strategy.history.first().history_user == commissioner


@pytest.mark.parametrize("actor", ["contract_officer", "scrutiny_member", "other_commissioner"])
def test_only_the_strategys_directorate_changes_it(request, strategy, actor):
    with pytest.raises(PermissionDenied):
        services.strategy_update(strategy=strategy, by=request.getfixturevalue(actor), data={"summary": "Changed."})

    strategy.refresh_from_db()
    assert strategy.summary == "A summary."


def test_a_commissioner_cannot_move_a_strategy_to_another_directorate(commissioner, strategy):
    with pytest.raises(PermissionDenied):
        services.strategy_update(strategy=strategy, by=commissioner, data={"directorate": DirectorateFactory()})

    strategy.refresh_from_db()
    assert strategy.directorate.code == "accw"


def test_a_bad_change_to_a_strategy_saves_none_of_it(commissioner, strategy):
    data = {"summary": "Changed.", "period_start": datetime.date(2019, 4, 1), "period_end": datetime.date(2019, 1, 1)}

    with pytest.raises(ValidationError) as refused:
        services.strategy_update(strategy=strategy, by=commissioner, data=data)

    assert "period_end" in refused.value.message_dict
    strategy.refresh_from_db()
    assert (strategy.summary, strategy.period_start) == ("A summary.", None)


def test_two_strategies_cannot_share_a_name(commissioner, strategy, directorate):
    with pytest.raises(ValidationError) as refused:
        services.strategy_create(by=commissioner, data={**STRATEGY_DATA, "name": "Carers", "directorate": directorate})

    assert list(refused.value.message_dict) == ["name"]
    assert CommissioningStrategy.objects.count() == 1


# --- Outcomes, intentions and risks ---------------------------------------------------------------------

# (create service, update service, keyword, factory, good data, a required field)
PARTS = {
    "outcome": (
        services.outcome_create,
        services.outcome_update,
        "outcome",
        OutcomeFactory,
        {"title": "Carers are supported", "order": 1},
        "title",
    ),
    "intention": (
        services.intention_create,
        services.intention_update,
        "intention",
        IntentionFactory,
        # An intention's theme is one of its plan's, its stages the cycle's (resolved for the test's strategy).
        lambda strategy: {
            "theme": StrategicThemeFactory(strategy=strategy, name="Breaks"),
            "intention": "More respite",
            "current_stage": cycle_phase("Plan"),
            "expected_stage": cycle_phase("Do"),
        },
        "intention",
    ),
    "risk": (
        services.risk_create,
        services.risk_update,
        "risk",
        StrategyRiskFactory,
        {"cause": "Demand", "event": "No beds", "effect": "Delays", "rating": "high"},
        "event",
    ),
}
MODELS = {"outcome": Outcome, "intention": CommissioningIntention, "risk": StrategyRisk}


def _for(data, strategy) -> dict:
    """A part's data: as written, or built for ``strategy`` (an intention's theme belongs to its plan)."""
    return data(strategy) if callable(data) else data


@pytest.mark.parametrize("part", PARTS)
def test_a_commissioner_adds_and_changes_a_strategys_parts(commissioner, strategy, part):
    create, update, keyword, _factory, data, field = PARTS[part]

    added = create(strategy=strategy, by=commissioner, data=_for(data, strategy))
    changed = update(**{keyword: added}, by=commissioner, data={field: "Changed\r\ntext"})

    assert changed.strategy == strategy
    assert getattr(changed, field) == "Changed\ntext"  # the browser's line ending, normalised
    assert changed.history.count() == 2
    assert changed.history.first().history_user == commissioner


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("actor", ["contract_officer", "scrutiny_member", "other_commissioner"])
def test_only_the_strategys_directorate_adds_or_changes_its_parts(request, strategy, part, actor):
    create, update, keyword, factory, data, field = PARTS[part]
    existing = factory(strategy=strategy)
    user = request.getfixturevalue(actor)

    with pytest.raises(PermissionDenied):
        create(strategy=strategy, by=user, data=_for(data, strategy))
    with pytest.raises(PermissionDenied):
        update(**{keyword: existing}, by=user, data={field: "Changed."})

    assert MODELS[part].objects.get() == existing
    assert getattr(MODELS[part].objects.get(), field) != "Changed."


@pytest.mark.parametrize("part", PARTS)
def test_a_part_without_its_required_text_is_refused_and_nothing_saved(commissioner, strategy, part):
    create, update, keyword, factory, data, field = PARTS[part]
    existing = factory(strategy=strategy)

    with pytest.raises(ValidationError) as refused:
        create(strategy=strategy, by=commissioner, data={**_for(data, strategy), field: ""})
    assert field in refused.value.message_dict
    with pytest.raises(ValidationError):
        update(**{keyword: existing}, by=commissioner, data={field: "", "order": 9})

    assert MODELS[part].objects.count() == 1
    assert MODELS[part].objects.get().order == existing.order


def test_a_part_cannot_move_to_another_directorates_strategy(commissioner, strategy):
    outcome = OutcomeFactory(strategy=strategy)

    with pytest.raises(PermissionDenied):
        services.outcome_update(outcome=outcome, by=commissioner, data={"strategy": StrategyFactory()})

    outcome.refresh_from_db()
    assert outcome.strategy == strategy


# --- Highlight report content -----------------------------------------------------------------------------


def test_a_draft_is_edited_and_its_version_moves_on(commissioner, draft):
    report = services.highlight_report_update(
        report=draft, by=commissioner, data={"summary": "Demand is rising."}, expected_version=1
    )

    assert (report.summary, report.version) == ("Demand is rising.", 2)
    assert report.history.first().history_user == commissioner


def test_browser_line_endings_never_make_an_untouched_section_look_changed(commissioner, draft):
    services.highlight_report_update(
        report=draft, by=commissioner, data={"commissioners_comments": "One.\nTwo."}, expected_version=1
    )
    # The browser sends every textarea back with \r\n, the comments untouched, the summary changed.
    services.highlight_report_update(
        report=draft,
        by=commissioner,
        data={"commissioners_comments": "One.\r\nTwo.", "summary": "New summary."},
        expected_version=2,
    )

    from strategies.selectors import report_versions

    newest = report_versions(report=draft, user=commissioner)[0]
    assert [str(name) for name in newest.changed_fields] == ["Summary description"]
    draft.refresh_from_db()
    assert draft.commissioners_comments == "One.\nTwo."


@pytest.mark.parametrize("actor", ["contract_officer", "scrutiny_member", "other_commissioner"])
def test_only_the_directorates_commissioners_edit_a_draft(request, draft, actor):
    with pytest.raises(PermissionDenied):
        services.highlight_report_update(
            report=draft, by=request.getfixturevalue(actor), data={"summary": "Changed."}, expected_version=1
        )

    draft.refresh_from_db()
    assert (draft.summary, draft.version) == ("Summary of the quarter.", 1)


def test_a_bad_edit_of_a_draft_saves_none_of_it(commissioner, draft):
    with pytest.raises(ValidationError) as refused:
        services.highlight_report_update(
            report=draft,
            by=commissioner,
            data={"summary": "Changed.", "rag": "red", "rag_comment": "", "report_date": datetime.date(2019, 4, 1)},
            expected_version=1,
        )

    assert set(refused.value.message_dict) == {"rag_comment", "report_date"}
    draft.refresh_from_db()
    assert (draft.summary, draft.rag, draft.version) == ("Summary of the quarter.", "green", 1)
    assert draft.history.count() == 1


def test_only_a_draft_is_edited(commissioner, strategy):
    report = SubmittedHighlightReportFactory(strategy=strategy)

    with pytest.raises(services.TransitionNotAllowed):
        services.highlight_report_update(report=report, by=commissioner, data={"summary": "x"}, expected_version=1)


def test_next_quarters_draft_is_started_once(commissioner, draft):
    report = services.highlight_report_start_next(strategy=draft.strategy, by=commissioner)

    assert (report.year, report.quarter, report.status) == (2018, 4, Status.DRAFT)
    assert report.events.get().by == commissioner
    with pytest.raises(ValidationError):
        services.highlight_report_start_next(strategy=draft.strategy, by=commissioner, period=report.period)
    assert HighlightReport.objects.count() == 2


@pytest.mark.parametrize("actor", ["contract_officer", "scrutiny_member", "other_commissioner"])
def test_only_the_directorates_commissioners_start_a_report(request, strategy, actor):
    with pytest.raises(PermissionDenied):
        services.highlight_report_start_next(strategy=strategy, by=request.getfixturevalue(actor))

    assert not HighlightReport.objects.exists()


# --- The workflow ---------------------------------------------------------------------------------------


def _move_kwargs(meeting=None) -> dict:
    return {
        services.highlight_report_submit: {},
        services.highlight_report_board_review: {"board_comments": "Agreed.\r\nWith thanks."},
        services.highlight_report_scrutiny_considered: {"meeting": meeting, "note": "Supported."},
        services.highlight_report_approve: {
            "decision_reference": "i017457",
            "decision_date": datetime.date(2019, 6, 4),
        },
        services.highlight_report_return: {"reason": "Add the Q3 figures."},
    }


# (service, starting status, who makes the move, the status it ends in)
MOVES = [
    (services.highlight_report_submit, Status.DRAFT, "commissioner", Status.SUBMITTED),
    (services.highlight_report_board_review, Status.SUBMITTED, "administrator", Status.BOARD_REVIEWED),
    (services.highlight_report_scrutiny_considered, Status.BOARD_REVIEWED, "administrator", Status.SCRUTINY_CONSIDERED),
    (services.highlight_report_approve, Status.SCRUTINY_CONSIDERED, "administrator", Status.APPROVED),
    (services.highlight_report_return, Status.SUBMITTED, "administrator", Status.DRAFT),
]
MOVE_IDS = [m[0].__name__.removeprefix("highlight_report_") for m in MOVES]


@pytest.mark.parametrize(("service", "status", "actor", "ends"), MOVES, ids=MOVE_IDS)
def test_each_move_records_who_made_it(request, strategy, service, status, actor, ends):
    report = HighlightReportFactory(strategy=strategy, status=status)
    user = request.getfixturevalue(actor)
    meeting = MeetingFactory()

    moved = service(report=report, by=user, expected_version=1, **_move_kwargs(meeting)[service])

    assert (moved.status, moved.version) == (ends, 2)
    event = moved.events.get()
    assert (event.from_status, event.to_status, event.by) == (status, ends, user)
    assert moved.history.first().history_user == user


def test_the_boards_comments_are_kept_with_unix_line_endings(administrator, strategy):
    report = SubmittedHighlightReportFactory(strategy=strategy)

    services.highlight_report_board_review(
        report=report, by=administrator, expected_version=1, board_comments="Agreed.\r\nWith thanks."
    )

    report.refresh_from_db()
    assert report.board_comments == "Agreed.\nWith thanks."


def test_approval_freezes_what_the_report_shows(administrator, strategy):
    report = HighlightReportFactory(strategy=strategy, status=Status.SCRUTINY_CONSIDERED)

    services.highlight_report_approve(
        report=report,
        by=administrator,
        expected_version=1,
        decision_reference="i017457",
        decision_date=datetime.date(2019, 6, 4),
    )

    report.refresh_from_db()
    assert report.decision_reference == "I017457"
    assert report.approved_snapshot["header"]["strategy"] == "Carers"


# Who may not make each move: every role but the one that makes it, and the other directorate's commissioner.
REFUSED = [
    (service, status, actor)
    for service, status, allowed, _ in MOVES
    for actor in ["commissioner", "contract_officer", "scrutiny_member", "other_commissioner", "administrator"]
    if actor != allowed and not (allowed == "commissioner" and actor == "administrator")
]


@pytest.mark.parametrize(
    ("service", "status", "actor"),
    REFUSED,
    ids=[f"{s.__name__.removeprefix('highlight_report_')}-{a}" for s, _, a in REFUSED],
)
def test_a_move_is_refused_to_whoever_may_not_make_it(request, strategy, service, status, actor):
    report = HighlightReportFactory(strategy=strategy, status=status)

    with pytest.raises(PermissionDenied):
        service(
            report=report,
            by=request.getfixturevalue(actor),
            expected_version=1,
            **_move_kwargs(MeetingFactory())[service],
        )

    report.refresh_from_db()
    assert (report.status, report.version) == (status, 1)
    assert not report.events.exists()


# (service, starting status, actor, bad input, the field it names)
BAD_MOVES = [
    (services.highlight_report_submit, Status.DRAFT, "commissioner", {}, "summary"),
    (services.highlight_report_board_review, Status.SUBMITTED, "administrator", {"board_comments": " "}, None),
    (services.highlight_report_scrutiny_considered, Status.BOARD_REVIEWED, "administrator", {"meeting": None}, None),
    (
        services.highlight_report_approve,
        Status.SCRUTINY_CONSIDERED,
        "administrator",
        {"decision_reference": "approved", "decision_date": datetime.date(2019, 6, 4)},
        None,
    ),
    (services.highlight_report_return, Status.SUBMITTED, "administrator", {"reason": "\r\n"}, None),
]
FIELDS = {
    services.highlight_report_board_review: "board_comments",
    services.highlight_report_scrutiny_considered: "meeting",
    services.highlight_report_approve: "decision_reference",
    services.highlight_report_return: "reason",
}


@pytest.mark.parametrize(("service", "status", "actor", "data", "field"), BAD_MOVES, ids=MOVE_IDS)
def test_a_move_with_bad_input_names_the_field_and_changes_nothing(
    request, strategy, service, status, actor, data, field
):
    report = HighlightReportFactory(strategy=strategy, status=status, summary="")

    with pytest.raises(ValidationError) as refused:
        service(report=report, by=request.getfixturevalue(actor), expected_version=1, **data)

    assert (field or FIELDS[service]) in refused.value.message_dict
    report.refresh_from_db()
    assert (report.status, report.version, report.approved_snapshot) == (status, 1, None)
    assert not report.events.exists()


def test_a_move_from_the_wrong_status_is_refused(administrator, strategy):
    report = HighlightReportFactory(strategy=strategy)

    with pytest.raises(services.TransitionNotAllowed):
        services.highlight_report_board_review(
            report=report, by=administrator, expected_version=1, board_comments="Agreed."
        )


def test_a_move_on_a_stale_copy_is_refused(commissioner, draft):
    HighlightReport.objects.filter(pk=draft.pk).update(version=2)

    with pytest.raises(services.StaleEdit):
        services.highlight_report_submit(report=draft, by=commissioner, expected_version=1)
