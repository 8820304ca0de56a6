"""The demo's register today (issue 14): the seed's contracts under the 2015 Regulations and ended as their terms
say, the services continued by successors, a manager and a backup on every live contract, and one service
re-procured under the Procurement Act 2023 with its KPIs, a year of results, an assessment and a published UK9."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from commissioning import roles
from commissioning.models import Document
from contracts.duties import duties_for
from contracts.models import Contract, ContractChange
from oversight.models import ContractKpi, ContractPerformanceNotice, KpiResult, PerformanceAssessment

pytestmark = pytest.mark.django_db

ACT_CONTRACT = "ACCW-0108"
# The seed's key contracts (demo.contract_data) and the volume's 2018/19 contracts, by reference prefix.
SEED_KEY_CONTRACTS = [f"ACCW-{n:04d}" for n in range(1, 15)] + [f"PH-{n:04d}" for n in range(1, 10)]
SEED_KEY_CONTRACTS += [f"PP-{n:04d}" for n in range(1, 11)]
VOLUME_PREFIXES = ("RES-", "OOC-", "TCB-", "HC-", "CSL-", "DC-", "IDC-", "CCP-", "GP-", "EC-", "PHX-", "CUR-")


@pytest.fixture
def demo(demo_database, db):
    """The demo data, loaded once for the run (tests/conftest.py); today's date."""
    return timezone.localdate()


def _live():
    return Contract.objects.filter(status=Contract.Status.LIVE)


def test_no_live_contract_is_more_than_twelve_months_past_its_latest_possible_end(demo):
    today = demo
    stale = _live().filter(maximum_end_date__lt=today - relativedelta(months=12))
    assert list(stale.values_list("reference", flat=True)) == []


def test_the_seed_contracts_ended_as_their_terms_say(demo):
    seed = Contract.objects.filter(reference__in=SEED_KEY_CONTRACTS)
    assert seed.count() == len(SEED_KEY_CONTRACTS)
    # Falls Prevention (PH-0009) was still in procurement in 2019; every other one has ended.
    assert set(seed.values_list("status", flat=True)) == {"expired", "pipeline"}
    residential = Contract.objects.get(title="Residential Care Contracts")
    assert (residential.status, residential.end_date, residential.annual_value) == (
        "expired",
        date(2018, 3, 31),
        98000000,
    )
    assert not Contract.objects.filter(reference__startswith="RES-", status="live").exists()


def test_a_few_live_contracts_run_past_their_end_by_months_not_years(demo):
    today = demo
    past_end = _live().filter(maximum_end_date__lt=today)
    assert 2 <= past_end.count() <= 3
    for contract in past_end:
        assert contract.maximum_end_date >= today - relativedelta(months=6)
        assert contract.reprocurement_decision == ""
        assert contract.predecessor is not None


@pytest.mark.parametrize("months", [6, 12, 18])
def test_some_live_contracts_end_within_6_12_and_18_months(demo, months):
    today = demo
    window = (today + relativedelta(months=months - 6), today + relativedelta(months=months))
    assert _live().filter(maximum_end_date__gte=window[0], maximum_end_date__lte=window[1]).exists()


def test_every_live_contract_has_a_named_manager_and_a_backup(demo):
    live = list(_live().select_related("contract_manager", "backup_manager"))
    assert len(live) >= 20
    for contract in live:
        manager, backup = contract.contract_manager, contract.backup_manager
        assert manager is not None, contract.reference
        assert backup is not None, contract.reference
        assert manager != backup
        assert manager.has_role(roles.CONTRACT_OFFICER)
        assert backup.has_role(roles.CONTRACT_OFFICER)


def test_the_key_services_continue_through_successor_contracts(demo):
    continued = {
        "ACCW-0010": "CUR-0001",  # homecare
        "ACCW-0011": "CUR-0005",  # residential care
        "ACCW-0009": "CUR-0002",  # reablement
        "PH-0001": "CUR-0011",  # drug and alcohol treatment
        "ACCW-0008": ACT_CONTRACT,  # the Care and Wellbeing Hub, re-procured under the Act
    }
    for old, new in continued.items():
        successor = Contract.objects.get(reference=new)
        assert successor.predecessor.reference == old
        assert successor.status == "live"
        assert successor.predecessor.reprocurement_decision == "reprocure"


