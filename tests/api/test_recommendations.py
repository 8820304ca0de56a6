"""/api/v1/scrutiny-recommendations/ and /api/v1/scrutiny-stages/: filters, 400s naming the field, who may write."""

import datetime

import pytest
from django.urls import reverse

from scrutiny import services
from scrutiny.models import ScrutinyRecommendation, ScrutinyStage
from tests.factories import (
    BoardReviewedHighlightReportFactory,
    CommitteeFactory,
    MeetingFactory,
    ScrutinyRecommendationFactory,
    StrategyFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/scrutiny-recommendations/"
Status = ScrutinyRecommendation.Status


def _detail(pk: int, action: str = "") -> str:
    return f"{LIST}{pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def committee():
    return CommitteeFactory(name="Adults and Community Wellbeing Scrutiny Committee")


@pytest.fixture
def meeting(committee):
    return MeetingFactory(committee=committee, date=datetime.date(2018, 9, 5))


@pytest.fixture
def strategy(directorate):
    return StrategyFactory(name="Carers", directorate=directorate)


@pytest.fixture
def recommendation(committee, meeting, strategy):
    return ScrutinyRecommendationFactory(committee=committee, meeting=meeting, strategy=strategy, number=1)


def _body(committee, meeting, strategy, **overrides) -> dict:
    return {
        "committee": committee.pk,
        "meeting": meeting.pk,
        "number": 3,
        "text": "The Committee looked forward to a carers portal.",
        "addressed_to": "Executive",
        "strategy": strategy.pk,
        "reported_on": "2019-01-31",
        **overrides,
    }


@pytest.mark.parametrize(
    ("role", "status"), [("commissioner", 201), ("admin", 201), ("officer", 403), ("scrutiny", 403)]
)
def test_commissioners_and_administrators_record_recommendations(
    api_client_for, committee, meeting, strategy, role, status
):
    response = api_client_for(role).post(LIST, _body(committee, meeting, strategy), format="json")
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["response_due"] == "2019-03-30"
        assert response.json()["status"] == Status.AWAITING_RESPONSE


@pytest.mark.parametrize("role", ["commissioner", "admin", "officer", "scrutiny"])
def test_officers_and_councillors_read_recommendations(api_client_for, recommendation, role):
    client = api_client_for(role)
    assert client.get(LIST).json()["count"] == 1
    assert client.get(_detail(recommendation.pk)).json()["text"] == recommendation.text


def test_anonymous_is_refused(api_client_for):
    assert api_client_for(None).get(LIST).status_code == 401


def test_bad_input_answers_400_naming_the_field(api_client_for, committee, strategy):
    other_meeting = MeetingFactory(committee=CommitteeFactory(name="Another Committee"))
    response = api_client_for("commissioner").post(
        LIST, _body(committee, other_meeting, strategy, reported_on="2018-01-01"), format="json"
    )
    assert response.status_code == 400
    assert "another committee's" in response.json()["errors"]["meeting"][0]

    response = api_client_for("admin").post(LIST, {**_body(committee, other_meeting, strategy), "number": "x"})
    assert response.status_code == 400
    assert "number" in response.json()["errors"]


def test_another_directorates_commissioner_may_not_change_it(api_client_for, recommendation, api_user):
    client = api_client_for("commissioner")
    recommendation.strategy = StrategyFactory()  # another directorate's
    recommendation.save()
    response = client.patch(_detail(recommendation.pk), {"text": "Changed."}, format="json")
    assert response.status_code == 403
    response = client.post(_detail(recommendation.pk, "respond"), {"response": "accepted"}, format="json")
    assert response.status_code == 403


def test_respond_then_close(api_client_for, recommendation):
    client = api_client_for("commissioner")
    response = client.post(
        _detail(recommendation.pk, "respond"),
        {"response": "partly_accepted", "responded_by": "Executive", "responded_on": "2018-11-06"},
        format="json",
    )
    assert response.status_code == 400
    assert "response_reasons" in response.json()["errors"]

    response = client.post(
        _detail(recommendation.pk, "respond"),
        {
            "response": "partly_accepted",
            "response_reasons": "Only the larger changes.",
            "responded_by": "Executive",
            "responded_on": "2018-11-06",
            "actions": [{"description": "Engage on the larger changes.", "owner": "Head of Commissioning"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == Status.IN_PROGRESS
    assert [a["description"] for a in body["actions"]] == ["Engage on the larger changes."]

    response = client.post(_detail(recommendation.pk, "close"), {"closing_note": "Done."}, format="json")
    assert response.status_code == 400
    assert "Complete every action first" in response.json()["errors"]["actions"][0]


def test_a_rejected_recommendation_closes_through_the_api(api_client_for, recommendation):
    client = api_client_for("admin")
    client.post(
        _detail(recommendation.pk, "respond"),
        {
            "response": "rejected",
            "response_reasons": "In hand.",
            "responded_by": "Executive",
            "responded_on": "2018-11-06",
        },
        format="json",
    )
    response = client.post(_detail(recommendation.pk, "close"), {"closing_note": "Rejected."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == Status.CLOSED


def test_councillors_may_not_respond(api_client_for, recommendation):
    response = api_client_for("scrutiny").post(
        _detail(recommendation.pk, "respond"), {"response": "accepted"}, format="json"
    )
    assert response.status_code == 403


def test_filters(api_client_for, committee, meeting, strategy):
    october = MeetingFactory(committee=committee, date=datetime.date(2018, 10, 10))
    overdue = ScrutinyRecommendationFactory(
        committee=committee, meeting=october, reported_on=datetime.date(2018, 10, 16)
    )
    answered = ScrutinyRecommendationFactory(committee=committee, meeting=meeting, response="accepted")
    ScrutinyRecommendation.objects.filter(pk=answered.pk).update(status=Status.IN_PROGRESS)
    elsewhere = ScrutinyRecommendationFactory(
        committee=CommitteeFactory(name="Another Committee"), reported_on=None, response_due=None
    )
    client = api_client_for("officer")

    def ids(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content
        return sorted(r["id"] for r in response.json()["results"])

    assert ids(committee=committee.pk) == sorted([overdue.pk, answered.pk])
    assert ids(overdue="true") == [overdue.pk]
    assert ids(overdue="false") == sorted([answered.pk, elsewhere.pk])
    assert ids(status=Status.IN_PROGRESS) == [answered.pk]
    assert ids(year=2018, quarter=3) == [overdue.pk]
    assert ids(year=2018, quarter=2, committee=committee.pk) == [answered.pk]
    for params in ({"quarter": 5}, {"year": "soon"}, {"status": "done"}):
        response = client.get(LIST, params)
        assert response.status_code == 400, params
        assert set(response.json()["errors"]) == set(params)


def test_the_list_runs_constant_queries(api_client_for, committee, django_assert_max_num_queries):
    client = api_client_for("officer")
    for number in range(20):
        ScrutinyRecommendationFactory(committee=committee, number=number + 1).actions.create(description="Act.")
    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"page_size": 100})
    assert response.json()["count"] == 20


def test_stages_are_read_with_their_conclusions(api_client_for, meeting, strategy, administrator):
    report = BoardReviewedHighlightReportFactory(strategy=strategy)
    stage = services.stage_add(
        report=report, step=ScrutinyStage.Step.SUBJECT_COMMITTEE, meeting=meeting, by=administrator
    )
    services.stage_conclude(stage=stage, by=administrator, text="Supported carers into work.")

    response = api_client_for("officer").get("/api/v1/scrutiny-stages/", {"report": report.pk})

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["step"] == "subject_committee"
    assert row["committee_name"] == "Adults and Community Wellbeing Scrutiny Committee"
    assert row["conclusions"] == "Supported carers into work."
    assert api_client_for("admin").post("/api/v1/scrutiny-stages/", {}).status_code == 405


def test_the_paths_are_in_the_schema(client):
    schema = client.get(reverse("schema")).content.decode()
    assert "/api/v1/scrutiny-recommendations/{id}/respond/" in schema
    assert "/api/v1/scrutiny-stages/" in schema


def test_the_page_and_the_api_refuse_a_partial_acceptance_without_reasons_alike(api_client_for, recommendation):
    api = api_client_for("commissioner", session=True)
    body = {"response": "partly_accepted", "responded_by": "Executive", "responded_on": "2018-11-06"}

    by_api = api.post(_detail(recommendation.pk, "respond"), body, format="json")
    on_page = api.post(
        reverse("scrutiny:recommendation_respond", args=[recommendation.pk]), {**body, "responded_on": "06/11/2018"}
    )

    assert by_api.status_code == 400
    assert on_page.status_code == 200
    assert by_api.json()["errors"]["response_reasons"] == on_page.context["form"].errors["response_reasons"]


def test_the_page_and_the_api_refuse_another_directorates_commissioner_alike(api_client_for, recommendation):
    recommendation.strategy = StrategyFactory()  # another directorate's
    recommendation.save()
    client = api_client_for("commissioner", session=True)
    by_api = client.post(_detail(recommendation.pk, "close"), {"closing_note": "Done."}, format="json")
    on_page = client.post(reverse("scrutiny:recommendation_close", args=[recommendation.pk]), {"closing_note": "x"})
    assert (by_api.status_code, on_page.status_code) == (403, 403)
