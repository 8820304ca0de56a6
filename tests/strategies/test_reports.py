"""The highlight report editor, lost-edit protection, history, the frozen approved report and reading views."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from performance.models import MeasureResult
from strategies import services
from strategies.models import HighlightReport
from strategies.selectors import highlight_report_document
from tests.factories import (
    HighlightReportFactory,
    KeyContractFactory,
    MeasureFactory,
    MeasureResultFactory,
    MeetingFactory,
    ScrutinyConclusionFactory,
    StrategyFactory,
)

from .test_workflow import EDITED_SECTIONS

pytestmark = pytest.mark.django_db

Status = HighlightReport.Status


@pytest.fixture
def report(directorate):
    return HighlightReportFactory(strategy=StrategyFactory(directorate=directorate), year=2018, quarter=3)


def _edit(client, report, version=None, **changes):
    data = {**EDITED_SECTIONS, "report_date": "05/12/2018", **changes, "version": version or report.version}
    return client.post(reverse("strategies:report_edit", args=[report.pk]), data)


def test_red_or_amber_needs_a_supporting_comment_and_nothing_is_saved(client_as_commissioner, report):
    response = _edit(client_as_commissioner, report, rag="red", rag_comment="", summary="Changed summary")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_rag_comment"' in page
    assert page.count("Enter a supporting comment: a Red status needs one.") == 2  # summary and next to the field
    report.refresh_from_db()
    assert report.summary == "Summary of the quarter."
    assert report.version == 1


def test_the_report_date_must_fall_in_its_quarter(client_as_commissioner, report):
    response = _edit(client_as_commissioner, report, report_date="01/04/2019")
    page = response.content.decode()
    # In the error summary and next to the field (the summary's link to a day/month/year field is the core's).
    assert page.count("The report date must fall in Q3 2018/19 (01/10/2018 to 31/12/2018).") == 2
    assert response.context["form"].errors["report_date"]
    report.refresh_from_db()
    assert report.report_date == datetime.date(2018, 12, 5)


def test_a_stale_save_is_refused_and_shows_both_texts_side_by_side(client_as_commissioner, client_as_admin, report):
    # The administrator saves first, from version 1.
    assert _edit(client_as_admin, report, summary="Administrator's summary.").status_code == 302
    # The commissioner saves the copy they opened at version 1.
    response = _edit(client_as_commissioner, report, version=1, summary="Commissioner's summary.")
    page = response.content.decode()
    assert response.status_code == 409
    assert "Administrator&#x27;s summary." in page
    assert "Commissioner&#x27;s summary." in page
    assert '<ins class="app-diff-ins">' in page
    report.refresh_from_db()
    assert report.summary == "Administrator's summary."
    assert report.version == 2
    # The merge form carries the current version, so saving the merged text works.
    assert 'name="version" value="2"' in page
    assert _edit(client_as_commissioner, report, version=2, summary="Merged summary.").status_code == 302
    report.refresh_from_db()
    assert report.summary == "Merged summary."
    assert report.version == 3


def test_the_service_refuses_a_stale_save(report, commissioner):
    services.highlight_report_update(report=report, by=commissioner, data={"summary": "First"}, expected_version=1)
    with pytest.raises(services.StaleEdit) as stale:
        services.highlight_report_update(report=report, by=commissioner, data={"summary": "Second"}, expected_version=1)
    assert stale.value.current.summary == "First"


def test_history_shows_who_changed_what_with_a_readable_diff(client_as_commissioner, commissioner, report):
    _edit(client_as_commissioner, report, summary="Demand for residential care is rising.")
    report.refresh_from_db()
    _edit(client_as_commissioner, report, summary="Demand for residential care is rising sharply.")
    response = client_as_commissioner.get(reverse("strategies:report_history", args=[report.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count(str(commissioner)) >= 2
    assert '<ins class="app-diff-ins">rising sharply.</ins>' in page
    assert '<del class="app-diff-del">rising.</del>' in page
    # Any two versions can be compared.
    versions = list(report.history.order_by("history_date", "history_id"))
    response = client_as_commissioner.get(
        reverse("strategies:report_history", args=[report.pk]),
        {"from": versions[0].history_id, "to": versions[-1].history_id},
    )
    assert "Changes from version 1 to version 3" in response.content.decode()


def test_start_next_quarter_copies_the_narrative_as_a_draft_once(commissioner, report):
    report.property_implications = "Grantham day centre."
    report.save()
    new = services.highlight_report_start_next(
        strategy=report.strategy, by=commissioner, today=datetime.date(2019, 2, 1)
    )
    assert (new.year, new.quarter, new.status) == (2018, 4, Status.DRAFT)
    assert new.property_implications == "Grantham day centre."
    assert new.rag == ""
    assert new.report_date == datetime.date(2019, 2, 1)
    with pytest.raises(ValidationError):
        services.highlight_report_start_next(
            strategy=report.strategy, by=commissioner, period=new.period, today=datetime.date(2019, 2, 1)
        )


def test_an_approved_report_is_frozen(client_as_admin, client_as_commissioner, administrator, directorate):
    strategy = StrategyFactory(directorate=directorate)
    report = HighlightReportFactory(strategy=strategy, status=Status.SCRUTINY_CONSIDERED)
    contract = KeyContractFactory(strategy=strategy, directorate=directorate, title="LD - Community Supported Living")
    measure = MeasureFactory(strategy=strategy, name="Adults with LD in settled accommodation")
    result = MeasureResultFactory(measure=measure, year=2018, quarter=3, value=Decimal("80"), target=Decimal("75"))
    conclusion = ScrutinyConclusionFactory(
        strategy=strategy, meeting=MeetingFactory(date=datetime.date(2018, 9, 5)), text="Supported."
    )
    services.highlight_report_approve(
        report=report,
        by=administrator,
        expected_version=report.version,
        decision_reference="I017457",
        decision_date=datetime.date(2019, 6, 4),
    )
    report.refresh_from_db()
    before = highlight_report_document(report=report)

    # The records change after approval...
    contract.title = "Renamed contract"
    contract.save()
    result.value = Decimal("10")
    result.save()
    conclusion.text = "Rewritten."
    conclusion.save()
    MeasureResult.objects.create(measure=MeasureFactory(strategy=strategy), year=2018, quarter=3, value=1, target=2)

    # ...but the approved report shows them as they were.
    after = highlight_report_document(report=HighlightReport.objects.get(pk=report.pk))
    assert after["key_contracts"] == before["key_contracts"]
    assert after["key_contracts"][0]["service"] == "LD - Community Supported Living"
    assert after["success"] == before["success"] == {**before["success"], "total": 1, "achieved": 1}
    assert after["conclusions"][0]["text"] == "Supported."
    page = client_as_admin.get(reverse("strategies:report_print", args=[report.pk])).content.decode()
    assert "LD - Community Supported Living" in page
    assert "Renamed contract" not in page

    # ...and nobody can edit it.
    assert client_as_commissioner.get(reverse("strategies:report_edit", args=[report.pk])).status_code == 403
    assert client_as_admin.post(reverse("strategies:report_edit", args=[report.pk]), {}).status_code == 403
    with pytest.raises(services.TransitionNotAllowed):
        services.highlight_report_update(report=report, by=administrator, data={"summary": "x"}, expected_version=2)


def test_the_print_view_carries_the_templates_ten_key_contract_columns(client_as_commissioner, report):
    KeyContractFactory(
        strategy=report.strategy,
        directorate=report.strategy.directorate,
        title="LPFT Section 75 Agreement",
        provider_summary="Lincolnshire Partnership NHS Foundation Trust",
        duration_note="3 to 5 years",
        review_note="2019/20",
        has_kpis=True,
        performance_note="Average with elements of good",
        corrective_measures="Ongoing contract management arrangements in place",
        payment_terms="mixed",
        payment_terms_note="Mixed",
        volume_sensitive="partially",
    )
    page = client_as_commissioner.get(reverse("strategies:report_print", args=[report.pk])).content.decode()
    for heading in [
        "Service contracted",
        "Provider",
        "Duration",
        "Review date",
        "Contract KPIs (Y/N)",
        "Performance (Good/Ave/Poor)",
        "Corrective measures (if needed)",
        "Payment terms (Arrears/Advance)",
        "Performance driven / independent?",
        "Volume sensitive (Y/N)?",
    ]:
        assert heading in page
    for cell in ["LPFT Section 75 Agreement", "3 to 5 years", "2019/20", "Average with elements of good", "Partially"]:
        assert cell in page
    assert "<script" not in page.split("</main>")[0].split("<main")[1]


def test_how_success_is_measured_comes_from_the_performance_data(report):
    for value, targeted in [(80, True), (70, True), (50, False)]:
        measure = MeasureFactory(strategy=report.strategy, is_targeted=targeted)
        MeasureResultFactory(measure=measure, year=2018, quarter=3, value=Decimal(value), target=Decimal("75"))
    success = highlight_report_document(report=report)["success"]
    assert (success["total"], success["targeted"], success["measured_only"]) == (3, 2, 1)
    assert (success["achieved"], success["not_achieved"]) == (1, 1)


def test_reports_this_quarter_flags_overdue_drafts(client_as_admin, directorate):
    late = HighlightReportFactory(
        strategy=StrategyFactory(directorate=directorate, name="Carers"), year=2018, quarter=3
    )
    StrategyFactory(directorate=directorate, name="Wellbeing")
    response = client_as_admin.get(reverse("strategies:reports_this_quarter"), {"quarter": "2018-Q3"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Highlight reports, Q3 2018/19" in page
    assert page.count("Overdue</strong>") == 2  # the draft left behind, and the one never started
    assert late.strategy.name in page
    assert "Not started" in page