def test_the_hub_was_extended_past_its_end_with_a_change_record_and_who_approved_it(demo):
    hub = Contract.objects.get(reference="ACCW-0008")
    extension = ContractChange.objects.get(contract=hub, kind=ContractChange.Kind.EXTENSION)
    assert extension.approved_by is not None
    assert extension.effective_on == date(2022, 3, 31)
    assert extension.created_at.date() == date(2022, 4, 1)  # recorded once it was running past its end
    assert (hub.status, hub.end_date) == ("expired", date(2025, 9, 30))


def test_the_seed_contracts_are_under_the_2015_regulations_and_carry_no_act_duties(demo):
    seed = Contract.objects.filter(reference__in=SEED_KEY_CONTRACTS)
    for prefix in VOLUME_PREFIXES:
        seed = seed | Contract.objects.filter(reference__startswith=prefix)
    assert seed.count() > 1000
    assert set(seed.values_list("regime", flat=True)) == {"pcr2015"}
    assert not seed.filter(estimated_value=0).exists()
    residential = Contract.objects.get(title="Residential Care Contracts")
    duties = duties_for(residential)
    assert not duties.kpis.applies
    assert "Public Contracts Regulations 2015" in duties.kpis.reason
    assert not duties.any


def test_the_act_contract_carries_the_kpi_duty(demo):
    contract = Contract.objects.get(reference=ACT_CONTRACT)
    assert contract.regime == "pa2023"
    assert contract.estimated_value > 5_000_000
    assert date(2025, 4, 1) <= contract.start_date <= date(2026, 3, 31)  # started in 2025/26
    assert duties_for(contract).kpis.applies
    assert duties_for(contract).performance_notice.applies


def test_the_act_contract_has_at_least_three_kpis_frozen_at_award(demo):
    kpis = ContractKpi.objects.filter(contract__reference=ACT_CONTRACT, retired_on__isnull=True)
    assert kpis.count() >= 3
    start = Contract.objects.get(reference=ACT_CONTRACT).start_date
    assert all(kpi.frozen_on is not None and kpi.frozen_on <= start for kpi in kpis)


def test_each_kpi_has_a_year_of_monthly_results_to_last_month_each_with_evidence(demo):
    today = demo
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    kinds = ContentType.objects.get_for_model(KpiResult)
    for kpi in ContractKpi.objects.filter(contract__reference=ACT_CONTRACT):
        results = list(kpi.results.order_by("period_start"))
        assert len(results) >= 12, kpi.name
        assert results[-1].period_start == last_month
        assert all(result.rating for result in results)
        evidenced = set(
            Document.objects.filter(content_type=kinds, object_id__in=[r.pk for r in results]).values_list(
                "object_id", flat=True
            )
        )
        assert evidenced == {result.pk for result in results}


def test_two_ratings_are_overridden_with_a_reason(demo):
    results = KpiResult.objects.filter(kpi__contract__reference=ACT_CONTRACT).select_related("kpi")
    overridden = [result for result in results if result.is_overridden]
    # The telephony outage (abandoned calls, rated Other) and the first month of mobilisation (first-contact
    # resolution, rated Approaching target).
    assert sorted((result.kpi.name, result.rating) for result in overridden) == [
        ("Abandoned calls", "other"),
        ("Enquiries resolved at first contact", "approaching_target"),
    ]
    assert all(result.override_reason.strip() for result in overridden)
    # The others are the service's suggestion.
    assert all(result.rating == result.suggested_rating for result in results if result not in overridden)


def test_one_completed_annual_assessment_and_its_published_notice(demo):
    # The first contract year's (from October 2027 a second year's exists too).
    assessment = (
        PerformanceAssessment.objects.filter(
            contract__reference=ACT_CONTRACT, kind="annual", status=PerformanceAssessment.Status.COMPLETE
        )
        .order_by("period_start")
        .first()
    )
    assert assessment is not None
    assert (assessment.period_end - assessment.period_start).days in (364, 365)
    assert assessment.assessed_on <= assessment.due_on
    notice = ContractPerformanceNotice.objects.get(assessment=assessment)
    assert notice.status == ContractPerformanceNotice.Status.PUBLISHED
    assert notice.created_by is not None
    assert notice.approved_by is not None
    assert notice.created_by != notice.approved_by
    assert notice.published_by == notice.approved_by
    assert notice.published_at.date() <= notice.due_on
    ratings = {kpi["name"]: kpi["rating"] for kpi in notice.content["kpis"]}
    assert len(ratings) >= 3
    assert all(ratings.values())
