"""A contract's named contract manager: a relation to the record, not a role, decides what they may change.

A contract officer tied to one directorate keeps that directorate's contracts; named as the manager of a
contract in another directorate, they keep that contract too (page, API and service alike), but do not move it
between directorates. Another officer of their directorate still may not touch it.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from contracts.models import Contract, ContractChange
from contracts.services import contract_create, contract_record_change, contract_update
from tests.factories import ContractFactory, DirectorateFactory
from tests.providers.factories import CommissionerFactory, OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def childrens():
    return DirectorateFactory(name="Children's Services", code="cs")


@pytest.fixture
def manager(childrens):
    """A Children's Services contract officer who manages one adult care contract."""
    return OfficerFactory(username="manager", first_name="Priya", last_name="Okafor", directorate=childrens)


@pytest.fixture
def colleague(childrens):
    return OfficerFactory(username="colleague", directorate=childrens)


@pytest.fixture
def managed(allied_reablement, manager):
    contract_update(contract=allied_reablement, by=OfficerFactory(), contract_manager=manager)
    allied_reablement.refresh_from_db()
    return allied_reablement


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _edit_form(contract: Contract, **changes) -> dict:
    data = {
        "reference": contract.reference,
        "title": contract.title,
        "directorate": contract.directorate_id,
        "category": contract.category,
        "contract_type": contract.contract_type,
        "status": contract.status,
        "contract_manager": contract.contract_manager_id or "",
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "extension_months": "+".join(str(m) for m in contract.extension_months),
        "extensions_used": contract.extensions_used,
        "annual_value": contract.annual_value,
        "total_value": contract.total_value,
        "vat_not_recoverable": contract.vat_not_recoverable,
        "performance": contract.performance,
        "payment_terms": contract.payment_terms,
        "payment_frequency": contract.payment_frequency,
        "payment_basis": contract.payment_basis,
        "volume_sensitive": contract.volume_sensitive,
        "has_kpis": "unknown",
    }
    data.update(changes)
    return data


def test_the_named_manager_changes_the_contract_in_another_directorate(managed, manager):
    contract_update(contract=managed, by=manager, title="Home Based Reablement Service (re-let)")
    change = contract_record_change(
        contract=managed,
        by=manager,
        kind=ContractChange.Kind.VARIATION,
        effective_on=datetime.date(2018, 5, 25),
        description="Hours increased in the east of the county.",
    )

    managed.refresh_from_db()
    assert managed.title == "Home Based Reablement Service (re-let)"
    assert change.recorded_by == manager


def test_a_colleague_of_the_manager_is_still_refused(managed, colleague):
    with pytest.raises(PermissionDenied, match="only your own directorate"):
        contract_update(contract=managed, by=colleague, title="Renamed")


def test_the_manager_does_not_move_the_contract_to_their_own_directorate(managed, manager, childrens):
    with pytest.raises(PermissionDenied):
        contract_update(contract=managed, by=manager, directorate=childrens)
    managed.refresh_from_db()
    assert managed.directorate != childrens


def test_the_relation_gives_nothing_the_role_does_not(allied_reablement, childrens):
    commissioner = CommissionerFactory(directorate=childrens)
    with pytest.raises(ValidationError) as refused:
        contract_update(contract=allied_reablement, by=OfficerFactory(), contract_manager=commissioner)
    assert refused.value.message_dict == {
        "contract_manager": ["The contract manager must be an active contract officer."]
    }


def test_only_an_active_contract_officer_can_be_named(allied_reablement, manager):
    manager.is_active = False
    manager.save()
    with pytest.raises(ValidationError, match="active contract officer"):
        contract_update(contract=allied_reablement, by=OfficerFactory(), contract_manager=manager)


def test_a_new_contract_can_name_its_manager(manager, allied_reablement):
    contract = contract_create(
        by=OfficerFactory(),
        reference="ACCW-NEW-01",
        title="Night Support Service",
        directorate=allied_reablement.directorate,
        category=Contract.Category.CLINICAL_PREVENTION,
        contract_type=Contract.ContractType.BLOCK,
        start_date=datetime.date(2019, 4, 1),
        end_date=datetime.date(2022, 3, 31),
        contract_manager=manager,
    )
    assert contract.contract_manager == manager


# --- The page and the API give the same answers ----------------------------------------------------------


def test_the_page_lets_the_manager_edit_and_refuses_the_colleague(managed, manager, colleague):
    url = reverse("contracts:edit", args=[managed.pk])

    assert _client(manager).get(url).status_code == 200
    response = _client(manager).post(url, _edit_form(managed, title="Reablement (manager's edit)"))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    managed.refresh_from_db()
    assert managed.title == "Reablement (manager's edit)"

    response = _client(colleague).post(url, _edit_form(managed, title="Colleague's edit"))
    assert response.status_code == 403
    managed.refresh_from_db()
    assert managed.title == "Reablement (manager's edit)"


def test_the_api_lets_the_manager_edit_and_refuses_the_colleague(managed, manager, colleague):
    url = reverse("v1:contract-detail", args=[managed.pk])

    response = _client(manager).patch(url, {"title": "Reablement (API)"}, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["contract_manager"] == manager.pk
    assert response.json()["contract_manager_name"] == "Priya Okafor"

    response = _client(colleague).patch(url, {"title": "Colleague"}, content_type="application/json")
    assert response.status_code == 403
    assert "only your own directorate" in response.json()["detail"]


def test_naming_a_commissioner_is_the_same_field_error_on_the_page_and_in_the_api(managed, childrens):
    commissioner = CommissionerFactory(directorate=childrens)
    officer = OfficerFactory()

    api = _client(officer).patch(
        reverse("v1:contract-detail", args=[managed.pk]),
        {"contract_manager": commissioner.pk},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["errors"] == {"contract_manager": ["The contract manager must be an active contract officer."]}

    # The page offers contract officers only, so the choice itself is refused there.
    page = _client(officer).post(
        reverse("contracts:edit", args=[managed.pk]), _edit_form(managed, contract_manager=commissioner.pk)
    )
    assert page.status_code == 200
    assert "contract_manager" in page.context["form"].errors
    managed.refresh_from_db()
    assert managed.contract_manager_id != commissioner.pk


def test_only_contracts_i_manage_on_the_page_and_in_the_api(managed, manager):
    ContractFactory(reference="ACCW-OTHER-01", directorate=managed.directorate)

    page = _client(manager).get(reverse("contracts:list"), {"mine": "1"})
    assert [c.reference for c in page.context["page_obj"]] == [managed.reference]

    api = _client(manager).get(reverse("v1:contract-list"), {"mine": "true"})
    assert [row["reference"] for row in api.json()["results"]] == [managed.reference]


def test_the_contract_page_names_the_manager(managed, manager):
    response = _client(OfficerFactory()).get(managed.get_absolute_url())
    assert "Contract manager" in response.content.decode()
    assert "Priya Okafor" in response.content.decode()
