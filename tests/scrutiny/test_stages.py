"""Two-stage scrutiny: a highlight report goes to subject committees, then the Management Board, then the decision
maker (seed 000); each stage's conclusions are the committee's conclusions, and the report's page and printed
"Conclusions from …" section show each stage."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commissioning import roles
from scrutiny import documents, services
from scrutiny.models import ScrutinyConclusion, ScrutinyStage
from strategies.models import HighlightReport, ReportEvent
from strategies.selectors import highlight_report_document
from tests.factories import (
    BoardReviewedHighlightReportFactory,
    CommitteeFactory,
    ExecutiveFactory,
    HighlightReportFactory,
    ManagementBoardFactory,
    MeetingFactory,
    PackAppendixFactory,
    ScrutinyConclusionFactory,
    ScrutinyPackFactory,
    StrategyFactory,
    SubmittedHighlightReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Step = ScrutinyStage.Step
Status = HighlightReport.Status
TODAY = datetime.date(2019, 6, 10)


def _user(role: str, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def seed_meetings():
    """Seed 000's committees and dates: the subject committees, the Management Board, then the Executive."""
    acw = CommitteeFactory(name="Adults and Community Wellbeing Scrutiny Committee")
    ppc = CommitteeFactory(name="Public Protection and Communities Scrutiny Committee")
    return {
        "acw_sep": MeetingFactory(committee=acw, date=datetime.date(2018, 9, 5)),
        "acw_oct": MeetingFactory(committee=acw, date=datetime.date(2018, 10, 10)),
        "ppc_mar": MeetingFactory(committee=ppc, date=datetime.date(2019, 3, 12)),
        "osmb": MeetingFactory(committee=ManagementBoardFactory(), date=datetime.date(2019, 5, 30)),
        "executive": MeetingFactory(committee=ExecutiveFactory(), date=datetime.date(2019, 6, 4)),
    }


@pytest.fixture
def report(directorate):
    strategy = StrategyFactory(name="Specialist Adult Services", directorate=directorate)
    return BoardReviewedHighlightReportFactory(strategy=strategy)


def _add(report, step, meeting, by):
    return services.stage_add(report=report, step=step, meeting=meeting, by=by)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Adding stages: order and kinds of committee ------------------------------------------------------------


def test_a_report_goes_to_subject_committees_then_the_board_then_the_decision_maker(
    report, seed_meetings, commissioner
):
    _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["acw_sep"], commissioner)
    _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["ppc_mar"], commissioner)
    _add(report, Step.MANAGEMENT_BOARD, seed_meetings["osmb"], commissioner)
    _add(report, Step.DECISION_MAKER, seed_meetings["executive"], commissioner)

    steps = list(report.scrutiny_stages.order_by("meeting__date").values_list("step", flat=True))
    assert steps == [Step.SUBJECT_COMMITTEE, Step.SUBJECT_COMMITTEE, Step.MANAGEMENT_BOARD, Step.DECISION_MAKER]


@pytest.mark.parametrize(
    ("step", "meeting"),
    [
        (Step.SUBJECT_COMMITTEE, "osmb"),
        (Step.SUBJECT_COMMITTEE, "executive"),
        (Step.MANAGEMENT_BOARD, "ppc_mar"),
        (Step.DECISION_MAKER, "osmb"),
    ],
)
def test_each_stage_meets_at_a_meeting_of_its_kind_of_committee(report, seed_meetings, commissioner, step, meeting):
    if step != Step.SUBJECT_COMMITTEE:
        _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["acw_sep"], commissioner)
    with pytest.raises(ValidationError) as excinfo:
        _add(report, step, seed_meetings[meeting], commissioner)
    assert "meeting" in _errors(excinfo)
    assert "meets at a meeting of" in _errors(excinfo)["meeting"][0]


def test_the_board_comes_after_a_subject_committee(report, seed_meetings, commissioner):
    with pytest.raises(ValidationError) as excinfo:
        _add(report, Step.MANAGEMENT_BOARD, seed_meetings["osmb"], commissioner)
    assert "Add the subject scrutiny committee stage first" in _errors(excinfo)["step"][0]


def test_a_report_has_at_most_one_board_stage_and_one_decision_maker_stage(report, seed_meetings, commissioner):
    _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["acw_sep"], commissioner)
    _add(report, Step.MANAGEMENT_BOARD, seed_meetings["osmb"], commissioner)
    later_board = MeetingFactory(committee=seed_meetings["osmb"].committee, date=datetime.date(2019, 7, 1))
    with pytest.raises(ValidationError) as excinfo:
        _add(report, Step.MANAGEMENT_BOARD, later_board, commissioner)
    assert "it has only one" in _errors(excinfo)["step"][0]

    _add(report, Step.DECISION_MAKER, seed_meetings["executive"], commissioner)
    later_executive = MeetingFactory(committee=seed_meetings["executive"].committee, date=datetime.date(2019, 7, 2))
    with pytest.raises(ValidationError) as excinfo:
        _add(report, Step.DECISION_MAKER, later_executive, commissioner)
    assert "it has only one" in _errors(excinfo)["step"][0]


