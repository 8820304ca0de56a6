"""The page and the API are two doors to the same services: the same forbidden actor is refused through both,
and the same bad input is refused through both with the same message on the same field, nothing saved.

Intentions and risks have no API endpoint: their page is checked against the service itself."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from commissioning import roles
from commissioning.periods import current_quarter
from strategies import services
from strategies.models import CommissioningIntention, CommissioningStrategy, HighlightReport, Outcome, StrategyRisk
from tests.factories import (
    DirectorateFactory,
    HighlightReportFactory,
    MeetingFactory,
    OutcomeFactory,
    StrategicThemeFactory,
    StrategyFactory,
    UserFactory,
    cycle_phase,
)

pytestmark = pytest.mark.django_db

Status = HighlightReport.Status


@pytest.fixture
def other_commissioner(db):
    user = UserFactory(username="other-commissioner", directorate=DirectorateFactory(name="Place", code="place"))
    user.groups.add(Group.objects.get(name=roles.COMMISSIONER))
    return user


@pytest.fixture
def strategy(directorate):
    return StrategyFactory(directorate=directorate, name="Carers")


def doors(user) -> tuple[Client, APIClient]:
    """The browser's and a program's way in, for the same person."""
    page, api = Client(), APIClient()
    page.force_login(user)
    api.force_login(user)
    return page, api


def page_errors(response, field: str) -> list[str]:
    """The messages a page shows for ``field``: next to it, or (a field the form does not show) in the summary."""
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    if field in form.errors:
        return list(form.errors[field])
    return [str(message) for message in form.non_field_errors()]


def assert_same_refusal(page_response, api_response, field: str) -> None:
    assert api_response.status_code == 400, api_response.content
    api_messages = api_response.json()["errors"][field]
    shown = page_errors(page_response, field)
    assert api_messages
    for message in api_messages:
        assert any(text == message or text.endswith(f": {message}") for text in shown), (message, shown)


STRATEGY_FORM = {
    "name": "Adult Frailty",
    "purpose": "The purpose of this commissioning strategy is to support frail adults.",
    "sponsor": "Executive Director of Adult Care and Community Wellbeing",
    "summary": "",
    "period_start": "01/04/2019",
    "period_end": "31/03/2019",
}
STRATEGY_JSON = {**STRATEGY_FORM, "period_start": "2019-04-01", "period_end": "2019-03-31"}


# --- Strategies -------------------------------------------------------------------------------------------


def test_a_strategy_that_ends_before_it_starts_is_refused_alike(commissioner, directorate):
    page, api = doors(commissioner)

    on_page = page.post(reverse("strategies:create"), {**STRATEGY_FORM, "directorate": directorate.pk})
    by_api = api.post("/api/v1/strategies/", {**STRATEGY_JSON, "directorate": directorate.pk}, format="json")

    assert_same_refusal(on_page, by_api, "period_end")
    assert page_errors(on_page, "period_end") == ["The strategy must end after it starts."]
    assert not CommissioningStrategy.objects.exists()


def test_a_strategy_without_a_name_is_refused_alike(commissioner, directorate):
    page, api = doors(commissioner)
    data = {**STRATEGY_FORM, "name": "", "period_end": "31/03/2021", "directorate": directorate.pk}

    on_page = page.post(reverse("strategies:create"), data)
    by_api = api.post(
        "/api/v1/strategies/",
        {**STRATEGY_JSON, "name": "", "period_end": "2021-03-31", "directorate": directorate.pk},
        format="json",
    )

    assert_same_refusal(on_page, by_api, "name")
    assert not CommissioningStrategy.objects.exists()


def test_a_strategy_is_not_created_by_an_officer_through_either_door(contract_officer, directorate):
    page, api = doors(contract_officer)

    assert page.post(reverse("strategies:create"), {**STRATEGY_FORM, "directorate": directorate.pk}).status_code == 403
    by_api = api.post("/api/v1/strategies/", {**STRATEGY_JSON, "directorate": directorate.pk}, format="json")
    assert by_api.status_code == 403
    assert not CommissioningStrategy.objects.exists()


def test_a_commissioner_cannot_create_another_directorates_strategy_through_the_api(commissioner):
    # The page offers only their own directorate; the service refuses any other, whoever asks.
    page, api = doors(commissioner)
    other = DirectorateFactory(code="place")

    on_page = page.post(reverse("strategies:create"), {**STRATEGY_FORM, "directorate": other.pk})
    by_api = api.post(
        "/api/v1/strategies/", {**STRATEGY_JSON, "period_end": "2021-03-31", "directorate": other.pk}, format="json"
    )

    assert "directorate" in on_page.context["form"].errors
    assert by_api.status_code == 403
    assert not CommissioningStrategy.objects.exists()


def test_a_strategy_change_that_ends_it_before_it_starts_is_refused_alike(commissioner, strategy):
    page, api = doors(commissioner)
    data = {**STRATEGY_FORM, "name": strategy.name, "directorate": strategy.directorate_id}

    on_page = page.post(reverse("strategies:edit", args=[strategy.pk]), data)
    by_api = api.patch(
        f"/api/v1/strategies/{strategy.pk}/", {"period_start": "2019-04-01", "period_end": "2019-03-31"}, format="json"
    )

    assert_same_refusal(on_page, by_api, "period_end")
    strategy.refresh_from_db()
    assert strategy.period_end is None


def test_another_directorates_commissioner_changes_a_strategy_through_neither_door(other_commissioner, strategy):
    page, api = doors(other_commissioner)

    data = {**STRATEGY_FORM, "name": "Renamed", "directorate": strategy.directorate_id}
    assert page.post(reverse("strategies:edit", args=[strategy.pk]), data).status_code == 403
    assert api.patch(f"/api/v1/strategies/{strategy.pk}/", {"name": "Renamed"}, format="json").status_code == 403
    strategy.refresh_from_db()
    assert strategy.name == "Carers"


# --- Outcomes, intentions, risks --------------------------------------------------------------------------


def test_an_outcome_without_a_title_is_refused_alike(commissioner, strategy):
    page, api = doors(commissioner)

    on_page = page.post(reverse("strategies:outcome_add", args=[strategy.pk]), {"title": "", "order": 1})
    by_api = api.post("/api/v1/outcomes/", {"strategy": strategy.pk, "title": "", "order": 1}, format="json")

    assert_same_refusal(on_page, by_api, "title")
    assert not Outcome.objects.exists()


def test_an_outcome_change_without_a_title_is_refused_alike(commissioner, strategy):
    outcome = OutcomeFactory(strategy=strategy)
    page, api = doors(commissioner)

    on_page = page.post(reverse("strategies:outcome_edit", args=[strategy.pk, outcome.pk]), {"title": "", "order": 1})
    by_api = api.patch(f"/api/v1/outcomes/{outcome.pk}/", {"title": ""}, format="json")

    assert_same_refusal(on_page, by_api, "title")
    outcome.refresh_from_db()
    assert outcome.title


def test_another_directorates_commissioner_adds_or_changes_outcomes_through_neither_door(other_commissioner, strategy):
    outcome = OutcomeFactory(strategy=strategy)
    page, api = doors(other_commissioner)

    assert page.post(reverse("strategies:outcome_add", args=[strategy.pk]), {"title": "New"}).status_code == 403
    assert api.post("/api/v1/outcomes/", {"strategy": strategy.pk, "title": "New"}, format="json").status_code == 403
    edit = reverse("strategies:outcome_edit", args=[strategy.pk, outcome.pk])
    assert page.post(edit, {"title": "Changed"}).status_code == 403
    assert api.patch(f"/api/v1/outcomes/{outcome.pk}/", {"title": "Changed"}, format="json").status_code == 403
    assert list(Outcome.objects.values_list("title", flat=True)) == [outcome.title]


@pytest.mark.parametrize(
    ("url_name", "service", "model", "data", "field"),
    [
        (
            "strategies:intention_add",
            services.intention_create,
            CommissioningIntention,
            lambda strategy: {
                "theme": StrategicThemeFactory(strategy=strategy, name="Breaks"),
                "intention": "",
                "current_stage": cycle_phase("Plan"),
                "expected_stage": cycle_phase("Do"),
                "order": 1,
            },
            "intention",
        ),
        (
            "strategies:risk_add",
            services.risk_create,
            StrategyRisk,
            {"cause": "Demand", "event": "", "effect": "Delays", "rating": "high", "order": 1},
            "event",
        ),
    ],
    ids=["intention", "risk"],
)
def test_an_intention_or_risk_is_refused_on_the_page_as_the_service_refuses_it(
    client_as_commissioner, commissioner, other_commissioner, strategy, url_name, service, model, data, field
):
    data = data(strategy) if callable(data) else data
    posted = {name: getattr(value, "pk", value) for name, value in data.items()}
    on_page = client_as_commissioner.post(reverse(url_name, args=[strategy.pk]), posted)
    with pytest.raises(ValidationError) as by_service:
        service(strategy=strategy, by=commissioner, data=data)

    assert page_errors(on_page, field) == by_service.value.message_dict[field]
    page, _ = doors(other_commissioner)
    assert page.post(reverse(url_name, args=[strategy.pk]), {**posted, field: "Filled in"}).status_code == 403
    assert not model.objects.exists()


# --- Highlight reports ------------------------------------------------------------------------------------

REPORT_FORM = {
    "version": 1,
    "report_date": "05/12/2018",
    "summary": "Summary of the quarter.",
    "needs_established": "JSNA.",
    "outcomes_text": "Outcomes.",
    "completed_by": "Commissioning manager",
    "rag": "red",
    "rag_comment": "",
}


def test_a_red_report_without_a_comment_is_refused_alike(commissioner, strategy):
    report = HighlightReportFactory(strategy=strategy)
    page, api = doors(commissioner)

    on_page = page.post(reverse("strategies:report_edit", args=[report.pk]), REPORT_FORM)
    by_api = api.patch(
        f"/api/v1/highlight-reports/{report.pk}/", {"version": 1, "rag": "red", "rag_comment": ""}, format="json"
    )

    assert_same_refusal(on_page, by_api, "rag_comment")
    report.refresh_from_db()
    assert (report.rag, report.version) == ("green", 1)


def test_a_report_date_outside_its_quarter_is_refused_alike(commissioner, strategy):
    report = HighlightReportFactory(strategy=strategy)
    page, api = doors(commissioner)

    form = {**REPORT_FORM, "rag": "green", "report_date": "01/04/2019"}
    on_page = page.post(reverse("strategies:report_edit", args=[report.pk]), form)
    by_api = api.patch(
        f"/api/v1/highlight-reports/{report.pk}/", {"version": 1, "report_date": "2019-04-01"}, format="json"
    )

    assert_same_refusal(on_page, by_api, "report_date")


def test_another_directorates_commissioner_edits_a_report_through_neither_door(other_commissioner, strategy):
    report = HighlightReportFactory(strategy=strategy)
    page, api = doors(other_commissioner)

    form = {**REPORT_FORM, "rag": "green"}
    assert page.post(reverse("strategies:report_edit", args=[report.pk]), form).status_code == 403
    patch = api.patch(f"/api/v1/highlight-reports/{report.pk}/", {"version": 1, "summary": "x"}, format="json")
    assert patch.status_code == 403
    report.refresh_from_db()
    assert report.version == 1


def test_a_second_report_for_a_quarter_is_refused_alike(commissioner, strategy):
    quarter = current_quarter()
    HighlightReportFactory(strategy=strategy, year=quarter.year, quarter=quarter.quarter, report_date=quarter.start)
    page, api = doors(commissioner)

    on_page = page.post(
        reverse("strategies:start_next_report", args=[strategy.pk]), {"quarter": quarter.key}, follow=True
    )
    by_api = api.post(
        "/api/v1/highlight-reports/",
        {"strategy": strategy.pk, "year": quarter.year, "quarter": quarter.quarter},
        format="json",
    )

    message = f"There is already a highlight report for {quarter}."
    assert message in [str(m) for m in on_page.context["messages"]]
    assert by_api.status_code == 400
    assert by_api.json()["errors"]["non_field_errors"] == [message]
    assert HighlightReport.objects.count() == 1


def test_another_directorates_commissioner_starts_a_report_through_neither_door(other_commissioner, strategy):
    page, api = doors(other_commissioner)

    assert page.post(reverse("strategies:start_next_report", args=[strategy.pk])).status_code == 403
    assert api.post("/api/v1/highlight-reports/", {"strategy": strategy.pk}, format="json").status_code == 403
    assert not HighlightReport.objects.exists()


# --- The workflow moves: (page URL name, API action, starting status, who may not, bad input, field) ------

MOVES = [
    ("strategies:report_submit", "submit", Status.DRAFT, "contract_officer", {"summary_blank": True}, "summary"),
    ("strategies:report_board_review", "board-review", Status.SUBMITTED, "commissioner", {"board_comments": " "}, None),
    ("strategies:report_scrutiny_considered", "scrutiny-considered", Status.BOARD_REVIEWED, "commissioner", {}, None),
    (
        "strategies:report_approve",
        "approve",
        Status.SCRUTINY_CONSIDERED,
        "commissioner",
        {"decision_reference": "approved", "decision_date": "04/06/2019"},
        None,
    ),
    ("strategies:report_return", "return", Status.SUBMITTED, "commissioner", {"reason": " "}, None),
]
FIELD = {
    "board-review": "board_comments",
    "scrutiny-considered": "meeting",
    "approve": "decision_reference",
    "return": "reason",
}
MAKER = {"submit": "commissioner"}


def _api_body(data: dict) -> dict:
    body = {key: value for key, value in data.items() if key != "summary_blank"}
    if "decision_date" in body:
        day, month, year = body["decision_date"].split("/")
        body["decision_date"] = f"{year}-{month}-{day}"
    return {"version": 1, **body}


@pytest.mark.parametrize(
    ("url_name", "action", "status", "forbidden", "bad", "field"), MOVES, ids=[m[1] for m in MOVES]
)
def test_each_move_with_bad_input_is_refused_alike(request, strategy, url_name, action, status, forbidden, bad, field):
    user = request.getfixturevalue(MAKER.get(action, "administrator"))
    page, api = doors(user)
    report = HighlightReportFactory(strategy=strategy, status=status, summary="" if bad.get("summary_blank") else "x")
    form = {"version": 1, **{k: v for k, v in bad.items() if k != "summary_blank"}}

    on_page = page.post(reverse(url_name, args=[report.pk]), form)
    by_api = api.post(f"/api/v1/highlight-reports/{report.pk}/{action}/", _api_body(bad), format="json")

    assert_same_refusal(on_page, by_api, field or FIELD[action])
    report.refresh_from_db()
    assert (report.status, report.version) == (status, 1)
    assert not report.events.exists()


@pytest.mark.parametrize(
    ("url_name", "action", "status", "forbidden", "bad", "field"), MOVES, ids=[m[1] for m in MOVES]
)
@pytest.mark.parametrize("who", ["forbidden", "other_commissioner"])
def test_each_move_is_refused_to_the_same_actor_through_both_doors(
    request, strategy, url_name, action, status, forbidden, bad, field, who
):
    page, api = doors(request.getfixturevalue(forbidden if who == "forbidden" else who))
    report = HighlightReportFactory(strategy=strategy, status=status)
    good = {
        "version": 1,
        "board_comments": "Agreed.",
        "meeting": MeetingFactory().pk,
        "decision_reference": "I017457",
        "decision_date": "04/06/2019",
        "reason": "Add the figures.",
    }

    assert page.post(reverse(url_name, args=[report.pk]), good).status_code == 403
    assert (
        api.post(f"/api/v1/highlight-reports/{report.pk}/{action}/", _api_body(good), format="json").status_code == 403
    )
    report.refresh_from_db()
    assert (report.status, report.version) == (status, 1)
