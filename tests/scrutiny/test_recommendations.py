"""The recommendation tracker: a committee's recommendation, the Executive's response within two months (LGA 2000
s.9FE), its actions and status until closed, overdue responses notified once, and the quarterly tracker."""

import csv
import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commissioning import roles
from commissioning.models import Notification
from commissioning.periods import FinancialQuarter
from scrutiny import selectors, services, tasks
from scrutiny.models import ScrutinyRecommendation, ScrutinyStage
from tests.factories import (
    BoardReviewedHighlightReportFactory,
    CommitteeFactory,
    MeetingFactory,
    ScrutinyRecommendationFactory,
    StrategyFactory,
    UserFactory,
)
from tests.scrutiny.conftest import page_texts

pytestmark = pytest.mark.django_db

Response = ScrutinyRecommendation.Response
Status = ScrutinyRecommendation.Status
TODAY = datetime.date(2019, 1, 15)


def _user(role: str, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


def _at(day: datetime.date):
    """The clock at 9am on ``day``."""
    return datetime.datetime(day.year, day.month, day.day, 9, tzinfo=datetime.UTC)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def committee():
    return CommitteeFactory(name="Adults and Community Wellbeing Scrutiny Committee")


@pytest.fixture
def meeting(committee):
    return MeetingFactory(committee=committee, date=datetime.date(2018, 9, 5))


@pytest.fixture
def strategy(directorate):
    return StrategyFactory(name="Specialist Adult Services", directorate=directorate)


def _data(committee, meeting, strategy, **overrides) -> dict:
    return {
        "committee": committee,
        "meeting": meeting,
        "number": 1,
        "text": "The Committee recommended wider community engagement on changes to provision.",
        "addressed_to": "Executive",
        "strategy": strategy,
        "reported_on": datetime.date(2018, 10, 2),
        **overrides,
    }


@pytest.fixture
def recommendation(committee, meeting, strategy, commissioner):
    return services.recommendation_create(by=commissioner, data=_data(committee, meeting, strategy))


def _respond(recommendation, by, **overrides):
    values = {
        "response": Response.ACCEPTED,
        "reasons": "",
        "responded_by": "Executive",
        "responded_on": datetime.date(2018, 11, 6),
        "actions": [{"description": "Consult people who use the services.", "owner": "Head of Commissioning"}],
        "today": TODAY,
        **overrides,
    }
    return services.recommendation_respond(recommendation=recommendation, by=by, **values)


# --- The two months for a response --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported_on", "due"),
    [
        (datetime.date(2019, 1, 31), datetime.date(2019, 3, 30)),
        (datetime.date(2018, 12, 30), datetime.date(2019, 2, 28)),
        (datetime.date(2019, 12, 30), datetime.date(2020, 2, 29)),
        (datetime.date(2018, 12, 31), datetime.date(2019, 2, 28)),
        (datetime.date(2019, 12, 29), datetime.date(2020, 2, 28)),
        (datetime.date(2019, 3, 1), datetime.date(2019, 4, 30)),
        (datetime.date(2019, 6, 4), datetime.date(2019, 8, 3)),
    ],
)
def test_the_response_is_due_within_two_months_beginning_with_the_day_the_executive_received_the_report(
    reported_on, due
):
    assert services.response_due_for(reported_on) == due


def test_the_response_due_date_is_stored_and_follows_the_reported_date(recommendation, commissioner):
    assert recommendation.response_due == datetime.date(2018, 12, 1)
    changed = services.recommendation_update(
        recommendation=recommendation, by=commissioner, data={"reported_on": datetime.date(2019, 1, 31)}
    )
    changed.refresh_from_db()
    assert changed.response_due == datetime.date(2019, 3, 30)


def test_a_recommendation_not_yet_reported_has_no_response_due(committee, meeting, strategy, commissioner):
    recommendation = services.recommendation_create(
        by=commissioner, data=_data(committee, meeting, strategy, reported_on=None)
    )
    assert recommendation.response_due is None
    assert not selectors.is_overdue(recommendation, today=datetime.date(2030, 1, 1))


# --- Recording a recommendation --------------------------------------------------------------------------------