def test_no_subject_committee_stage_after_the_board(report, seed_meetings, commissioner):
    _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["acw_sep"], commissioner)
    _add(report, Step.MANAGEMENT_BOARD, seed_meetings["osmb"], commissioner)
    later = MeetingFactory(committee=seed_meetings["acw_sep"].committee, date=datetime.date(2019, 7, 10))
    with pytest.raises(ValidationError) as excinfo:
        _add(report, Step.SUBJECT_COMMITTEE, later, commissioner)
    assert "subject committees come first" in _errors(excinfo)["step"][0]


def test_stages_follow_each_other_in_date_order(report, seed_meetings, commissioner):
    _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["acw_oct"], commissioner)
    with pytest.raises(ValidationError) as excinfo:
        _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["acw_sep"], commissioner)
    assert "date order" in _errors(excinfo)["meeting"][0]

    early_board = MeetingFactory(committee=seed_meetings["osmb"].committee, date=datetime.date(2018, 10, 1))
    with pytest.raises(ValidationError) as excinfo:
        _add(report, Step.MANAGEMENT_BOARD, early_board, commissioner)
    assert "date order" in _errors(excinfo)["meeting"][0]


def test_a_report_has_one_stage_per_meeting(report, seed_meetings, commissioner):
    _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["acw_sep"], commissioner)
    with pytest.raises(ValidationError) as excinfo:
        _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["acw_sep"], commissioner)
    assert "already has a stage at" in _errors(excinfo)["meeting"][0]


@pytest.mark.parametrize("factory", [HighlightReportFactory, SubmittedHighlightReportFactory])
def test_a_report_goes_to_scrutiny_only_after_the_officers_board(factory, directorate, seed_meetings, commissioner):
    draft = factory(strategy=StrategyFactory(directorate=directorate))
    with pytest.raises(ValidationError) as excinfo:
        _add(draft, Step.SUBJECT_COMMITTEE, seed_meetings["acw_sep"], commissioner)
    assert "once the Commissioning and Commercial Board has reviewed it" in " ".join(excinfo.value.messages)
    assert not ScrutinyStage.objects.exists()


@pytest.mark.parametrize(
    ("role", "own_directorate", "allowed"),
    [
        (roles.COMMISSIONER, True, True),
        (roles.COMMISSIONER, False, False),
        (roles.ADMINISTRATOR, False, True),
        (roles.CONTRACT_OFFICER, True, False),
        (roles.SCRUTINY_MEMBER, True, False),
    ],
)
def test_commissioners_of_the_directorate_and_administrators_add_stages(
    report, seed_meetings, role, own_directorate, allowed
):
    user = _user(role, directorate=report.strategy.directorate if own_directorate else None)
    if role == roles.COMMISSIONER and not own_directorate:
        user.directorate = StrategyFactory().directorate
        user.save()
    if allowed:
        assert _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["acw_sep"], user).pk
    else:
        with pytest.raises(PermissionDenied):
            _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["acw_sep"], user)


# --- Concluding stages ------------------------------------------------------------------------------------------


@pytest.fixture
def staged(report, seed_meetings, administrator):
    subject = _add(report, Step.SUBJECT_COMMITTEE, seed_meetings["acw_sep"], administrator)
    board = _add(report, Step.MANAGEMENT_BOARD, seed_meetings["osmb"], administrator)
    executive = _add(report, Step.DECISION_MAKER, seed_meetings["executive"], administrator)
    return {"subject": subject, "board": board, "executive": executive}


def test_a_stages_conclusions_are_the_committees_conclusions_at_that_meeting(staged, commissioner):
    stage = services.stage_conclude(
        stage=staged["subject"], by=commissioner, text="The Committee stressed annual health checks.", today=TODAY
    )

    conclusion = ScrutinyConclusion.objects.get()
    assert stage.conclusion == conclusion
    assert conclusion.meeting == staged["subject"].meeting
    assert conclusion.strategy == staged["subject"].report.strategy
    assert conclusion.recorded_by == commissioner
    assert stage.concluded_on == datetime.date(2018, 9, 5)


def test_a_conclusion_already_recorded_at_the_meeting_is_linked_not_recorded_twice(staged, commissioner):
    recorded = ScrutinyConclusionFactory(
        strategy=staged["subject"].report.strategy, meeting=staged["subject"].meeting, text="Recorded from minutes."
    )
    stage = services.stage_conclude(stage=staged["subject"], by=commissioner, text="", today=TODAY)

    assert stage.conclusion == recorded
    assert ScrutinyConclusion.objects.count() == 1


