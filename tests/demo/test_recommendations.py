"""The demo's two-stage scrutiny and recommendations (seed 000's dates), built through the services, twice."""

from datetime import date

import pytest

from demo import people, seed
from demo.recommendations import build_two_stage_scrutiny
from scrutiny import selectors
from scrutiny.models import Committee, ScrutinyConclusion, ScrutinyRecommendation, ScrutinyStage
from strategies.models import HighlightReport
from strategies.selectors import highlight_report_document

pytestmark = pytest.mark.django_db

Response = ScrutinyRecommendation.Response
Status = ScrutinyRecommendation.Status


@pytest.fixture
def built(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    directorates = people.build_directorates()
    users = people.build_users(directorates, "a-demo-password-for-tests")
    scrutiny = seed.build_scrutiny(users)
    strategies = seed.build_strategies(directorates, users)
    seed.build_conclusions(strategies, scrutiny)
    seed.build_reports_and_packs(strategies, scrutiny, users)
    first = build_two_stage_scrutiny(users)
    counts = (ScrutinyStage.objects.count(), ScrutinyRecommendation.objects.count(), ScrutinyConclusion.objects.count())
    second = build_two_stage_scrutiny(users)
    return {"first": first, "second": second, "counts": counts, "strategies": strategies}


def test_running_it_twice_adds_nothing_and_each_report_has_its_three_stages(built):
    assert built["counts"] == (
        ScrutinyStage.objects.count(),
        ScrutinyRecommendation.objects.count(),
        ScrutinyConclusion.objects.count(),
    )
    assert [s.pk for s in built["first"]["stages"]] == [s.pk for s in built["second"]["stages"]]

    # Each Q3 report went to its subject committee, then the Board, then the Executive.
    reports = HighlightReport.objects.filter(year=2018, quarter=3)
    assert reports.count() == 6
    for report in reports:
        stages = list(report.scrutiny_stages.select_related("meeting__committee").order_by("meeting__date"))
        assert [s.step for s in stages] == ["subject_committee", "management_board", "decision_maker"]
        assert [s.meeting.date for s in stages][1:] == [date(2019, 5, 30), date(2019, 6, 4)]
        assert stages[0].meeting.date in {date(2018, 9, 5), date(2018, 10, 10), date(2019, 3, 12)}
        assert all(s.concluded_on == s.meeting.date for s in stages)
    assert Committee.objects.get(name="Overview and Scrutiny Management Board").kind == Committee.Kind.MANAGEMENT_BOARD
    assert Committee.objects.get(name="Executive").kind == Committee.Kind.EXECUTIVE

    # The subject committee's conclusions are linked, not recorded again.
    strategy = built["strategies"]["Specialist Adult Services"]
    subject = ScrutinyStage.objects.get(report__strategy=strategy, step="subject_committee")
    assert subject.conclusion == ScrutinyConclusion.objects.get(strategy=strategy, meeting=subject.meeting)

    # The report shows whom each stage will be reported to.
    report = HighlightReport.objects.get(strategy=built["strategies"]["Carers"], year=2018, quarter=3)
    stages = highlight_report_document(report=report)["scrutiny_stages"]
    assert [s["reported_to"] for s in stages] == [
        "Overview and Scrutiny Management Board on 30 May 2019",
        "Executive on 4 June 2019",
        "",
    ]


def test_the_committees_conclusions_became_recommendations_with_responses(built):
    recommendations = ScrutinyRecommendation.objects.all()
    assert recommendations.count() == 7
    assert {r.response_due for r in recommendations} == {date(2019, 8, 3)}
    accepted = recommendations.filter(response=Response.ACCEPTED)
    assert accepted.count() == 4
    assert all(r.actions.exists() for r in accepted)
    partly = recommendations.get(response=Response.PARTLY_ACCEPTED)
    assert partly.response_reasons
    assert partly.status == Status.IN_PROGRESS
    rejected = recommendations.get(response=Response.REJECTED)
    assert rejected.status == Status.CLOSED
    [overdue] = selectors.recommendations_overdue(today=date(2019, 8, 4))
    assert overdue.strategy.name == "Public Protection"
    assert overdue.response == ""
