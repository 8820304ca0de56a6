"""Seed 000's two-stage scrutiny and the committees' recommendations, built through the scrutiny services.

The Q3 2018/19 highlight reports went first to the subject scrutiny committees (5 September 2018, 10 October
2018, 12 March 2019), then to the Overview and Scrutiny Management Board (30 May 2019), whose comments "will be
reported to the Executive" (4 June 2019). Each stage links the committee's conclusions the seed already records
(``demo.seed.build_conclusions``); the Board's and the Executive's are recorded here. Each committee's
conclusions become recommendations to the Executive, reported on 4 June 2019, with the Executive's responses:
most accepted with actions, one partly accepted, one rejected, and one still without a response (overdue).

Runs after ``demo.seed.build_reports_and_packs`` (the reports are past the board, and approved). A second run
writes nothing: stages are found by report and meeting, recommendations by committee, meeting and number.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from commissioning.models import User
from scrutiny import services as scrutiny_services
from scrutiny.models import Committee, Meeting, ScrutinyRecommendation, ScrutinyStage
from strategies.models import CommissioningStrategy, HighlightReport

from .strategy_data import STRATEGIES

Step = ScrutinyStage.Step
Response = ScrutinyRecommendation.Response

OSMB = "Overview and Scrutiny Management Board"
OSMB_DATE = date(2019, 5, 30)
EXECUTIVE = "Executive"
EXECUTIVE_DATE = date(2019, 6, 4)
EXECUTIVE_VENUE = "Council Chamber, County Offices, Newland, Lincoln"
# The stages were recorded by democratic services once the board had reviewed the reports (seed.Q3_BOARD_REVIEWED).
STAGES_RECORDED = date(2019, 2, 5)
RESPONSES_GIVEN = date(2019, 7, 2)

BOARD_CONCLUSION = (
    "The Board supported the recommendation to the Executive to approve the content of the commissioning "
    "strategies, and asked that the subject committees' comments be reported to the Executive with the item."
)
EXECUTIVE_CONCLUSION = (
    "The Executive approved the content of the commissioning strategy, having considered the comments of the "
    "Overview and Scrutiny Management Board and of the subject scrutiny committee (decision I017457)."
)

# Per strategy: its committee's recommendations from the conclusions (number, text), and the Executive's response:
# (response, reasons, [(action, owner, due, completed on)], closed on and closing note, or None).
RECOMMENDATIONS: dict[str, list[dict[str, Any]]] = {
    "Specialist Adult Services": [
        {
            "number": 1,
            "text": "That annual NHS/GP health checks for people with learning disabilities are promoted through "
            "the strategy.",
            "response": Response.ACCEPTED,
            "actions": [
                (
                    "Agree with the CCGs a plan to raise uptake of annual health checks",
                    "Head of Commissioning – Specialist Adult Services",
                    date(2019, 12, 31),
                    date(2019, 11, 29),
                ),
            ],
            "closed": (date(2019, 12, 6), "The health check plan is agreed and reported in the Q3 2019/20 report."),
        },
        {
            "number": 2,
            "text": "That changes to provision are preceded by wider community engagement.",
            "response": Response.ACCEPTED,
            "actions": [
                (
                    "Hold engagement events before the residential care re-provision",
                    "Head of Commissioning – Specialist Adult Services",
                    date(2020, 3, 31),
                    None,
                ),
            ],
        },
        {
            "number": 3,
            "text": "That a brief annual report or position statement on the strategy is brought to the Committee.",
            "response": Response.PARTLY_ACCEPTED,
            "reasons": "The position is reported each quarter in the strategy's highlight report; a separate annual "
            "report would repeat it. A short position statement will be added to the Q4 highlight report instead.",
            "actions": [
                (
                    "Add a position statement to the Q4 highlight report",
                    "Head of Commissioning – Specialist Adult Services",
                    date(2020, 4, 30),
                    None,
                ),
            ],
        },
    ],
    "Carers": [
        {
            "number": 1,
            "text": "That an online carers portal is created where carers can connect with each other.",
            "response": Response.ACCEPTED,
            "actions": [
                ("Launch the carers portal with Carers FIRST", "Carers Programme Manager", date(2020, 1, 31), None),
            ],
        },
    ],
    "Community Wellbeing": [
        {
            "number": 2,
            "text": "That creative charging policies are used to encourage take-up of healthy lifestyle services.",
            "response": Response.REJECTED,
            "reasons": "The integrated lifestyle service is free at the point of use under the Public Health grant "
            "conditions; charging would deter the people it is meant to reach.",
            "actions": [],
            "closed": (date(2019, 7, 9), "Rejected by the Executive, with its reasons."),
        },
    ],
    "Public Protection": [
        {
            "number": 1,
            "text": "That the draft performance measures are finalised with the Executive Councillor for Community "
            "Safety and People Management and reported back to the Committee.",
            # No response yet: two months from 4 June 2019 have passed, so it is overdue.
        },
    ],
}
# The Board's own recommendation to the Executive.
BOARD_RECOMMENDATION = {
    "number": 1,
    "text": "That the Executive approve the content of the six commissioning strategies.",
    "response": Response.ACCEPTED,
    "actions": [("Approve the strategies (decision I017457)", "Executive", date(2019, 6, 4), date(2019, 6, 4))],
    "closed": (date(2019, 7, 2), "Approved by the Executive on 4 June 2019 (decision I017457)."),
}


def _on(day: date):
    from .seed import on  # demo.seed imports this module: its clock helper is read when the function runs

    return on(day, 16)


def _committee(*, name: str, kind: str, admin: User) -> Committee:
    committee = Committee.objects.filter(name=name).first()
    if committee is None:
        with _on(STAGES_RECORDED):
            committee = scrutiny_services.committee_create(by=admin, data={"name": name, "kind": kind})
    if committee.kind != kind:
        committee = scrutiny_services.committee_update(committee=committee, by=admin, data={"kind": kind})
    return committee


def _meeting(committee: Committee, day: date, admin: User, venue: str = "") -> Meeting:
    meeting = Meeting.objects.filter(committee=committee, date=day).first()
    if meeting is None:
        with _on(STAGES_RECORDED):
            meeting = scrutiny_services.meeting_create(
                by=admin, data={"committee": committee, "date": day, "venue": venue}
            )
    return meeting


def _stage(report: HighlightReport, step: str, meeting: Meeting, by: User) -> ScrutinyStage:
    stage = ScrutinyStage.objects.filter(report=report, meeting=meeting).first()
    if stage is None:
        with _on(STAGES_RECORDED):
            stage = scrutiny_services.stage_add(report=report, step=step, meeting=meeting, by=by)
    return stage


def _conclude(stage: ScrutinyStage, text: str, by: User) -> None:
    if stage.concluded_on is not None:
        return
    # Recorded on the meeting's day, or (for meetings before the stages were recorded) when they were.
    with _on(max(stage.meeting.date, STAGES_RECORDED)):
        scrutiny_services.stage_conclude(stage=stage, by=by, text=text, concluded_on=stage.meeting.date)


def _recommendation(
    *, committee: Committee, meeting: Meeting, strategy, stage, data: dict, by: User
) -> ScrutinyRecommendation:
    found = ScrutinyRecommendation.objects.filter(committee=committee, meeting=meeting, number=data["number"]).first()
    if found is not None:
        return found
    with _on(EXECUTIVE_DATE):
        recommendation = scrutiny_services.recommendation_create(
            by=by,
            data={
                "committee": committee,
                "meeting": meeting,
                "number": data["number"],
                "text": data["text"],
                "addressed_to": EXECUTIVE,
                "strategy": strategy,
                "stage": stage,
                "reported_on": EXECUTIVE_DATE,
            },
        )
    if "response" not in data:
        return recommendation
    actions = [
        {"description": description, "owner": owner, "due_date": due} for description, owner, due, _ in data["actions"]
    ]
    with _on(RESPONSES_GIVEN):
        scrutiny_services.recommendation_respond(
            recommendation=recommendation,
            by=by,
            response=data["response"],
            reasons=data.get("reasons", ""),
            responded_by=EXECUTIVE,
            responded_on=RESPONSES_GIVEN,
            actions=actions,
        )
    for action, (_, _, _, completed_on) in zip(recommendation.actions.order_by("pk"), data["actions"], strict=True):
        if completed_on is not None:
            with _on(max(completed_on, RESPONSES_GIVEN)):
                scrutiny_services.action_complete(action=action, by=by, completed_on=max(completed_on, RESPONSES_GIVEN))
    if "closed" in data:
        closed_on, note = data["closed"]
        with _on(closed_on):
            scrutiny_services.recommendation_close(
                recommendation=recommendation, by=by, closing_note=note, closed_on=closed_on
            )
    return recommendation


def build_two_stage_scrutiny(users: dict[str, User]) -> dict:
    """Each Q3 2018/19 report's stages (its subject committee, the Board, the Executive) with their conclusions, and
    the committees' recommendations with the Executive's responses. Returns the stages and recommendations."""
    admin = users["admin"]
    board = _committee(name=OSMB, kind=Committee.Kind.MANAGEMENT_BOARD, admin=admin)
    executive = _committee(name=EXECUTIVE, kind=Committee.Kind.EXECUTIVE, admin=admin)
    board_meeting = _meeting(board, OSMB_DATE, admin)
    executive_meeting = _meeting(executive, EXECUTIVE_DATE, admin, EXECUTIVE_VENUE)
    stages: list[ScrutinyStage] = []
    recommendations: list[ScrutinyRecommendation] = []
    board_stages = []
    for data in STRATEGIES:
        strategy = CommissioningStrategy.objects.get(name=data["name"])
        report = strategy.highlight_reports.filter(year=2018, quarter=3).first()
        if report is None or report.status not in HighlightReport.PRINTABLE_STATUSES:
            continue
        _key, day = data["meeting"]
        subject_meeting = _subject_meeting(strategy, date.fromisoformat(day))
        lead = strategy.commissioning_lead or admin
        subject = _stage(report, Step.SUBJECT_COMMITTEE, subject_meeting, lead)
        board_stage = _stage(report, Step.MANAGEMENT_BOARD, board_meeting, admin)
        executive_stage = _stage(report, Step.DECISION_MAKER, executive_meeting, admin)
        _conclude(subject, "", lead)  # the conclusions seed.build_conclusions recorded at the meeting
        _conclude(board_stage, BOARD_CONCLUSION, admin)
        _conclude(executive_stage, EXECUTIVE_CONCLUSION, admin)
        stages += [subject, board_stage, executive_stage]
        board_stages.append(board_stage)
        for entry in RECOMMENDATIONS.get(strategy.name, []):
            recommendations.append(
                _recommendation(
                    committee=subject_meeting.committee,
                    meeting=subject_meeting,
                    strategy=strategy,
                    stage=subject,
                    data=entry,
                    by=lead,
                )
            )
    if board_stages:
        recommendations.append(
            _recommendation(
                committee=board, meeting=board_meeting, strategy=None, stage=None, data=BOARD_RECOMMENDATION, by=admin
            )
        )
    return {"stages": stages, "recommendations": recommendations}


def _subject_meeting(strategy: CommissioningStrategy, day: date) -> Meeting:
    """The subject committee meeting that considered the strategy: where its conclusions were recorded that day."""
    return Meeting.objects.select_related("committee").get(
        date=day, committee__kind=Committee.Kind.SUBJECT, conclusions__strategy=strategy
    )