def test_a_stage_with_no_conclusions_recorded_needs_the_text(staged, commissioner):
    with pytest.raises(ValidationError) as excinfo:
        services.stage_conclude(stage=staged["subject"], by=commissioner, text="  ", today=TODAY)
    assert _errors(excinfo)["text"] == ["Enter the committee's conclusions."]


def test_a_stages_conclusions_are_recorded_once(staged, commissioner):
    services.stage_conclude(stage=staged["subject"], by=commissioner, text="First.", today=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        services.stage_conclude(stage=staged["subject"], by=commissioner, text="Second.", today=TODAY)
    assert "never rewritten" in _errors(excinfo)["text"][0]


def test_conclusions_are_not_dated_before_the_meeting_or_in_the_future(staged, commissioner):
    with pytest.raises(ValidationError) as excinfo:
        services.stage_conclude(
            stage=staged["subject"], by=commissioner, text="x", concluded_on=datetime.date(2018, 9, 4), today=TODAY
        )
    assert "before the meeting" in _errors(excinfo)["concluded_on"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.stage_conclude(
            stage=staged["subject"], by=commissioner, text="x", concluded_on=TODAY.replace(day=11), today=TODAY
        )
    assert "future" in _errors(excinfo)["concluded_on"][0]


def test_a_later_stage_cannot_conclude_before_the_earlier_ones(staged, administrator):
    with pytest.raises(ValidationError) as excinfo:
        services.stage_conclude(stage=staged["board"], by=administrator, text="The Board supported.", today=TODAY)
    assert "a later stage cannot conclude before the earlier ones" in " ".join(excinfo.value.messages)
    assert not ScrutinyConclusion.objects.exists()


def test_when_the_board_concludes_the_report_is_considered_by_scrutiny(staged, administrator):
    report = staged["board"].report
    services.stage_conclude(stage=staged["subject"], by=administrator, text="Supported.", today=TODAY)
    services.stage_conclude(stage=staged["board"], by=administrator, text="The Board supported.", today=TODAY)

    report.refresh_from_db()
    assert report.status == Status.SCRUTINY_CONSIDERED
    assert report.scrutiny_meeting == staged["board"].meeting
    event = report.events.get(kind=ReportEvent.Kind.SCRUTINY_CONSIDERED)
    assert event.by == administrator


def test_a_report_already_considered_is_not_moved_again(staged, administrator):
    report = staged["board"].report
    HighlightReport.objects.filter(pk=report.pk).update(status=Status.APPROVED)
    services.stage_conclude(stage=staged["subject"], by=administrator, text="Supported.", today=TODAY)
    services.stage_conclude(stage=staged["board"], by=administrator, text="The Board supported.", today=TODAY)

    report.refresh_from_db()
    assert report.status == Status.APPROVED
    assert not report.events.filter(kind=ReportEvent.Kind.SCRUTINY_CONSIDERED).exists()


def test_whoever_may_not_record_scrutinys_consideration_cannot_conclude_the_board_stage(staged, commissioner):
    """The move to "Considered by scrutiny" is strategies' (its permission): nothing is half written."""
    services.stage_conclude(stage=staged["subject"], by=commissioner, text="Supported.", today=TODAY)
    with pytest.raises(PermissionDenied):
        services.stage_conclude(stage=staged["board"], by=commissioner, text="The Board supported.", today=TODAY)
    staged["board"].refresh_from_db()
    assert staged["board"].conclusion is None
    assert ScrutinyConclusion.objects.count() == 1


def test_another_directorates_commissioner_cannot_conclude(staged):
    other = _user(roles.COMMISSIONER, directorate=StrategyFactory().directorate)
    with pytest.raises(PermissionDenied):
        services.stage_conclude(stage=staged["subject"], by=other, text="Supported.", today=TODAY)


# --- What the report shows --------------------------------------------------------------------------------------


def test_the_report_shows_each_stage_and_whom_it_will_be_reported_to(staged, administrator):
    services.stage_conclude(stage=staged["subject"], by=administrator, text="Health checks matter.", today=TODAY)
    report = HighlightReport.objects.get(pk=staged["subject"].report_id)

    doc = highlight_report_document(report=report)

    stages = doc["scrutiny_stages"]
    assert [(s["committee"], s["meeting_date"]) for s in stages] == [
        ("Adults and Community Wellbeing Scrutiny Committee", "5 September 2018"),
        ("Overview and Scrutiny Management Board", "30 May 2019"),
        ("Executive", "4 June 2019"),
    ]
    assert stages[0]["text"] == "Health checks matter."
    assert stages[0]["reported_to"] == "Overview and Scrutiny Management Board on 30 May 2019"
    assert stages[1]["reported_to"] == "Executive on 4 June 2019"
    assert stages[2]["reported_to"] == ""
    # The stage's conclusion is shown once, with its stage, not again among the other conclusions.
    assert all(c["text"] != "Health checks matter." for c in doc["conclusions"])


def test_a_report_not_yet_at_scrutiny_says_so(report, client_as_commissioner):
    doc = highlight_report_document(report=report)
    assert doc["scrutiny_stages"] == []
    page = client_as_commissioner.get(reverse("strategies:report", args=[report.pk])).content.decode()
    assert "Not yet considered by scrutiny." in page
    assert reverse("scrutiny:stage_add", args=[report.pk]) in page


def test_the_workflow_page_shows_the_stages(staged, administrator, client_as_admin):
    services.stage_conclude(stage=staged["subject"], by=administrator, text="Health checks matter.", today=TODAY)
    report = staged["subject"].report

    page = client_as_admin.get(reverse("strategies:report", args=[report.pk])).content.decode()

    assert "Conclusions from Adults and Community Wellbeing Scrutiny Committee – 5 September 2018" in page
    assert "will be reported to the Overview and Scrutiny Management Board on 30 May 2019" in page
    assert "Will be reported to the Executive on 4 June 2019." in page
    assert reverse("scrutiny:stage_conclude", args=[staged["board"].pk]) in page
    assert reverse("scrutiny:stage_add", args=[report.pk]) in page


def test_a_pack_prints_each_stage_in_the_reports_conclusions_once(staged, administrator):
    services.stage_conclude(stage=staged["subject"], by=administrator, text="Health checks matter.", today=TODAY)
    report = staged["subject"].report
    pack = ScrutinyPackFactory(meeting=staged["board"].meeting, report_date=datetime.date(2019, 5, 30))
    PackAppendixFactory(pack=pack, strategy=report.strategy, order=1)

    html = documents.build_pack_document(pack).html

    assert "Conclusions from Adults and Community Wellbeing Scrutiny Committee – 5 September 2018" in html
    assert "will be reported to the Overview and Scrutiny Management Board on 30 May 2019" in html
    assert html.count("Health checks matter.") == 1


# --- Pages ------------------------------------------------------------------------------------------------------


def test_a_commissioner_adds_a_stage_and_records_its_conclusions_on_the_pages(
    report, seed_meetings, client_as_commissioner
):
    response = client_as_commissioner.post(
        reverse("scrutiny:stage_add", args=[report.pk]),
        {"step": Step.SUBJECT_COMMITTEE, "meeting": seed_meetings["acw_sep"].pk},
    )
    assert response.status_code == 302
    stage = ScrutinyStage.objects.get()

    response = client_as_commissioner.post(
        reverse("scrutiny:stage_conclude", args=[stage.pk]),
        {"text": "Supported.", "concluded_on_0": "5", "concluded_on_1": "9", "concluded_on_2": "2018"},
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.conclusion.text == "Supported."


def test_the_stage_form_names_the_field_at_fault(report, seed_meetings, client_as_commissioner):
    response = client_as_commissioner.post(
        reverse("scrutiny:stage_add", args=[report.pk]),
        {"step": Step.SUBJECT_COMMITTEE, "meeting": seed_meetings["osmb"].pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["meeting"] == [
        "A subject committee stage meets at a meeting of a subject scrutiny committee, not at a meeting of the "
        "Overview and Scrutiny Management Board."
    ]


def test_another_directorates_commissioner_is_refused_the_stage_form(report):
    from django.test import Client

    other = _user(roles.COMMISSIONER, directorate=StrategyFactory().directorate)
    client = Client()
    client.force_login(other)
    assert client.get(reverse("scrutiny:stage_add", args=[report.pk])).status_code == 403


@pytest.mark.parametrize("count", [1, 6])
def test_the_report_page_runs_constant_queries_whatever_the_number_of_stages(
    report, administrator, client_as_admin, django_assert_max_num_queries, count
):
    committee = CommitteeFactory(name="Adults and Community Wellbeing Scrutiny Committee")
    for day in range(1, count + 1):
        meeting = MeetingFactory(committee=committee, date=datetime.date(2019, 1, day))
        stage = _add(report, Step.SUBJECT_COMMITTEE, meeting, administrator)
        services.stage_conclude(stage=stage, by=administrator, text=f"Conclusions {day}.", today=TODAY)
    with django_assert_max_num_queries(20):
        response = client_as_admin.get(reverse("strategies:report", args=[report.pk]))
    assert response.status_code == 200
    assert len(response.context["doc"]["scrutiny_stages"]) == count
    with django_assert_max_num_queries(8):
        api = client_as_admin.get("/api/v1/scrutiny-stages/", {"report": report.pk})
    assert api.json()["count"] == count
