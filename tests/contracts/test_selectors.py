import datetime
from decimal import Decimal
from typing import cast

import pytest
from django.contrib.auth.models import Group

from commissioning import roles
from commissioning.models import User
from contracts.filters import ContractFilter
from contracts.models import Contract
from contracts.selectors import contract_register, contracts_needing_decision
from tests.factories import ContractFactory, DirectorateFactory, ProviderFactory, StrategyFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2019, 4, 1)


def _needing(months):
    return set(contracts_needing_decision(within_months=months, today=TODAY).values_list("reference", flat=True))


def test_contract_ending_within_six_months_with_no_decision_needs_one():
    ContractFactory(reference="DUE", start_date=datetime.date(2016, 10, 1), end_date=datetime.date(2019, 9, 30))
    assert _needing(6) == {"DUE"}


def test_contract_with_an_unused_extension_is_not_yet_due():
    ContractFactory(end_date=datetime.date(2019, 9, 30), extension_months=[12], extensions_used=0)
    assert _needing(6) == set()
    # ...but its last possible end (30 September 2020) falls within 18 months.
    assert len(_needing(18)) == 1


def test_contract_whose_extensions_are_all_used_is_due_on_its_current_end():
    ContractFactory(reference="USED", end_date=datetime.date(2019, 9, 30), extension_months=[12], extensions_used=1)
    assert _needing(6) == {"USED"}


@pytest.mark.parametrize(
    ("end", "months", "due"),
    [
        (datetime.date(2020, 4, 1), 12, True),
        (datetime.date(2020, 4, 2), 12, False),
        (datetime.date(2020, 10, 1), 18, True),
        (datetime.date(2020, 10, 2), 18, False),
    ],
)
def test_window_includes_its_last_day(end, months, due):
    ContractFactory(reference="EDGE", end_date=end)
    assert (_needing(months) == {"EDGE"}) is due


def test_a_recorded_decision_takes_a_contract_off_the_list():
    ContractFactory(end_date=datetime.date(2019, 9, 30), reprocurement_decision=Contract.Reprocurement.REPROCURE)
    assert _needing(18) == set()


@pytest.mark.parametrize("status", [Contract.Status.PIPELINE, Contract.Status.EXPIRED, Contract.Status.TERMINATED])
def test_only_live_contracts_need_a_decision(status):
    ContractFactory(end_date=datetime.date(2019, 9, 30), status=status)
    assert _needing(18) == set()


def test_a_live_contract_past_its_end_is_listed_whatever_the_window():
    ContractFactory(reference="PAST", end_date=datetime.date(2019, 3, 31))
    assert _needing(6) == _needing(18) == {"PAST"}


def _register(role: str = roles.CONTRACT_OFFICER):
    reader = cast(User, UserFactory(username=f"register-reader-{role}"))
    reader.groups.add(Group.objects.get(name=role))
    return contract_register(user=reader)


def test_councillors_see_no_contract_through_the_register(register):
    assert _register(roles.COMMISSIONER).count() == 4
    assert not _register(roles.SCRUTINY_MEMBER).exists()


def _filtered(params):
    return set(ContractFilter(params, queryset=_register()).qs.values_list("reference", flat=True))


