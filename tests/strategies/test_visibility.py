"""Who reads which highlight report, version and contract: one rule (HighlightReport.objects.visible_to) that every
page, the API, the history, the PDFs and the file downloads start from.

A scrutiny member (councillor) reads a report once it has gone to scrutiny: considered by scrutiny or approved,
sent to a committee meeting, or printed in a published pack. Not while it is with the officers' board, never a
draft, and never a version saved as a draft. Contracts they see only as the reports and packs print them."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from scrutiny import documents
from scrutiny.models import ReportRender
from strategies import services
from strategies.models import HighlightReport
from tests.factories import (
    ContractFactory,
    HighlightReportFactory,
    KeyContractFactory,
    MeetingFactory,
    PackAppendixFactory,
    PooledBudgetFactory,
    PublishedScrutinyPackFactory,
    ScrutinyPackFactory,
    StrategyFactory,
    SubmittedHighlightReportFactory,
)

pytestmark = pytest.mark.django_db

Status = HighlightReport.Status


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def strategy(directorate):
    return StrategyFactory(directorate=directorate, name="Carers")


def visible(user) -> set[int]:
    return set(HighlightReport.objects.visible_to(user).values_list("pk", flat=True))


# --- The rule -------------------------------------------------------------------------------------------


def test_a_councillor_reads_reports_once_they_have_gone_to_scrutiny(scrutiny_member, contract_officer, strategy):
    draft = HighlightReportFactory(strategy=strategy, year=2019, quarter=1)
    submitted = SubmittedHighlightReportFactory(strategy=strategy, year=2018, quarter=4)
    reviewed = HighlightReportFactory(strategy=strategy, year=2018, quarter=3, status=Status.BOARD_REVIEWED)
    sent = HighlightReportFactory(
        strategy=strategy, year=2018, quarter=2, status=Status.BOARD_REVIEWED, scrutiny_meeting=MeetingFactory()
    )
    considered = HighlightReportFactory(strategy=strategy, year=2018, quarter=1, status=Status.SCRUTINY_CONSIDERED)
    approved = HighlightReportFactory(strategy=strategy, year=2017, quarter=4, status=Status.APPROVED)

    assert visible(scrutiny_member) == {sent.pk, considered.pk, approved.pk}
    assert visible(contract_officer) == {r.pk for r in (draft, submitted, reviewed, sent, considered, approved)}


def test_a_report_printed_in_a_published_pack_is_a_councillors_to_read(scrutiny_member, strategy):
    reviewed = Status.BOARD_REVIEWED
    older = HighlightReportFactory(strategy=strategy, year=2018, quarter=2, report_date="2018-09-20", status=reviewed)
    printed = HighlightReportFactory(strategy=strategy, year=2018, quarter=3, report_date="2018-12-05", status=reviewed)
    HighlightReportFactory(strategy=strategy, year=2018, quarter=4, report_date="2019-06-20", status=reviewed)  # late
    SubmittedHighlightReportFactory(strategy=strategy, year=2019, quarter=1, report_date="2019-05-01")  # with the board
    HighlightReportFactory(strategy=strategy, year=2019, quarter=2, report_date="2019-05-02")  # a draft
    pack = PublishedScrutinyPackFactory(report_date=datetime.date(2019, 5, 30))
    PackAppendixFactory(pack=pack, strategy=strategy)

    assert documents.report_for_pack(strategy=strategy, on_or_before=pack.report_date) == printed
    assert visible(scrutiny_member) == {printed.pk}
    assert older.pk not in visible(scrutiny_member)


def test_a_report_still_with_the_board_is_never_printed(scrutiny_member, strategy):
    """The pack says no report was submitted for the quarter rather than print one the board has not finished
    with (or one dated after the pack)."""
    SubmittedHighlightReportFactory(strategy=strategy, year=2018, quarter=3, report_date="2018-12-05")
    HighlightReportFactory(strategy=strategy, year=2018, quarter=4, report_date="2019-03-05")  # a draft
    HighlightReportFactory(
        strategy=strategy, year=2019, quarter=1, report_date="2019-06-05", status=Status.APPROVED
    )  # after the pack
    pack = PublishedScrutinyPackFactory(report_date=datetime.date(2019, 5, 30))
    PackAppendixFactory(pack=pack, strategy=strategy)

    assert documents.report_for_pack(strategy=strategy, on_or_before=pack.report_date) is None
    assert len(visible(scrutiny_member)) == 1  # the approved one, on its own account, not through the pack


def test_a_pack_not_yet_published_shows_a_councillor_nothing(scrutiny_member, strategy):
    SubmittedHighlightReportFactory(strategy=strategy)
    PackAppendixFactory(pack=ScrutinyPackFactory(), strategy=strategy)

    assert visible(scrutiny_member) == set()


def test_a_pack_of_other_strategies_shows_nothing_of_this_one(scrutiny_member, strategy):
    SubmittedHighlightReportFactory(strategy=strategy)
    PackAppendixFactory(pack=PublishedScrutinyPackFactory(), strategy=StrategyFactory())

    assert visible(scrutiny_member) == set()


# --- Pages, API, history, PDFs and files -------------------------------------------------------------------


def _with_pdf(report):
    name = default_storage.save(f"reports/{report.pk}.pdf", ContentFile(b"%PDF-1.7 stub"))
    ReportRender.objects.create(report=report, status=ReportRender.Status.READY, file=name, page_count=1)
    return name


def test_a_report_with_the_board_is_no_councillors_by_any_door(client_as_scrutiny, scrutiny_member, strategy):
    report = SubmittedHighlightReportFactory(strategy=strategy, summary="Board-stage text.")
    file_name = _with_pdf(report)
    api = APIClient()
    api.force_login(scrutiny_member)

    for url in [
        reverse("strategies:report", args=[report.pk]),
        reverse("strategies:report_print", args=[report.pk]),
        reverse("strategies:report_history", args=[report.pk]),
        reverse("scrutiny:report_pdf", args=[report.pk]),
        reverse("scrutiny:report_pdf_status", args=[report.pk]),
        reverse("scrutiny:report_pdf_download", args=[report.pk]),
        reverse("media", args=[file_name]),
    ]:
        assert client_as_scrutiny.get(url).status_code == 404, url
    assert api.get(f"/api/v1/highlight-reports/{report.pk}/").status_code == 404
    assert api.get("/api/v1/highlight-reports/").json()["count"] == 0
    page = client_as_scrutiny.get(reverse("strategies:detail", args=[strategy.pk])).content.decode()
    assert reverse("strategies:report", args=[report.pk]) not in page


def test_a_councillor_never_reads_a_version_saved_as_a_draft(client_as_scrutiny, commissioner, administrator, strategy):
    report = HighlightReportFactory(strategy=strategy, summary="First words.")
    report = services.highlight_report_update(
        report=report, by=commissioner, data={"summary": "Working copy: not for members."}, expected_version=1
    )
    report = services.highlight_report_update(
        report=report, by=commissioner, data={"summary": "The summary as submitted."}, expected_version=2
    )
    report = services.highlight_report_submit(report=report, by=commissioner, expected_version=3)
    report = services.highlight_report_board_review(
        report=report, by=administrator, expected_version=4, board_comments="Agreed."
    )
    report = services.highlight_report_scrutiny_considered(
        report=report, by=administrator, expected_version=5, meeting=MeetingFactory()
    )
    drafts = list(report.history.filter(status=Status.DRAFT).order_by("history_date"))
    url = reverse("strategies:report_history", args=[report.pk])

    page = client_as_scrutiny.get(url).content.decode()
    asked = client_as_scrutiny.get(url, {"from": drafts[1].history_id, "to": drafts[0].history_id})

    assert [v.version for v in client_as_scrutiny.get(url).context["versions"]] == [6, 5, 4]
    assert "Working copy" not in page
    assert "First words" not in page
    assert "Working copy" not in asked.content.decode()
    assert Status.DRAFT not in {asked.context["older"].status, asked.context["newer"].status}  # the newest two
    officer = Client()
    officer.force_login(commissioner)
    compared = officer.get(url, {"from": drafts[0].history_id, "to": drafts[1].history_id})
    assert "Working copy" in compared.content.decode()


def test_a_councillor_sees_no_contract_register_or_budgets_on_the_strategy_page(
    client_as_scrutiny, client_as_officer, strategy, directorate
):
    ContractFactory(strategy=strategy, directorate=directorate, reference="CON-SMALL", annual_value=250_000)
    KeyContractFactory(strategy=strategy, directorate=directorate, reference="CON-KEY", title="Carers Support")
    PooledBudgetFactory(strategy=strategy, name="Better Care Fund")

    councillor = client_as_scrutiny.get(reverse("strategies:detail", args=[strategy.pk])).content.decode()
    officer = client_as_officer.get(reverse("strategies:detail", args=[strategy.pk])).content.decode()

    for text in ["CON-SMALL", "CON-KEY", "£250,000", "£1,500,000", "Better Care Fund"]:
        assert text not in councillor
        assert text in officer
    assert "listed in its highlight reports" in councillor


def test_the_list_shows_a_councillor_the_rag_of_the_latest_report_they_may_read(
    client_as_scrutiny, scrutiny_member, strategy
):
    HighlightReportFactory(strategy=strategy, year=2018, quarter=2, rag="amber", status=Status.APPROVED)
    HighlightReportFactory(strategy=strategy, year=2018, quarter=3, rag="red", rag_comment="Demand.")  # a draft
    api = APIClient()
    api.force_login(scrutiny_member)

    row = client_as_scrutiny.get(reverse("strategies:list")).context["strategies"][0]
    body = api.get("/api/v1/strategies/").json()["results"][0]

    assert (row.latest_rag, str(row.latest_period)) == ("amber", "Q2 2018/19")
    assert body["latest_rag"] == "amber"
    assert client_as_scrutiny.get(reverse("strategies:list"), {"rag": "red"}).context["strategies"] == []


def test_the_quarters_page_shows_a_councillor_no_draft(client_as_scrutiny, strategy):
    HighlightReportFactory(strategy=strategy, year=2018, quarter=3, rag="red", rag_comment="Demand.")

    response = client_as_scrutiny.get(reverse("strategies:reports_this_quarter"), {"quarter": "2018-Q3"})

    page = response.content.decode()
    assert "With the officers" in page
    assert "app-rag--red" not in page
    assert response.context["rows"][0]["overdue"]
