"""Which report each appendix of a pack prints, shown on the pack's page before any render, and the same
choice the render makes: only reports the board has finished with, dated on or before the pack."""

import datetime

import pytest
from django.urls import reverse

from scrutiny import documents
from strategies.models import HighlightReport
from tests.factories import (
    HighlightReportFactory,
    PackAppendixFactory,
    ScrutinyPackFactory,
    StrategyFactory,
    SubmittedHighlightReportFactory,
)

pytestmark = pytest.mark.django_db
Status = HighlightReport.Status


@pytest.fixture
def pack():
    pack = ScrutinyPackFactory(report_date=datetime.date(2019, 5, 30))
    carers = StrategyFactory(name="Carers")
    HighlightReportFactory(strategy=carers, year=2018, quarter=3, report_date="2018-12-14", status=Status.APPROVED)
    SubmittedHighlightReportFactory(strategy=carers, year=2018, quarter=4, report_date="2019-03-28")
    waiting = StrategyFactory(name="Wellbeing")
    SubmittedHighlightReportFactory(strategy=waiting, year=2018, quarter=3, report_date="2018-12-14")
    HighlightReportFactory(strategy=waiting, year=2018, quarter=4, report_date="2019-03-28")  # a draft
    PackAppendixFactory(pack=pack, strategy=carers, order=1)
    PackAppendixFactory(pack=pack, strategy=waiting, order=2)
    return pack


def test_the_pack_page_says_which_report_each_appendix_prints(client_as_admin, pack):
    page = client_as_admin.get(reverse("scrutiny:pack", args=[pack.pk])).content.decode()

    assert "Q3 2018/19, approved by the executive (dated 14 December 2018)" in page
    assert "No report submitted for this quarter" in page
    assert page.count("No report submitted for this quarter") == 1


def test_the_render_makes_the_same_choice_as_the_page(pack):
    parts = documents.pack_appendices(pack)

    assert [(p.strategy.name, p.report and (p.report.year, p.report.quarter)) for p in parts] == [
        ("Carers", (2018, 3)),
        ("Wellbeing", None),
    ]


def test_the_choice_costs_two_queries_however_many_appendices(pack, django_assert_num_queries):
    for n in range(5):
        PackAppendixFactory(pack=pack, strategy=StrategyFactory(name=f"Strategy {n}"), order=3 + n)
    with django_assert_num_queries(2):
        assert len(documents.pack_appendices(pack)) == 7


def test_an_appendix_without_a_report_prints_the_notice(pack):
    built = documents.build_pack_document(pack)
    assert "No report submitted for this quarter." in built.html
