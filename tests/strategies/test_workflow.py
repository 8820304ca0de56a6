"""A highlight report's journey from draft to Executive approval, through the browser, and who may move it."""

import datetime

import pytest
from django.urls import reverse

from commissioning import roles
from strategies.models import HighlightReport, ReportEvent
from tests.factories import (
    DirectorateFactory,
    HighlightReportFactory,
    KeyContractFactory,
    MeetingFactory,
    ScrutinyConclusionFactory,
    StrategyFactory,
    SubmittedHighlightReportFactory,
)

pytestmark = pytest.mark.django_db

Status = HighlightReport.Status

EDITED_SECTIONS = {
    "report_date": "10/01/2019",
    "summary": "Specialist Adult Services commission care for adults with learning disability and autism.",
    "needs_established": "JSNA chapters on learning disability, mental health and autism.",
    "outcomes_text": "Maintain or improve health and wellbeing.",
    "success_note": "All targeted measures met in the quarter.",
    "key_contracts_note": "Residential care re-provision under way.",
    "pooled_budget_arrangements": "Pooled budget with risk share with the four Clinical Commissioning Groups.",
    "property_implications": "Replacement day centre in Grantham.",
    "commercial_opportunities": "In-house day services within a trading arm.",
    "completed_by": "Head of Specialist Adult Services",
    "rag": "amber",
    "rag_comment": "Market capacity for residential care is reducing.",
    "commissioners_comments": "On track overall.",
    "scrutiny_note": "Annual position statement requested.",
}


def _post_edit(client, report, **changes):
    data = {**EDITED_SECTIONS, **changes, "version": report.version}
    return client.post(reverse("strategies:report_edit", args=[report.pk]), data)


