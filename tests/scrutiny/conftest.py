"""Fixtures for the scrutiny tests: files go to a temporary MEDIA_ROOT; a pack with appendices."""

import datetime
import io

import pytest
from pypdf import PdfReader

from tests.factories import (
    ApprovedHighlightReportFactory,
    KeyContractFactory,
    MeasureFactory,
    MeasureResultFactory,
    MeetingFactory,
    PackAppendixFactory,
    ScrutinyConclusionFactory,
    ScrutinyPackFactory,
    StrategyFactory,
)

STRATEGY_NAMES = ["Specialist Adult Services", "Safeguarding Adults", "Carers"]


@pytest.fixture(autouse=True)
def media_root(request, settings, tmp_path):
    # A test on the demo data reads the files the demo's load stored (tests/conftest.py demo_database).
    if "demo_database" not in request.fixturenames:
        settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_strategy_with_report(name: str, *, contracts: int = 1, measures: int = 2):
    strategy = StrategyFactory(name=name)
    report = ApprovedHighlightReportFactory(
        strategy=strategy, report_date=datetime.date(2018, 12, 5), summary=f"{name} summary of the quarter."
    )
    for number in range(contracts):
        KeyContractFactory(strategy=strategy, title=f"{name} key contract {number}")
    for number in range(measures):
        MeasureResultFactory(measure=MeasureFactory(strategy=strategy, name=f"{name} measure {number}"))
    return strategy, report


@pytest.fixture
def pack_with_appendices(db):
    """A draft pack for the board's meeting of 30 May 2019 with three strategies, each with an
    approved Q3 report and an earlier committee conclusion."""
    meeting = MeetingFactory(date=datetime.date(2019, 5, 30))
    pack = ScrutinyPackFactory(
        meeting=meeting,
        title="Commissioning Strategies",
        summary="This report invites the Board to consider the commissioning strategies.",
        actions_required="1. Consider the attached report.",
        background="The Executive is due to consider a report on 4 June 2019.",
        conclusion="The Board is requested to consider whether it supports the recommendations.",
        consultation="Risks and impact analysis: see body of the report.",
        author="Senior Commercial Officer",
        contact="01522 000000 or commissioning@council.example",
    )
    earlier = MeetingFactory(committee=meeting.committee, date=datetime.date(2018, 9, 5))
    for order, name in enumerate(STRATEGY_NAMES, start=1):
        strategy, _ = make_strategy_with_report(name)
        ScrutinyConclusionFactory(
            strategy=strategy, meeting=earlier, text=f"The Committee supported the {name} strategy."
        )
        PackAppendixFactory(pack=pack, strategy=strategy, order=order)
    return pack


def pdf_reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() or "" for page in pdf_reader(content).pages]