def test_a_recommendation_is_of_a_meeting_of_its_committee(committee, strategy, commissioner):
    other = MeetingFactory(committee=CommitteeFactory(name="Public Protection and Communities Scrutiny Committee"))
    with pytest.raises(ValidationError) as excinfo:
        services.recommendation_create(by=commissioner, data=_data(committee, other, strategy))
    assert "another committee's" in _errors(excinfo)["meeting"][0]


def test_a_recommendation_does_not_reach_the_executive_before_its_meeting(committee, meeting, strategy, commissioner):
    data = _data(
        committee, meeting, strategy, reported_on=datetime.date(2018, 9, 4), due_date=datetime.date(2018, 1, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.recommendation_create(by=commissioner, data=data)
    assert "before the meeting (5 September 2018)" in _errors(excinfo)["reported_on"][0]
    assert "due_date" in _errors(excinfo)


def test_each_recommendation_of_a_report_has_its_own_number(recommendation, committee, meeting, strategy, commissioner):
    with pytest.raises(ValidationError) as excinfo:
        services.recommendation_create(by=commissioner, data=_data(committee, meeting, strategy))
    assert "already has a recommendation 1" in _errors(excinfo)["number"][0]


def test_the_text_and_addressee_are_required(committee, meeting, strategy, commissioner):
    with pytest.raises(ValidationError) as excinfo:
        services.recommendation_create(
            by=commissioner, data=_data(committee, meeting, strategy, text="", addressed_to="")
        )
    assert {"text", "addressed_to"} <= set(_errors(excinfo))


def test_a_recommendation_from_a_report_stage_is_about_that_reports_strategy(
    committee, meeting, strategy, administrator
):
    report = BoardReviewedHighlightReportFactory(strategy=strategy)
    stage = services.stage_add(
        report=report, step=ScrutinyStage.Step.SUBJECT_COMMITTEE, meeting=meeting, by=administrator
    )
    recommendation = services.recommendation_create(by=administrator, data=_data(committee, meeting, None, stage=stage))
    assert recommendation.strategy == strategy

    with pytest.raises(ValidationError) as excinfo:
        services.recommendation_create(
            by=administrator, data=_data(committee, meeting, StrategyFactory(), stage=stage, number=2)
        )
    assert "choose that strategy" in _errors(excinfo)["strategy"][0]


@pytest.mark.parametrize(
    ("role", "own", "allowed"),
    [
        (roles.COMMISSIONER, True, True),
        (roles.COMMISSIONER, False, False),
        (roles.ADMINISTRATOR, False, True),
        (roles.CONTRACT_OFFICER, True, False),
        (roles.SCRUTINY_MEMBER, True, False),
    ],
)
def test_commissioners_of_the_strategys_directorate_and_administrators_record_recommendations(
    committee, meeting, strategy, role, own, allowed
):
    user = _user(role, directorate=strategy.directorate if own else StrategyFactory().directorate)
    if role == roles.ADMINISTRATOR:
        user.directorate = None
        user.save()
    if allowed:
        assert services.recommendation_create(by=user, data=_data(committee, meeting, strategy)).pk
    else:
        with pytest.raises(PermissionDenied):
            services.recommendation_create(by=user, data=_data(committee, meeting, strategy))


# --- The Executive's response ------------------------------------------------------------------------------------


def test_an_accepted_recommendation_with_its_actions_is_in_progress(recommendation, commissioner):
    responded = _respond(recommendation, commissioner)

    assert responded.status == Status.IN_PROGRESS
    assert responded.response == Response.ACCEPTED
    assert responded.actions.get().description == "Consult people who use the services."


@pytest.mark.parametrize("response", [Response.PARTLY_ACCEPTED, Response.REJECTED])
def test_a_partly_accepted_or_rejected_recommendation_needs_the_reasons(recommendation, commissioner, response):
    with pytest.raises(ValidationError) as excinfo:
        _respond(recommendation, commissioner, response=response, reasons=" ")
    assert "Give the Executive's reasons" in _errors(excinfo)["response_reasons"][0]


def test_an_accepted_recommendation_needs_an_action(recommendation, commissioner):
    with pytest.raises(ValidationError) as excinfo:
        _respond(recommendation, commissioner, actions=[])
    assert "at least one action" in _errors(excinfo)["actions"][0]


def test_the_response_says_who_gave_it(recommendation, commissioner):
    with pytest.raises(ValidationError) as excinfo:
        _respond(recommendation, commissioner, responded_by="")
    assert "responded_by" in _errors(excinfo)


@pytest.mark.parametrize(
    ("responded_on", "message"),
    [
        (datetime.date(2018, 10, 1), "before the committee's report reached the Executive (2 October 2018)"),
        (datetime.date(2019, 1, 16), "cannot be in the future"),
        (None, "Enter the date of the response"),
    ],
)
def test_the_response_is_not_dated_before_the_report_reached_the_executive_nor_in_the_future(
    recommendation, commissioner, responded_on, message
):
    with pytest.raises(ValidationError) as excinfo:
        _respond(recommendation, commissioner, responded_on=responded_on)
    assert message in _errors(excinfo)["responded_on"][0]


def test_the_response_is_recorded_once(recommendation, commissioner):
    _respond(recommendation, commissioner)
    with pytest.raises(ValidationError) as excinfo:
        _respond(recommendation, commissioner)
    assert "already recorded" in _errors(excinfo)["response"][0]


def test_another_directorates_commissioner_may_not_respond(recommendation):
    other = _user(roles.COMMISSIONER, directorate=StrategyFactory().directorate)
    with pytest.raises(PermissionDenied):
        _respond(recommendation, other)


# --- Actions and closing ----------------------------------------------------------------------------------------


def test_actions_follow_the_response(recommendation, commissioner):
    with pytest.raises(ValidationError, match="Record the Executive's response first"):
        services.action_add(recommendation=recommendation, by=commissioner, data={"description": "Do it."})


def test_an_accepted_recommendation_closes_once_every_action_is_completed(recommendation, commissioner):
    _respond(recommendation, commissioner)
    second = services.action_add(recommendation=recommendation, by=commissioner, data={"description": "Report back."})
    with pytest.raises(ValidationError, match="Complete every action first: 2 still open"):
        services.recommendation_close(recommendation=recommendation, by=commissioner, closing_note="Done.", today=TODAY)

    for action in recommendation.actions.all():
        services.action_complete(action=action, by=commissioner, completed_on=datetime.date(2019, 1, 10), today=TODAY)
    second.refresh_from_db()
    assert second.completed_on == datetime.date(2019, 1, 10)
    closed = services.recommendation_close(
        recommendation=recommendation, by=commissioner, closing_note="Consultation held.", today=TODAY
    )
    assert closed.status == Status.CLOSED
    assert closed.closed_on == TODAY


def test_a_rejected_recommendation_may_close_straight_away(recommendation, commissioner):
    _respond(recommendation, commissioner, response=Response.REJECTED, reasons="Already in hand.", actions=[])
    closed = services.recommendation_close(
        recommendation=recommendation, by=commissioner, closing_note="Rejected by the Executive.", today=TODAY
    )
    assert closed.status == Status.CLOSED


def test_closing_needs_a_note_and_a_response(recommendation, commissioner):
    with pytest.raises(ValidationError) as excinfo:
        services.recommendation_close(recommendation=recommendation, by=commissioner, closing_note="", today=TODAY)
    assert "closing_note" in _errors(excinfo)
    assert "once the Executive has responded" in " ".join(excinfo.value.messages)


def test_an_action_is_not_completed_before_the_response_or_in_the_future(recommendation, commissioner):
    _respond(recommendation, commissioner)
    action = recommendation.actions.get()
    for day, message in [
        (datetime.date(2018, 11, 5), "before the Executive's response"),
        (TODAY.replace(day=16), "future"),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            services.action_complete(action=action, by=commissioner, completed_on=day, today=TODAY)
        assert message in _errors(excinfo)["completed_on"][0]


def test_a_closed_recommendation_no_longer_changes(recommendation, commissioner):
    _respond(recommendation, commissioner, response=Response.REJECTED, reasons="No.", actions=[])
    services.recommendation_close(recommendation=recommendation, by=commissioner, closing_note="Closed.", today=TODAY)
    with pytest.raises(ValidationError, match="no longer changes"):
        services.recommendation_update(recommendation=recommendation, by=commissioner, data={"text": "Changed."})


# --- Overdue responses ------------------------------------------------------------------------------------------


def test_a_response_is_overdue_once_its_due_date_has_passed_without_one(recommendation, commissioner):
    due = recommendation.response_due
    assert not selectors.is_overdue(recommendation, today=due)
    assert selectors.is_overdue(recommendation, today=due + datetime.timedelta(days=1))
    assert list(selectors.recommendations_overdue(today=due + datetime.timedelta(days=1))) == [recommendation]
    assert not selectors.recommendations_overdue(today=due).exists()

    _respond(recommendation, commissioner)
    recommendation.refresh_from_db()
    assert not selectors.is_overdue(recommendation, today=TODAY)
    assert not selectors.recommendations_overdue(today=TODAY).exists()


def test_overdue_responses_are_notified_once_to_the_directorates_commissioners_and_administrators(
    recommendation, commissioner, administrator, scrutiny_member
):
    other = _user(roles.COMMISSIONER, directorate=StrategyFactory().directorate)
    answered = ScrutinyRecommendationFactory(
        committee=recommendation.committee, meeting=recommendation.meeting, number=2
    )
    answered.response = Response.ACCEPTED
    answered.save()

    with time_machine.travel(_at(datetime.date(2018, 12, 2)), tick=False):
        assert tasks.notify_overdue_recommendations.delay().get() == 1
        assert tasks.notify_overdue_recommendations.delay().get() == 0

    notified = Notification.objects.filter(kind=services.OVERDUE_KIND)
    assert sorted(notified.values_list("recipient__username", flat=True)) == ["administrator", "commissioner"]
    assert set(notified.values_list("link", flat=True)) == {recommendation.get_absolute_url()}
    recommendation.refresh_from_db()
    assert recommendation.overdue_notified_on == datetime.date(2018, 12, 2)
    assert not Notification.objects.filter(recipient__in=[other, scrutiny_member]).exists()


def test_nothing_is_notified_before_the_response_is_overdue(recommendation, commissioner):
    assert services.notify_overdue_recommendations(today=recommendation.response_due) == 0
    assert not Notification.objects.exists()


# --- The quarterly tracker --------------------------------------------------------------------------------------


@pytest.fixture
def tracker_rows(recommendation, committee, strategy, commissioner):
    """Q3 2018/19 (October-December 2018): one answered and in progress, one closed in Q2, one made in Q3 and
    overdue, one of another committee."""
    _respond(recommendation, commissioner)
    closed_early = ScrutinyRecommendationFactory(
        committee=committee, meeting=recommendation.meeting, number=2, text="Closed before the quarter."
    )
    ScrutinyRecommendation.objects.filter(pk=closed_early.pk).update(
        status=Status.CLOSED, response=Response.REJECTED, closed_on=datetime.date(2018, 9, 30)
    )
    october = MeetingFactory(committee=committee, date=datetime.date(2018, 10, 10))
    overdue = ScrutinyRecommendationFactory(
        committee=committee,
        meeting=october,
        number=1,
        text="Create a carers portal.",
        strategy=strategy,
        reported_on=datetime.date(2018, 10, 16),
    )
    ScrutinyRecommendationFactory(committee=CommitteeFactory(name="Another Committee"), text="Elsewhere.")
    return {"answered": recommendation, "overdue": overdue}


def test_the_tracker_lists_the_committees_recommendations_open_in_or_made_in_the_quarter(
    tracker_rows, committee, scrutiny_member
):
    with time_machine.travel(_at(datetime.date(2019, 1, 15)), tick=False):
        rows = selectors.tracker_recommendations(
            committee=committee, period=FinancialQuarter(2018, 3), user=scrutiny_member
        )
    assert [r.text for r in rows] == [tracker_rows["answered"].text, "Create a carers portal."]
    assert [r.is_overdue for r in rows] == [False, True]
    counts = selectors.tracker_counts(rows)
    assert (counts["total"], counts["overdue"], counts["in_progress"]) == (2, 1, 1)


def test_the_tracker_csv_has_a_row_per_recommendation(tracker_rows, committee, client_as_scrutiny):
    with time_machine.travel(_at(datetime.date(2019, 1, 15)), tick=False):
        response = client_as_scrutiny.get(reverse("scrutiny:tracker_csv", args=[committee.pk]), {"quarter": "2018-Q3"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == selectors.TRACKER_HEADERS
    assert len(rows) == 3
    answered, overdue = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert answered["Response"] == "Accepted"
    assert answered["Response due"] == "01/12/2018"
    assert answered["Actions"] == "Consult people who use the services. (Head of Commissioning), open"
    assert overdue["Overdue"] == "Yes"
    assert overdue["Status"] == "Awaiting response"


def test_the_tracker_pdf_prints_the_recommendations(tracker_rows, committee, client_as_scrutiny):
    with time_machine.travel(_at(datetime.date(2019, 1, 15)), tick=False):
        response = client_as_scrutiny.get(
            reverse("scrutiny:tracker_pdf", args=[committee.pk]), {"quarter": "Q3 2018/19"}
        )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page_texts(response.content)).split())
    assert "recommendation tracker, Q3 2018/19" in text
    assert "Create a carers portal." in text
    assert "response overdue" in text
    assert "Closed before the quarter." not in text
    assert "Elsewhere." not in text


def test_the_tracker_page_shows_the_quarter_and_falls_back_on_a_bad_one(tracker_rows, committee, client_as_scrutiny):
    response = client_as_scrutiny.get(reverse("scrutiny:tracker", args=[committee.pk]), {"quarter": "2018-Q3"})
    assert response.status_code == 200
    assert "Create a carers portal." in response.content.decode()
    response = client_as_scrutiny.get(reverse("scrutiny:tracker", args=[committee.pk]), {"quarter": "spring"})
    assert response.status_code == 200
    assert "not a financial quarter" in response.content.decode()


# --- Pages ------------------------------------------------------------------------------------------------------


def test_the_list_filters_by_committee_status_overdue_and_quarter(tracker_rows, committee, client_as_officer):
    url = reverse("scrutiny:recommendations")

    def texts(**params):
        with time_machine.travel(_at(datetime.date(2019, 1, 15)), tick=False):
            response = client_as_officer.get(url, params)
        assert response.status_code == 200
        return sorted(r.text for r in response.context["recommendations"])

    assert len(texts()) == 4
    assert texts(committee=committee.pk, overdue="true") == ["Create a carers portal."]
    assert texts(status=Status.IN_PROGRESS) == [tracker_rows["answered"].text]
    assert texts(year=2018, quarter=3) == ["Create a carers portal."]
    assert len(texts(quarter=9)) == 4  # not applied, and said


def test_the_list_runs_constant_queries(client_as_officer, committee, django_assert_max_num_queries):
    for number in range(30):
        recommendation = ScrutinyRecommendationFactory(committee=committee, number=number + 1)
        recommendation.actions.create(description="An action.")
    with django_assert_max_num_queries(12):
        response = client_as_officer.get(reverse("scrutiny:recommendations"))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert (
            client_as_officer.get(reverse("scrutiny:tracker", args=[committee.pk]), {"quarter": "2018-Q2"}).status_code
            == 200
        )


def test_a_commissioner_records_a_response_on_the_page_and_errors_name_the_field(
    recommendation, client_as_commissioner
):
    url = reverse("scrutiny:recommendation_respond", args=[recommendation.pk])
    response = client_as_commissioner.post(
        url, {"response": Response.PARTLY_ACCEPTED, "responded_by": "Executive", "responded_on": "06/11/2018"}
    )
    assert response.status_code == 200
    assert "Give the Executive's reasons" in response.context["form"].errors["response_reasons"][0]

    response = client_as_commissioner.post(
        url,
        {
            "response": Response.PARTLY_ACCEPTED,
            "response_reasons": "Engagement will be on the larger changes only.",
            "responded_by": "Executive",
            "responded_on": "06/11/2018",
            "action_description": "Engage on the residential care changes.",
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.response == Response.PARTLY_ACCEPTED
    assert recommendation.status == Status.IN_PROGRESS


def test_councillors_read_a_recommendation_but_do_not_respond(recommendation, client_as_scrutiny):
    page = client_as_scrutiny.get(recommendation.get_absolute_url())
    assert page.status_code == 200
    assert "Record the Executive's response" not in page.content.decode()
    assert (
        client_as_scrutiny.get(reverse("scrutiny:recommendation_respond", args=[recommendation.pk])).status_code == 403
    )
