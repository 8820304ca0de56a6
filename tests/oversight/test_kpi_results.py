"""KPI results: the rating suggested on the statutory scale, overrides with a reason, the period rule, one
result per period, evidence, and the import through the shared pipeline."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commissioning.documents import documents_for
from oversight.models import KpiRating, KpiResult
from oversight.performance import kpi_result_record, suggest_rating
from oversight.performance_imports import import_kpi_results, template_csv
from tests.factories import FrozenContractKpiFactory, KpiResultFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _kpi(**fields):
    return FrozenContractKpiFactory.build(**fields)


# --- The rating rule ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rating"),
    [
        ("96", KpiRating.GOOD),
        ("95", KpiRating.GOOD),  # the target met exactly
        ("94", KpiRating.APPROACHING_TARGET),
        ("93", KpiRating.APPROACHING_TARGET),  # within the tolerance of 2
        ("92.9", KpiRating.REQUIRES_IMPROVEMENT),
        ("91", KpiRating.REQUIRES_IMPROVEMENT),  # within twice the tolerance
        ("90.9", KpiRating.INADEQUATE),
        (None, KpiRating.OTHER),  # the data is missing
    ],
)
def test_the_rating_is_suggested_from_target_tolerance_and_polarity(value, rating):
    kpi = _kpi(target=Decimal("95"), tolerance=Decimal("2"), polarity="higher")

    assert suggest_rating(kpi=kpi, value=None if value is None else Decimal(value)) == rating


@pytest.mark.parametrize(
    ("value", "rating"),
    [
        ("10", KpiRating.GOOD),
        ("10.5", KpiRating.APPROACHING_TARGET),
        ("11.5", KpiRating.REQUIRES_IMPROVEMENT),
        ("12.1", KpiRating.INADEQUATE),
    ],
)
def test_lower_is_better_kpis_are_rated_the_other_way(value, rating):
    kpi = _kpi(target=Decimal("10"), tolerance=Decimal("1"), polarity="lower")

    assert suggest_rating(kpi=kpi, value=Decimal(value)) == rating


@pytest.mark.parametrize(
    ("value", "rating"),
    [("95", KpiRating.GOOD), ("94", KpiRating.REQUIRES_IMPROVEMENT), ("85.5", KpiRating.REQUIRES_IMPROVEMENT),
     ("85.4", KpiRating.INADEQUATE)],
)  # fmt: skip
def test_without_a_tolerance_requires_improvement_is_within_ten_per_cent_of_the_target(value, rating):
    for tolerance in (None, Decimal("0")):
        kpi = _kpi(target=Decimal("95"), tolerance=tolerance, polarity="higher")

        assert suggest_rating(kpi=kpi, value=Decimal(value)) == rating


# --- Recording ----------------------------------------------------------------------------------------------


def _record(by, kpi, **overrides):
    fields = {
        "period_start": datetime.date(2026, 5, 1),
        "period_end": datetime.date(2026, 5, 31),
        "value": Decimal("92"),
    }
    fields.update(overrides)
    return kpi_result_record(by=by, kpi=kpi, **fields)


def test_a_result_stores_the_suggested_rating(contract_officer):
    result = _record(contract_officer, FrozenContractKpiFactory())

    assert (result.suggested_rating, result.rating) == (KpiRating.REQUIRES_IMPROVEMENT, KpiRating.REQUIRES_IMPROVEMENT)
    assert not result.is_overridden
    assert result.recorded_by == contract_officer


def test_a_different_rating_needs_a_reason(contract_officer):
    kpi = FrozenContractKpiFactory()

    with pytest.raises(ValidationError) as refused:
        _record(contract_officer, kpi, rating=KpiRating.APPROACHING_TARGET)
    result = _record(
        contract_officer, kpi, rating=KpiRating.APPROACHING_TARGET, override_reason="Two days of a phone outage."
    )

    assert "override_reason" in refused.value.message_dict
    assert (result.suggested_rating, result.rating) == (KpiRating.REQUIRES_IMPROVEMENT, KpiRating.APPROACHING_TARGET)
    assert result.is_overridden


def test_missing_data_is_rated_other_and_needs_commentary(contract_officer):
    kpi = FrozenContractKpiFactory()

    with pytest.raises(ValidationError) as refused:
        _record(contract_officer, kpi, value=None)
    result = _record(contract_officer, kpi, value=None, commentary="The supplier's return did not arrive.")

    assert "commentary" in refused.value.message_dict
    assert result.rating == KpiRating.OTHER


@pytest.mark.parametrize(
    ("frequency", "start", "end", "ok"),
    [
        ("monthly", datetime.date(2026, 5, 1), datetime.date(2026, 5, 31), True),
        ("monthly", datetime.date(2026, 5, 2), datetime.date(2026, 5, 31), False),
        ("monthly", datetime.date(2026, 4, 1), datetime.date(2026, 5, 31), False),
        ("quarterly", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), True),
        ("quarterly", datetime.date(2026, 2, 1), datetime.date(2026, 4, 30), False),
        ("six_monthly", datetime.date(2025, 10, 1), datetime.date(2026, 3, 31), True),
        ("six_monthly", datetime.date(2026, 1, 1), datetime.date(2026, 6, 30), False),
        ("annually", datetime.date(2025, 4, 1), datetime.date(2026, 3, 31), True),
        ("annually", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), False),
    ],
)
def test_the_period_is_one_whole_reporting_period_of_the_kpis_frequency(contract_officer, frequency, start, end, ok):
    kpi = FrozenContractKpiFactory(frequency=frequency)

    if ok:
        assert _record(contract_officer, kpi, period_start=start, period_end=end).pk
    else:
        with pytest.raises(ValidationError) as refused:
            _record(contract_officer, kpi, period_start=start, period_end=end)
        assert "period_start" in refused.value.message_dict


def test_a_period_that_has_not_ended_is_refused(contract_officer):
    with pytest.raises(ValidationError) as refused:
        _record(
            contract_officer,
            FrozenContractKpiFactory(),
            period_start=datetime.date(2026, 6, 1),
            period_end=datetime.date(2026, 6, 30),
        )

    assert "period_end" in refused.value.message_dict


def test_recording_a_period_again_updates_it_and_keeps_its_history(contract_officer):
    kpi = FrozenContractKpiFactory()
    first = _record(contract_officer, kpi, value=Decimal("92"))

    second = _record(contract_officer, kpi, value=Decimal("96"))

    assert second.pk == first.pk
    assert KpiResult.objects.count() == 1
    assert second.rating == KpiRating.GOOD
    assert [h.value for h in second.history.order_by("history_date")] == [Decimal("92"), Decimal("96")]


def test_a_councillor_may_not_record_results(scrutiny_member):
    with pytest.raises(PermissionDenied):
        _record(scrutiny_member, FrozenContractKpiFactory())


# --- Pages --------------------------------------------------------------------------------------------------


def test_the_result_form_records_and_shows_the_suggested_rating(client_as_officer):
    kpi = FrozenContractKpiFactory()

    answer = client_as_officer.post(
        reverse("oversight:kpi_result_add", args=[kpi.pk]), {"period": "2026-05-01_2026-05-31", "value": "92"}
    )
    result = KpiResult.objects.get()
    page = client_as_officer.get(answer["Location"])

    assert answer["Location"] == reverse("oversight:kpi_result", args=[result.pk])
    assert "Requires improvement" in page.content.decode()


def test_overriding_on_the_result_page_without_a_reason_shows_the_error(client_as_officer):
    result = KpiResultFactory(
        value=Decimal("92"), suggested_rating="requires_improvement", rating="requires_improvement"
    )

    refused = client_as_officer.post(reverse("oversight:kpi_result_rating", args=[result.pk]), {"rating": "good"})
    done = client_as_officer.post(
        reverse("oversight:kpi_result_rating", args=[result.pk]), {"rating": "good", "override_reason": "Outage."}
    )

    assert refused.status_code == 200
    assert "give the reason" in refused.content.decode()
    assert done.status_code == 302
    result.refresh_from_db()
    assert (result.rating, result.override_reason) == ("good", "Outage.")


def test_evidence_is_attached_to_a_result(client_as_officer, contract_officer):
    result = KpiResultFactory()
    upload = SimpleUploadedFile("return.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")

    answer = client_as_officer.post(
        reverse("oversight:kpi_result_evidence", args=[result.pk]), {"title": "May return", "file": upload}
    )

    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert [d.title for d in documents_for(obj=result, user=contract_officer)] == ["May return"]


# --- Import -------------------------------------------------------------------------------------------------


def _csv(*rows: str) -> bytes:
    return (template_csv() + "\n".join(rows) + "\n").encode()


def test_the_import_records_each_row_with_its_suggested_rating(contract_officer):
    kpi = FrozenContractKpiFactory(name="Calls answered")
    reference = kpi.contract.reference

    report = import_kpi_results(
        data=_csv(
            f"{reference},Calls answered,01/04/2026,30/04/2026,96,,,",
            f"{reference},calls answered,2026-05-01,2026-05-31,92,Good,Phone outage,",
        ),
        by=contract_officer,
    )

    assert report.ok, report.errors
    assert report.created == 2
    ratings = dict(KpiResult.objects.values_list("period_start__month", "rating"))
    assert ratings == {4: "good", 5: "good"}
    assert KpiResult.objects.get(period_start__month=5).suggested_rating == "requires_improvement"


def test_the_import_names_row_and_column_of_each_problem_and_saves_nothing(contract_officer):
    kpi = FrozenContractKpiFactory(name="Calls answered")
    reference = kpi.contract.reference

    report = import_kpi_results(
        data=_csv(
            f"{reference},Calls answered,01/04/2026,30/04/2026,96,,,",
            f"{reference},Nothing like it,01/04/2026,30/04/2026,96,,,",
            "NO-SUCH,Calls answered,01/04/2026,30/04/2026,96,,,",
            f"{reference},Calls answered,01/05/2026,31/05/2026,ninety,,,",
            f"{reference},Calls answered,02/05/2026,31/05/2026,90,,,",
            f"{reference},Calls answered,01/03/2026,31/03/2026,92,Good,,",
        ),
        by=contract_officer,
    )

    where = {(error.row, error.column) for error in report.errors}
    assert where == {
        (3, "KPI name"),
        (4, "Contract reference"),
        (5, "Value"),
        (6, "Period start"),
        (7, "Override reason"),
    }
    assert not report.saved
    assert not KpiResult.objects.exists()


def test_a_dry_run_checks_the_file_and_saves_nothing(contract_officer):
    kpi = FrozenContractKpiFactory(name="Calls answered")

    report = import_kpi_results(
        data=_csv(f"{kpi.contract.reference},Calls answered,01/04/2026,30/04/2026,96,,,"),
        by=contract_officer,
        dry_run=True,
    )

    assert report.ok
    assert report.created == 1
    assert not KpiResult.objects.exists()


def test_the_import_page_and_its_template(client_as_officer):
    kpi = FrozenContractKpiFactory(name="Calls answered")
    upload = SimpleUploadedFile(
        "results.csv", _csv(f"{kpi.contract.reference},Calls answered,01/04/2026,30/04/2026,96,,,"), "text/csv"
    )

    template = client_as_officer.get(reverse("oversight:kpi_results_import_template"))
    answer = client_as_officer.post(reverse("oversight:kpi_results_import"), {"file": upload})

    assert template.content.decode().startswith("Contract reference,KPI name,Period start,Period end,Value")
    assert answer.status_code == 302
    assert KpiResult.objects.count() == 1