def test_commissioner_and_administrator_take_next_quarters_report_to_approval(
    client_as_commissioner, client_as_admin, commissioner, administrator, directorate
):
    strategy = StrategyFactory(directorate=directorate, name="Specialist Adult Services")
    HighlightReportFactory(
        strategy=strategy, year=2018, quarter=3, status=Status.APPROVED, summary="Last quarter's summary."
    )
    KeyContractFactory(strategy=strategy, directorate=directorate, title="LD - Residential Care")
    meeting = MeetingFactory(date=datetime.date(2019, 2, 6))
    ScrutinyConclusionFactory(strategy=strategy, meeting=meeting, text="The Committee supported the strategy.")

    # The commissioner starts next quarter's report: a draft copying the last one's narrative.
    response = client_as_commissioner.post(reverse("strategies:start_next_report", args=[strategy.pk]))
    report = HighlightReport.objects.get(strategy=strategy, year=2018, quarter=4)
    assert response.url == reverse("strategies:report_edit", args=[report.pk])
    assert report.status == Status.DRAFT
    assert report.summary == "Last quarter's summary."

    # ...edits every section in the browser...
    page = client_as_commissioner.get(reverse("strategies:report_edit", args=[report.pk]))
    assert page.status_code == 200
    assert "LD - Residential Care" in page.content.decode()
    assert page.content.decode().split("<main")[1].count("<form") == 1  # one form, not one nested in another
    response = _post_edit(client_as_commissioner, report)
    assert response.status_code == 302, response.content.decode()
    report.refresh_from_db()
    for field, value in EDITED_SECTIONS.items():
        if field != "report_date":
            assert getattr(report, field) == value
    assert report.report_date == datetime.date(2019, 1, 10)

    # ...and submits it to the board.
    response = client_as_commissioner.post(
        reverse("strategies:report_submit", args=[report.pk]), {"version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED

    # The administrator moves it through the board, scrutiny and the Executive.
    client_as_admin.post(
        reverse("strategies:report_board_review", args=[report.pk]),
        {"version": report.version, "board_comments": "Board content with the direction of travel."},
    )
    report.refresh_from_db()
    assert report.status == Status.BOARD_REVIEWED
    client_as_admin.post(
        reverse("strategies:report_scrutiny_considered", args=[report.pk]),
        {"version": report.version, "meeting": meeting.pk},
    )
    report.refresh_from_db()
    assert report.status == Status.SCRUTINY_CONSIDERED
    assert report.scrutiny_meeting == meeting
    response = client_as_admin.post(
        reverse("strategies:report_approve", args=[report.pk]),
        {"version": report.version, "decision_reference": "I017457", "decision_date": "04/06/2019"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.APPROVED
    assert report.decision_reference == "I017457"
    assert report.decision_date == datetime.date(2019, 6, 4)

    # The timeline says who did each move, in order.
    events = list(report.events.order_by("at", "pk"))
    assert [(e.kind, e.by) for e in events] == [
        (ReportEvent.Kind.CREATED, commissioner),
        (ReportEvent.Kind.SUBMITTED, commissioner),
        (ReportEvent.Kind.BOARD_REVIEWED, administrator),
        (ReportEvent.Kind.SCRUTINY_CONSIDERED, administrator),
        (ReportEvent.Kind.APPROVED, administrator),
    ]
    page = client_as_admin.get(reverse("strategies:report", args=[report.pk])).content.decode()
    for label in [
        "Submitted to the board",
        "Reviewed by the board",
        "Considered by scrutiny",
        "Approved by the Executive",
    ]:
        assert label in page
    assert "Board content with the direction of travel." in page
    assert "The Committee supported the strategy." in page
    assert f"/scrutiny/reports/{report.pk}/pdf/" in page


def test_a_report_returned_for_changes_goes_back_to_draft_with_the_reason(client_as_admin, directorate):
    report = SubmittedHighlightReportFactory(strategy=StrategyFactory(directorate=directorate))
    response = client_as_admin.post(
        reverse("strategies:report_return", args=[report.pk]),
        {"version": report.version, "reason": "Add the Q3 performance commentary."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    event = report.events.get()
    assert event.kind == ReportEvent.Kind.RETURNED
    assert event.reason == "Add the Q3 performance commentary."
    assert "Add the Q3 performance commentary." in client_as_admin.get(report.get_absolute_url()).content.decode()


def test_returning_a_report_needs_a_reason(client_as_admin, directorate):
    report = SubmittedHighlightReportFactory(strategy=StrategyFactory(directorate=directorate))
    response = client_as_admin.post(
        reverse("strategies:report_return", args=[report.pk]), {"version": report.version, "reason": " "}
    )
    assert response.status_code == 200
    assert "Enter the reason the report is returned for changes." in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_approval_needs_a_decision_reference_like_I017457(client_as_admin, directorate):
    report = HighlightReportFactory(
        strategy=StrategyFactory(directorate=directorate), status=Status.SCRUTINY_CONSIDERED
    )
    response = client_as_admin.post(
        reverse("strategies:report_approve", args=[report.pk]),
        {"version": report.version, "decision_reference": "approved", "decision_date": "04/06/2019"},
    )
    assert response.status_code == 200
    assert "Enter the Executive decision reference, such as I017457." in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.SCRUTINY_CONSIDERED
    assert report.approved_snapshot is None


def test_submission_names_each_missing_section(client_as_commissioner, directorate):
    report = HighlightReportFactory(
        strategy=StrategyFactory(directorate=directorate), summary="", completed_by="", rag=""
    )
    response = client_as_commissioner.post(
        reverse("strategies:report_submit", args=[report.pk]), {"version": report.version}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Summary description" in page
    assert "Completed by" in page
    # The RAG may be left blank (seed 000's reports were): it is not asked for.
    assert "Status (RAG)" not in page
    assert "There is a problem" in page
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert not report.events.exists()


# Who may make each move: (move url name, starting status, {role: expected status code}).
MOVES = [
    (
        "strategies:report_submit",
        Status.DRAFT,
        {roles.COMMISSIONER: 302, roles.ADMINISTRATOR: 302, roles.CONTRACT_OFFICER: 403, roles.SCRUTINY_MEMBER: 404},
    ),
    # A report with the officers' board is not a councillor's to know of: 404, as for a draft.
    (
        "strategies:report_board_review",
        Status.SUBMITTED,
        {roles.COMMISSIONER: 403, roles.ADMINISTRATOR: 302, roles.CONTRACT_OFFICER: 403, roles.SCRUTINY_MEMBER: 404},
    ),
    (
        "strategies:report_scrutiny_considered",
        Status.BOARD_REVIEWED,
        {roles.COMMISSIONER: 403, roles.ADMINISTRATOR: 302, roles.CONTRACT_OFFICER: 403, roles.SCRUTINY_MEMBER: 404},
    ),
    (
        "strategies:report_approve",
        Status.SCRUTINY_CONSIDERED,
        {roles.COMMISSIONER: 403, roles.ADMINISTRATOR: 302, roles.CONTRACT_OFFICER: 403, roles.SCRUTINY_MEMBER: 403},
    ),
    (
        "strategies:report_return",
        Status.SUBMITTED,
        {roles.COMMISSIONER: 403, roles.ADMINISTRATOR: 302, roles.CONTRACT_OFFICER: 403, roles.SCRUTINY_MEMBER: 404},
    ),
]


@pytest.mark.parametrize("role", roles.ALL_ROLES)
@pytest.mark.parametrize(("url_name", "status", "expected"), MOVES, ids=[m[0].split(":")[1] for m in MOVES])
def test_who_may_make_each_move(client_for_role, directorate, role, url_name, status, expected):
    report = HighlightReportFactory(strategy=StrategyFactory(directorate=directorate), status=status)
    data = {
        "version": report.version,
        "board_comments": "Noted.",
        "meeting": MeetingFactory(date=datetime.date(2018, 12, 12)).pk,
        "decision_reference": "I017457",
        "decision_date": "04/06/2019",
        "reason": "Needs the Q3 figures.",
    }
    client = client_for_role(role)
    response = client.post(reverse(url_name, args=[report.pk]), data)
    assert response.status_code == expected[role]
    report.refresh_from_db()
    moved = report.status != status
    assert moved == (expected[role] == 302)
    assert report.events.exists() == moved


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.COMMISSIONER, 302),
        (roles.ADMINISTRATOR, 302),
        (roles.CONTRACT_OFFICER, 403),
        (roles.SCRUTINY_MEMBER, 403),
    ],
)
def test_who_may_start_next_quarters_report(client_for_role, directorate, role, expected):
    strategy = StrategyFactory(directorate=directorate)
    HighlightReportFactory(strategy=strategy, year=2018, quarter=3)
    response = client_for_role(role).post(reverse("strategies:start_next_report", args=[strategy.pk]))
    assert response.status_code == expected
    assert strategy.highlight_reports.filter(year=2018, quarter=4).exists() == (expected == 302)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.COMMISSIONER, 200),
        (roles.ADMINISTRATOR, 200),
        (roles.CONTRACT_OFFICER, 403),
        (roles.SCRUTINY_MEMBER, 404),
    ],
)
def test_who_may_open_the_editor_of_a_draft(client_for_role, directorate, role, expected):
    report = HighlightReportFactory(strategy=StrategyFactory(directorate=directorate))
    assert client_for_role(role).get(reverse("strategies:report_edit", args=[report.pk])).status_code == expected


def test_a_commissioner_cannot_edit_another_directorates_report(client_as_commissioner):
    other = StrategyFactory(directorate=DirectorateFactory(name="Place", code="place"))
    report = HighlightReportFactory(strategy=other)
    assert client_as_commissioner.get(reverse("strategies:report_edit", args=[report.pk])).status_code == 403
    response = client_as_commissioner.post(
        reverse("strategies:report_submit", args=[report.pk]), {"version": report.version}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "draft", "with_the_board", "gone_to_scrutiny"),
    [
        (roles.COMMISSIONER, 200, 200, 200),
        (roles.CONTRACT_OFFICER, 200, 200, 200),
        (roles.SCRUTINY_MEMBER, 404, 404, 200),
        (roles.ADMINISTRATOR, 200, 200, 200),
    ],
)
def test_scrutiny_members_read_reports_once_they_have_gone_to_scrutiny(
    client_for_role, directorate, role, draft, with_the_board, gone_to_scrutiny
):
    strategy = StrategyFactory(directorate=directorate)
    draft_report = HighlightReportFactory(strategy=strategy, year=2018, quarter=4)
    submitted = SubmittedHighlightReportFactory(strategy=strategy, year=2018, quarter=3)
    reviewed = HighlightReportFactory(strategy=strategy, year=2018, quarter=2, status=Status.BOARD_REVIEWED)
    considered = HighlightReportFactory(strategy=strategy, year=2018, quarter=1, status=Status.SCRUTINY_CONSIDERED)
    client = client_for_role(role)
    for name in ("strategies:report", "strategies:report_print", "strategies:report_history"):
        assert client.get(reverse(name, args=[draft_report.pk])).status_code == draft
        assert client.get(reverse(name, args=[submitted.pk])).status_code == with_the_board
        assert client.get(reverse(name, args=[reviewed.pk])).status_code == with_the_board
        assert client.get(reverse(name, args=[considered.pk])).status_code == gone_to_scrutiny
    assert client.get(reverse("strategies:detail", args=[strategy.pk])).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client_for_role, directorate):
    report = HighlightReportFactory(strategy=StrategyFactory(directorate=directorate))
    response = client_for_role(None).get(reverse("strategies:report", args=[report.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


# What the success banner of each move says happened, written out by hand.
MOVE_BANNERS = [
    (
        "strategies:report_submit",
        Status.DRAFT,
        "Carers highlight report, Q3 2018/19 sent to the Commissioning and Commercial Board.",
    ),
    ("strategies:report_board_review", Status.SUBMITTED, "The board's review of the "),
    (
        "strategies:report_approve",
        Status.SCRUTINY_CONSIDERED,
        "is recorded as approved by the Executive. It cannot be changed now.",
    ),
    ("strategies:report_return", Status.SUBMITTED, "went back to its authors for changes: it is a draft again."),
]


@pytest.mark.parametrize(("url_name", "status", "says"), MOVE_BANNERS, ids=[m[0].split(":")[1] for m in MOVE_BANNERS])
def test_the_banner_says_what_the_move_did(client_for_role, directorate, url_name, status, says):
    report = HighlightReportFactory(
        strategy=StrategyFactory(directorate=directorate, name="Carers"), status=status, year=2018, quarter=3
    )
    data = {
        "version": report.version,
        "board_comments": "Noted.",
        "decision_reference": "I017457",
        "decision_date": "04/06/2019",
        "reason": "Needs the Q3 figures.",
    }
    response = client_for_role(roles.ADMINISTRATOR).post(reverse(url_name, args=[report.pk]), data, follow=True)
    banner = [str(m) for m in response.context["messages"]]
    assert len(banner) == 1
    assert says in banner[0]
    assert "Carers" in banner[0]
