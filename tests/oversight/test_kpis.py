"""Contract KPIs (section 52): set at award, frozen then, changed afterwards only through a contract change; the
duty's flag on contracts in scope with fewer than three."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commissioning import roles
from contracts.models import Contract
from oversight.models import ContractKpi
from oversight.performance import (
    contracts_missing_kpis,
    kpi_change,
    kpi_create,
    kpi_update,
    kpis_freeze,
)
from tests.factories import (
    ActContractFactory,
    ContractChangeFactory,
    ContractFactory,
    ContractKpiFactory,
    DirectorateFactory,
    FrozenContractKpiFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _kpi(by, contract, **overrides):
    fields = {
        "name": "Calls answered within 20 seconds",
        "measure": "Share of calls answered within 20 seconds",
        "unit": "%",
        "target": Decimal("95"),
        "owner": by,
        "polarity": "higher",
        "frequency": "monthly",
        "source": "supplier_return",
    }
    fields.update(overrides)
    return kpi_create(by=by, contract=contract, **fields)


def test_an_officer_adds_a_kpi_before_award(contract_officer):
    contract = ActContractFactory()

    kpi = _kpi(contract_officer, contract)

    assert kpi.contract == contract
    assert kpi.frozen_on is None
    assert kpi.created_by == contract_officer
    assert kpi.history.first().history_user == contract_officer


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", " "), ("measure", ""), ("unit", ""), ("target", None), ("polarity", "sideways"), ("frequency", "weekly")],
)
def test_a_kpi_needs_each_of_its_fields(contract_officer, field, value):
    with pytest.raises(ValidationError) as refused:
        _kpi(contract_officer, ActContractFactory(), **{field: value})

    assert field in refused.value.message_dict
    assert not ContractKpi.objects.exists()


def test_a_kpi_is_owned_by_an_active_officer(contract_officer, scrutiny_member):
    contract = ActContractFactory()
    with pytest.raises(ValidationError) as councillor:
        _kpi(contract_officer, contract, owner=scrutiny_member)
    retired = UserFactory(is_active=False)
    retired.groups.add(Group.objects.get(name=roles.CONTRACT_OFFICER))
    with pytest.raises(ValidationError) as inactive:
        _kpi(contract_officer, contract, owner=retired)
    with pytest.raises(ValidationError) as nobody:
        _kpi(contract_officer, contract, owner=None)

    assert "owner" in councillor.value.message_dict
    assert "owner" in inactive.value.message_dict
    assert "owner" in nobody.value.message_dict


def test_two_active_kpis_of_a_contract_cannot_share_a_name(contract_officer):
    contract = ActContractFactory()
    _kpi(contract_officer, contract)

    with pytest.raises(ValidationError) as refused:
        _kpi(contract_officer, contract, name="calls answered within 20 SECONDS")

    assert "name" in refused.value.message_dict


def test_a_commissioner_may_not_add_kpis(commissioner):
    with pytest.raises(PermissionDenied):
        _kpi(commissioner, ActContractFactory(directorate=commissioner.directorate))


def test_an_officer_of_another_directorate_may_not_add_kpis():
    officer = UserFactory(directorate=DirectorateFactory())
    officer.groups.add(Group.objects.get(name=roles.CONTRACT_OFFICER))

    with pytest.raises(PermissionDenied):
        _kpi(officer, ActContractFactory())


def test_freezing_fixes_every_current_kpi_at_award(contract_officer):
    contract = ActContractFactory()
    kpis = ContractKpiFactory.create_batch(3, contract=contract)

    frozen = kpis_freeze(contract=contract, by=contract_officer, on=datetime.date(2026, 4, 1))

    assert {kpi.pk for kpi in frozen} == {kpi.pk for kpi in kpis}
    assert set(ContractKpi.objects.values_list("frozen_on", flat=True)) == {datetime.date(2026, 4, 1)}


def test_a_contract_in_scope_cannot_be_frozen_with_fewer_than_three_kpis(contract_officer):
    contract = ActContractFactory()
    ContractKpiFactory.create_batch(2, contract=contract)

    with pytest.raises(ValidationError) as refused:
        kpis_freeze(contract=contract, by=contract_officer, on=TODAY)

    assert "at least 3" in refused.value.message_dict["on"][0]
    assert not ContractKpi.objects.filter(frozen_on__isnull=False).exists()


def test_a_contract_outside_the_duty_may_freeze_fewer_kpis(contract_officer):
    contract = ContractFactory()  # Public Contracts Regulations 2015
    ContractKpiFactory(contract=contract)

    assert len(kpis_freeze(contract=contract, by=contract_officer, on=TODAY)) == 1


def test_kpis_are_not_frozen_on_a_day_to_come(contract_officer):
    contract = ActContractFactory()
    ContractKpiFactory.create_batch(3, contract=contract)

    with pytest.raises(ValidationError) as refused:
        kpis_freeze(contract=contract, by=contract_officer, on=TODAY + datetime.timedelta(days=1))

    assert "on" in refused.value.message_dict


def test_a_frozen_kpi_is_not_edited_in_place(contract_officer):
    kpi = FrozenContractKpiFactory(owner=contract_officer)

    with pytest.raises(ValidationError) as refused:
        kpi_update(by=contract_officer, kpi=kpi, target=Decimal("90"))

    assert "change" in refused.value.message_dict
    kpi.refresh_from_db()
    assert kpi.target == Decimal("95")


def test_an_unfrozen_kpi_is_edited_in_place(contract_officer):
    kpi = ContractKpiFactory(owner=contract_officer)

    kpi_update(by=contract_officer, kpi=kpi, target=Decimal("90"))

    kpi.refresh_from_db()
    assert kpi.target == Decimal("90")


def test_a_contract_change_retires_a_frozen_kpi_and_adds_its_replacement(contract_officer):
    kpi = FrozenContractKpiFactory(owner=contract_officer)
    change = ContractChangeFactory(contract=kpi.contract, effective_on=datetime.date(2026, 5, 1))

    replacement = kpi_change(by=contract_officer, kpi=kpi, change=change, target=Decimal("97"))

    kpi.refresh_from_db()
    assert kpi.retired_on == datetime.date(2026, 5, 1)
    assert kpi.changed_by == change
    assert replacement.pk != kpi.pk
    assert (replacement.name, replacement.target, replacement.changed_by) == (kpi.name, Decimal("97"), change)
    assert replacement.frozen_on == datetime.date(2026, 5, 1)


def test_a_frozen_kpi_is_changed_only_by_a_change_of_its_own_contract(contract_officer):
    kpi = FrozenContractKpiFactory(owner=contract_officer)
    elsewhere = ContractChangeFactory()

    with pytest.raises(ValidationError) as without:
        kpi_change(by=contract_officer, kpi=kpi, change=None, target=Decimal("97"))
    with pytest.raises(ValidationError) as other:
        kpi_change(by=contract_officer, kpi=kpi, change=elsewhere, target=Decimal("97"))

    assert "change" in without.value.message_dict
    assert "change" in other.value.message_dict
    kpi.refresh_from_db()
    assert kpi.retired_on is None
    assert ContractKpi.objects.count() == 1


def test_adding_a_kpi_after_freezing_needs_a_contract_change(contract_officer):
    kpi = FrozenContractKpiFactory()
    contract = kpi.contract

    with pytest.raises(ValidationError) as refused:
        _kpi(contract_officer, contract, name="Complaints resolved")
    change = ContractChangeFactory(contract=contract, effective_on=datetime.date(2026, 5, 1))
    added = _kpi(contract_officer, contract, name="Complaints resolved", change=change)

    assert "change" in refused.value.message_dict
    assert (added.changed_by, added.frozen_on) == (change, datetime.date(2026, 5, 1))


# --- The KPI duty's flag ------------------------------------------------------------------------------------


def test_a_live_contract_in_scope_with_fewer_than_three_kpis_is_flagged(contract_officer):
    two = ActContractFactory()
    ContractKpiFactory.create_batch(2, contract=two)
    three = ActContractFactory()
    ContractKpiFactory.create_batch(3, contract=three)

    flagged = list(contracts_missing_kpis(user=contract_officer))

    assert flagged == [two]
    assert flagged[0].active_kpis == 2


def test_retired_kpis_do_not_count_towards_the_three(contract_officer):
    contract = ActContractFactory()
    ContractKpiFactory.create_batch(2, contract=contract)
    ContractKpiFactory(contract=contract, retired_on=datetime.date(2026, 1, 1))

    assert list(contracts_missing_kpis(user=contract_officer)) == [contract]


@pytest.mark.parametrize(
    "outside",
    [
        {"regime": Contract.Regime.PCR_2015},
        {"regime": Contract.Regime.LIGHT_TOUCH},
        {"regime": Contract.Regime.PSR_2023},
        {"estimated_value": Decimal("5000000")},
        {"is_concession": True},
        {"contract_type": Contract.ContractType.FRAMEWORK},
        {"kpi_exemption_reason": "Outcomes are measured by the ICB's own framework."},
        {"status": Contract.Status.PIPELINE},
    ],
)
def test_contracts_outside_the_duty_are_not_flagged(contract_officer, outside):
    ActContractFactory(**outside)

    assert not contracts_missing_kpis(user=contract_officer).exists()


def test_councillors_see_no_flagged_contracts(scrutiny_member):
    ActContractFactory()

    assert not contracts_missing_kpis(user=scrutiny_member).exists()


# --- Pages --------------------------------------------------------------------------------------------------


def test_the_missing_kpis_page_lists_flagged_contracts(client_as_officer):
    ActContractFactory(title="Home care north lot")

    page = client_as_officer.get(reverse("oversight:kpis_missing"))

    assert page.status_code == 200
    assert "Home care north lot" in page.content.decode()


def test_an_officer_adds_a_kpi_through_the_page(client_as_officer, contract_officer):
    contract = ActContractFactory()

    answer = client_as_officer.post(
        reverse("oversight:kpi_add", args=[contract.pk]),
        {
            "name": "Visits on time",
            "measure": "Visits started within 15 minutes",
            "unit": "%",
            "target": "95",
            "polarity": "higher",
            "frequency": "monthly",
            "source": "supplier_return",
            "owner": contract_officer.pk,
        },
    )

    assert answer.status_code == 302
    assert contract.kpis.get().name == "Visits on time"


def test_the_kpi_page_shows_the_services_refusal_on_the_field(client_as_officer, contract_officer):
    contract = ActContractFactory()
    ContractKpiFactory(contract=contract, name="Visits on time")

    answer = client_as_officer.post(
        reverse("oversight:kpi_add", args=[contract.pk]),
        {
            "name": "Visits on time",
            "measure": "m",
            "unit": "%",
            "target": "95",
            "polarity": "higher",
            "frequency": "monthly",
            "source": "supplier_return",
            "owner": contract_officer.pk,
        },
    )

    assert answer.status_code == 200
    assert "already has a KPI called" in answer.content.decode()
    assert contract.kpis.count() == 1


def test_the_freeze_page_freezes_the_kpis(client_as_officer):
    contract = ActContractFactory()
    ContractKpiFactory.create_batch(3, contract=contract)

    answer = client_as_officer.post(
        reverse("oversight:kpis_freeze", args=[contract.pk]), {"on_0": "1", "on_1": "4", "on_2": "2026"}
    )

    assert answer.status_code == 302
    assert set(contract.kpis.values_list("frozen_on", flat=True)) == {datetime.date(2026, 4, 1)}


def test_every_form_page_opens_for_an_officer(client_as_officer):
    from tests.factories import DueAssessmentFactory, KpiResultFactory

    result = KpiResultFactory()
    kpi, contract = result.kpi, result.kpi.contract
    unfrozen = ContractKpiFactory(contract=contract)
    assessment = DueAssessmentFactory(contract=contract)
    pages = [
        ("oversight:kpi_add", contract.pk),
        ("oversight:kpis_freeze", contract.pk),
        ("oversight:assessment_start", contract.pk),
        ("oversight:kpi_edit", kpi.pk),
        ("oversight:kpi_edit", unfrozen.pk),
        ("oversight:kpi_result_add", kpi.pk),
        ("oversight:kpi_result", result.pk),
        ("oversight:assessment", assessment.pk),
        ("oversight:assessment_complete", assessment.pk),
        ("oversight:kpi_results_import", None),
        ("oversight:assessments_overdue", None),
    ]
    for name, pk in pages:
        answer = client_as_officer.get(reverse(name, args=[pk] if pk else []))
        assert answer.status_code == 200, name


def test_a_frozen_kpi_is_changed_through_the_page_with_a_contract_change(client_as_officer, contract_officer):
    kpi = FrozenContractKpiFactory(owner=contract_officer)
    change = ContractChangeFactory(contract=kpi.contract, effective_on=datetime.date(2026, 5, 1))
    data = {
        "name": kpi.name,
        "measure": kpi.measure,
        "unit": "%",
        "target": "97",
        "polarity": "higher",
        "frequency": "monthly",
        "source": "supplier_return",
        "owner": contract_officer.pk,
    }

    refused = client_as_officer.post(reverse("oversight:kpi_edit", args=[kpi.pk]), data)
    done = client_as_officer.post(reverse("oversight:kpi_edit", args=[kpi.pk]), {**data, "change": change.pk})

    assert refused.status_code == 200
    assert "Choose the contract change" in refused.content.decode()
    assert done.status_code == 302
    assert kpi.contract.kpis.filter(retired_on__isnull=True).get().target == Decimal("97")