@pytest.fixture
def register():
    accw = DirectorateFactory(name="Adult Care and Community Wellbeing", code="accw")
    ph = DirectorateFactory(name="Public Health", code="ph")
    strategy = StrategyFactory(directorate=accw, name="Adult Specialities")
    libertas = ProviderFactory(name="Alderson Libertas")
    fosse = ProviderFactory(name="Fosse Healthcare")
    homecare = ContractFactory(
        reference="HC-09",
        title="Homecare Zone 9 Grantham",
        directorate=accw,
        strategy=strategy,
        lead_provider=fosse,
        category=Contract.Category.COMMUNITY,
        contract_type=Contract.ContractType.BLOCK,
        end_date=datetime.date(2021, 9, 30),
        annual_value=Decimal("2400000"),
        performance=Contract.Performance.GOOD,
    )
    ContractFactory(
        reference="RES-FW",
        title="Residential Care Framework",
        directorate=accw,
        lead_provider=None,
        provider_summary="315 x Provider Contracts",
        category=Contract.Category.RESIDENTIAL,
        contract_type=Contract.ContractType.FRAMEWORK,
        end_date=datetime.date(2022, 3, 31),
        annual_value=Decimal("90000"),
        performance=Contract.Performance.AVERAGE,
    )
    shared = ContractFactory(
        reference="PH-HC",
        title="NHS Health Checks",
        directorate=ph,
        lead_provider=fosse,
        category=Contract.Category.CLINICAL_PREVENTION,
        contract_type=Contract.ContractType.SPOT,
        end_date=datetime.date(2020, 3, 31),
        annual_value=Decimal("600000"),
        politically_sensitive=True,
        status=Contract.Status.PIPELINE,
    )
    shared.other_providers.add(libertas)
    ContractFactory(
        reference="PH-HW",
        title="Local Healthwatch",
        directorate=ph,
        lead_provider=libertas,
        contract_type=Contract.ContractType.GRANT,
        end_date=datetime.date(2020, 6, 30),
        annual_value=Decimal("6000000"),
    )
    return {"accw": accw, "ph": ph, "strategy": strategy, "libertas": libertas, "fosse": fosse, "homecare": homecare}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"HC-09", "RES-FW", "PH-HC", "PH-HW"}),
        ({"category": "residential"}, {"RES-FW"}),
        ({"contract_type": "grant"}, {"PH-HW"}),
        ({"status": "pipeline"}, {"PH-HC"}),
        ({"performance": "good"}, {"HC-09"}),
        ({"key": "1"}, {"HC-09", "PH-HC", "PH-HW"}),
        ({"value_band": "under_100k"}, {"RES-FW"}),
        ({"value_band": "100k_1m"}, {"PH-HC"}),
        ({"value_band": "1m_5m"}, {"HC-09"}),
        ({"value_band": "over_5m"}, {"PH-HW"}),
        ({"end_after": "2020-04-01", "end_before": "2021-12-31"}, {"PH-HW", "HC-09"}),
        ({"q": "grantham"}, {"HC-09"}),
        ({"q": "315 x"}, {"RES-FW"}),
        ({"q": "libertas"}, {"PH-HC", "PH-HW"}),
        ({"q": "ph-h"}, {"PH-HC", "PH-HW"}),
    ],
)
def test_register_filters(register, params, expected):
    assert _filtered(params) == expected


def test_filter_by_directorate_and_strategy(register):
    assert _filtered({"directorate": register["ph"].pk}) == {"PH-HC", "PH-HW"}
    assert _filtered({"strategy": register["strategy"].pk}) == {"HC-09"}


def test_provider_filter_finds_lead_and_other_providers_once_each(register):
    assert list(
        ContractFilter({"provider": register["libertas"].pk}, queryset=_register()).qs.values_list(
            "reference", flat=True
        )
    ) == ["PH-HC", "PH-HW"]
    assert _filtered({"provider": register["fosse"].pk}) == {"HC-09", "PH-HC"}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("end_date", ["PH-HC", "PH-HW", "HC-09", "RES-FW"]),
        ("-annual_value", ["PH-HW", "HC-09", "PH-HC", "RES-FW"]),
        ("reference", ["HC-09", "PH-HC", "PH-HW", "RES-FW"]),
        ("provider", ["PH-HW", "HC-09", "PH-HC", "RES-FW"]),
    ],
)
def test_register_sorting(register, sort, expected):
    qs = ContractFilter({"sort": sort}, queryset=_register()).qs
    assert list(qs.values_list("reference", flat=True)) == expected


def test_register_marks_key_contracts(register):
    rows = {c.reference: c.is_key_contract for c in _register()}
    assert rows == {"HC-09": True, "RES-FW": False, "PH-HC": True, "PH-HW": True}
