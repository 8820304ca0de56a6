"""Highlight reports over the API: no stale write overwrites a newer version; the workflow as actions."""

import pytest

from strategies.models import HighlightReport
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(directorate):
    return f.HighlightReportFactory(strategy=f.StrategyFactory(directorate=directorate))


def url(report, action=""):
    return f"/api/v1/highlight-reports/{report.pk}/" + (f"{action}/" if action else "")


def test_reading_a_report_gives_its_version_as_etag(api_client_for, draft):
    response = api_client_for("commissioner").get(url(draft))

    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1


def test_an_update_with_the_current_etag_saves_and_moves_the_version_on(api_client_for, draft):
    response = api_client_for("commissioner").patch(
        url(draft), {"summary": "Carers' hub open."}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    draft.refresh_from_db()
    assert (draft.summary, draft.version) == ("Carers' hub open.", 2)


def test_a_stale_if_match_is_412_and_does_not_overwrite(api_client_for, draft):
    HighlightReport.objects.filter(pk=draft.pk).update(version=2, summary="Saved by a colleague.")

    response = api_client_for("commissioner").patch(
        url(draft), {"summary": "My older edit."}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    draft.refresh_from_db()
    assert draft.summary == "Saved by a colleague."


def test_a_stale_version_field_is_409_and_does_not_overwrite(api_client_for, draft):
    HighlightReport.objects.filter(pk=draft.pk).update(version=2, summary="Saved by a colleague.")

    response = api_client_for("commissioner").patch(
        url(draft), {"summary": "My older edit.", "version": 1}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["status"] == 409
    draft.refresh_from_db()
    assert draft.summary == "Saved by a colleague."


def test_an_update_without_a_version_is_refused(api_client_for, draft):
    response = api_client_for("commissioner").patch(url(draft), {"summary": "Blind write."}, format="json")

    assert response.status_code == 428
    draft.refresh_from_db()
    assert draft.summary == "Summary of the quarter."


def test_a_red_status_needs_a_supporting_comment(api_client_for, draft):
    response = api_client_for("commissioner").patch(url(draft), {"rag": "red", "version": 1}, format="json")

    assert response.status_code == 400
    assert "rag_comment" in response.json()["errors"]


@pytest.mark.parametrize(("role", "expected"), [("scrutiny", 403), ("officer", 403), ("commissioner", 200)])
def test_only_commissioners_submit_a_draft_to_the_board(api_client_for, draft, role, expected):
    response = api_client_for(role).post(url(draft, "submit"), {"version": 1}, format="json")

    assert response.status_code == expected
    draft.refresh_from_db()
    assert (draft.status == HighlightReport.Status.SUBMITTED) is (expected == 200)


def test_submitting_a_report_twice_is_a_conflict(api_client_for, draft):
    client = api_client_for("commissioner")
    assert client.post(url(draft, "submit"), {"version": 1}, format="json").status_code == 200

    response = client.post(url(draft, "submit"), {"version": 2}, format="json")

    assert response.status_code == 409


def test_a_report_missing_sections_cannot_be_submitted(api_client_for, directorate):
    report = f.HighlightReportFactory(strategy=f.StrategyFactory(directorate=directorate), summary="")

    response = api_client_for("commissioner").post(url(report, "submit"), HTTP_IF_MATCH='"1"')

    assert response.status_code == 400
    assert "summary" in response.json()["errors"]


def test_a_commissioner_cannot_submit_another_directorates_report(api_client_for):
    report = f.HighlightReportFactory()

    assert api_client_for("commissioner").post(url(report, "submit"), {"version": 1}).status_code == 403


def test_the_board_review_is_recorded_by_an_administrator(api_client_for, directorate):
    report = f.SubmittedHighlightReportFactory(strategy=f.StrategyFactory(directorate=directorate))

    response = api_client_for("admin").post(
        url(report, "board-review"), {"version": 1, "board_comments": "Agreed."}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "board_reviewed"


def test_starting_the_next_quarter_copies_the_narrative(api_client_for, draft):
    response = api_client_for("commissioner").post(
        "/api/v1/highlight-reports/", {"strategy": draft.strategy_id}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["year"], body["quarter"], body["status"]) == (2018, 4, "draft")
    assert body["summary"] == "Summary of the quarter."


def test_pack_rendering_is_queued_and_answers_202_with_a_status_url(api_client_for, django_capture_on_commit_callbacks):
    pack = f.ScrutinyPackFactory()
    client = api_client_for("admin")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/api/v1/scrutiny-packs/{pack.pk}/render/", {}, format="json")

    assert response.status_code == 202
    body = response.json()
    assert body["render_status"] == "queued"
    assert response["Location"] == body["status_url"]
    assert len(callbacks) == 1
    assert client.get(body["status_url"]).json()["render_status"] == "queued"


@pytest.mark.parametrize(("role", "expected"), [("scrutiny", 403), ("commissioner", 403)])
def test_only_administrators_render_packs(api_client_for, role, expected):
    pack = f.PublishedScrutinyPackFactory()

    assert api_client_for(role).post(f"/api/v1/scrutiny-packs/{pack.pk}/render/").status_code == expected


# --- The router's format-suffix routes (…/submit.json): every action answers, none is a server error ----------

SUFFIXED_ACTIONS = [
    ("submit", f.HighlightReportFactory, {}),
    ("board-review", f.SubmittedHighlightReportFactory, {"board_comments": "Agreed."}),
    ("return", f.SubmittedHighlightReportFactory, {"reason": "Add the figures."}),
    ("approve", f.HighlightReportFactory, {"decision_reference": "I017457", "decision_date": "2019-06-04"}),
    ("scrutiny-considered", f.HighlightReportFactory, {}),
]


@pytest.mark.parametrize(("action", "factory", "body"), SUFFIXED_ACTIONS, ids=[a[0] for a in SUFFIXED_ACTIONS])
def test_a_workflow_action_with_a_json_suffix_answers_as_without(api_client_for, directorate, action, factory, body):
    client = api_client_for("admin")
    report = factory(strategy=f.StrategyFactory(directorate=directorate))
    client.raise_request_exception = False

    response = client.post(
        f"/api/v1/highlight-reports/{report.pk}/{action}.json", {"version": 1, **body}, format="json"
    )

    assert response.status_code < 500
    assert response["Content-Type"] == "application/json"


def test_a_move_through_the_json_suffix_route_is_made(api_client_for, draft):
    response = api_client_for("commissioner").post(
        f"/api/v1/highlight-reports/{draft.pk}/submit.json", {"version": 1}, format="json"
    )

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == HighlightReport.Status.SUBMITTED


def test_pack_actions_with_a_json_suffix_answer(api_client_for, django_capture_on_commit_callbacks):
    client = api_client_for("admin")
    pack = f.ScrutinyPackFactory()

    with django_capture_on_commit_callbacks(execute=False):
        rendered = client.post(f"/api/v1/scrutiny-packs/{pack.pk}/render.json", {}, format="json")
    status = client.get(f"/api/v1/scrutiny-packs/{pack.pk}/render-status.json")
    published = client.post(f"/api/v1/scrutiny-packs/{pack.pk}/publish.json", {}, format="json")

    assert rendered.status_code == 202
    assert status.json()["render_status"] == "queued"
    assert published.status_code == 400  # not rendered yet: the service says so, no server error


def test_an_unknown_format_suffix_is_not_found(api_client_for, draft):
    response = api_client_for("admin").post(f"/api/v1/highlight-reports/{draft.pk}/submit.api", {"version": 1})

    assert response.status_code == 404


# --- Councillors: reports once gone to scrutiny, and never a render --------------------------------------------


def test_a_councillor_reads_over_the_api_only_reports_gone_to_scrutiny(api_client_for, directorate):
    strategy = f.StrategyFactory(directorate=directorate)
    f.HighlightReportFactory(strategy=strategy, year=2018, quarter=4)
    f.SubmittedHighlightReportFactory(strategy=strategy, year=2018, quarter=3)
    considered = f.HighlightReportFactory(
        strategy=strategy, year=2018, quarter=2, status=HighlightReport.Status.SCRUTINY_CONSIDERED
    )

    body = api_client_for("scrutiny").get("/api/v1/highlight-reports/").json()

    assert [r["id"] for r in body["results"]] == [considered.pk]


def test_a_strategy_that_ends_before_it_starts_is_400_naming_the_field(api_client_for, directorate):
    response = api_client_for("commissioner").post(
        "/api/v1/strategies/",
        {
            "name": "Carers",
            "directorate": directorate.pk,
            "purpose": "Support carers.",
            "sponsor": "Executive Director",
            "period_start": "2019-04-01",
            "period_end": "2019-03-31",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"period_end": ["The strategy must end after it starts."]}


def test_a_pack_with_no_appendices_is_400_naming_the_field(api_client_for):
    response = api_client_for("admin").post(
        "/api/v1/scrutiny-packs/",
        {
            "meeting": f.MeetingFactory().pk,
            "title": "Pack",
            "report_to": "Board",
            "report_date": "2019-05-30",
            "subject": "Strategies",
            "strategies": [],
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["strategies"]
