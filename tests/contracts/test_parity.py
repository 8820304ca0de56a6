"""The page and the API give the same answer: the same forbidden actor is refused by both, and the same bad
input is refused by both with the same message on the same field (both call the same service)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract, ContractChange
from tests.factories import ContractFactory, DirectorateFactory
from tests.parity import api_client as _api
from tests.parity import api_errors as _api_errors
from tests.parity import page_client as _page
from tests.parity import page_errors as _page_errors
from tests.providers.factories import CommissionerFactory, OfficerFactory

pytestmark = pytest.mark.django_db
d = datetime.date


@pytest.fixture
def officer():
    return OfficerFactory()


@pytest.fixture
def contract():
    return ContractFactory(
        reference="ACCW-HBR-01",
        start_date=d(2015, 11, 3),
        end_date=d(2018, 11, 2),
        extension_months=[12, 12],
        total_value=Decimal("10500000.00"),
    )


@pytest.fixture
def outsider():
    """A contract officer tied to another directorate than the contract's."""
    return OfficerFactory(directorate=DirectorateFactory(code="cs", name="Children's Services"))


# --- Adding a contract --------------------------------------------------------------------------------------


def _page_contract(directorate, **overrides) -> dict:
    data = {
        "reference": "ACCW-DC-01",
        "title": "Buildings based day care framework",
        "directorate": directorate.pk,
        "category": "community",
        "contract_type": "framework",
        "status": "live",
        "start_date": "01/10/2018",
        "end_date": "30/09/2021",
        "extension_months": "12+12",
        "extensions_used": "0",
        "annual_value": "1200000",
        "total_value": "3600000",
        "vat_not_recoverable": "0",
        "performance": "not_assessed",
        "payment_terms": "arrears",
        "payment_frequency": "four_weekly",
        "payment_basis": "performance_driven",
        "volume_sensitive": "yes",
    }
    return data | overrides


def _api_contract(directorate, **overrides) -> dict:
    data = {
        "reference": "ACCW-DC-01",
        "title": "Buildings based day care framework",
        "directorate": directorate.pk,
        "category": "community",
        "contract_type": "framework",
        "start_date": "2018-10-01",
        "end_date": "2021-09-30",
        "extension_months": [12, 12],
        "annual_value": "1200000.00",
        "total_value": "3600000.00",
    }
    return data | overrides


def test_a_commissioner_may_add_a_contract_neither_on_the_page_nor_through_the_api():
    commissioner = CommissionerFactory()
    directorate = DirectorateFactory()

    page = _page(commissioner).post(reverse("contracts:create"), _page_contract(directorate))
    api = _api(commissioner).post("/api/v1/contracts/", _api_contract(directorate), format="json")

    assert (page.status_code, api.status_code) == (403, 403)
    assert not Contract.objects.exists()


def test_an_officer_may_not_add_another_directorates_contract_by_either_way(outsider):
    directorate = DirectorateFactory()

    page = _page(outsider).post(reverse("contracts:create"), _page_contract(directorate))
    api = _api(outsider).post("/api/v1/contracts/", _api_contract(directorate), format="json")

    assert (page.status_code, api.status_code) == (403, 403)
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    ("field", "page_value", "api_value"),
    [
        ("end_date", "01/01/2017", "2017-01-01"),
        ("extensions_used", "3", 3),
        ("annual_value", "-5", "-5.00"),
    ],
)
def test_a_bad_new_contract_gets_the_same_message_on_the_same_field(officer, field, page_value, api_value):
    directorate = DirectorateFactory()

    page = _page(officer).post(reverse("contracts:create"), _page_contract(directorate, **{field: page_value}))
    api = _api(officer).post("/api/v1/contracts/", _api_contract(directorate, **{field: api_value}), format="json")

    assert _page_errors(page, field) == _api_errors(api, field)
    assert not Contract.objects.exists()


def test_a_reference_already_on_the_register_gets_the_same_message(officer, contract):
    directorate = contract.directorate
    reference = {"reference": contract.reference}

    page = _page(officer).post(reverse("contracts:create"), _page_contract(directorate, **reference))
    api = _api(officer).post("/api/v1/contracts/", _api_contract(directorate, **reference), format="json")

    assert _page_errors(page, "reference") == _api_errors(api, "reference")
    assert Contract.objects.count() == 1


# --- Changing a contract ------------------------------------------------------------------------------------


def test_an_officer_of_another_directorate_may_not_change_the_contract_by_either_way(outsider, contract):
    page = _page(outsider).post(
        reverse("contracts:edit", args=[contract.pk]), _page_contract(contract.directorate, title="Renamed")
    )
    api = _api(outsider).patch(f"/api/v1/contracts/{contract.pk}/", {"title": "Renamed"}, format="json")

    assert (page.status_code, api.status_code) == (403, 403)
    contract.refresh_from_db()
    assert contract.title != "Renamed"


def test_using_more_extensions_than_exist_gets_the_same_message(officer, contract):
    page = _page(officer).post(
        reverse("contracts:edit", args=[contract.pk]),
        _page_contract(contract.directorate, reference=contract.reference, extensions_used="3"),
    )
    api = _api(officer).patch(f"/api/v1/contracts/{contract.pk}/", {"extensions_used": 3}, format="json")

    assert _page_errors(page, "extensions_used") == _api_errors(api, "extensions_used")
    contract.refresh_from_db()
    assert contract.extensions_used == 0


# --- Recording a change -------------------------------------------------------------------------------------


def test_an_officer_of_another_directorate_may_not_record_a_change_by_either_way(outsider, contract):
    data = {"kind": "variation", "description": "Variation.", "value_change": "100.00"}

    page = _page(outsider).post(
        reverse("contracts:change_add", args=[contract.pk]), data | {"effective_on": "25/05/2018"}
    )
    api = _api(outsider).post(
        f"/api/v1/contracts/{contract.pk}/changes/", data | {"effective_on": "2018-05-25"}, format="json"
    )

    assert (page.status_code, api.status_code) == (403, 403)
    assert not ContractChange.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "extension", "description": "A 24-month extension.", "extension_months": "24"}, "extension_months"),
        ({"kind": "variation", "description": "Too big a cut.", "value_change": "-99999999.00"}, "value_change"),
        ({"kind": "novation", "description": "Novation to nobody."}, "to_provider"),
    ],
)
def test_a_bad_change_gets_the_same_message_on_the_same_field(officer, contract, data, field):
    page = _page(officer).post(
        reverse("contracts:change_add", args=[contract.pk]), data | {"effective_on": "03/11/2018"}
    )
    api = _api(officer).post(
        f"/api/v1/contracts/{contract.pk}/changes/", data | {"effective_on": "2018-11-03"}, format="json"
    )

    assert _page_errors(page, field) == _api_errors(api, field)
    assert not ContractChange.objects.exists()


def test_a_good_change_is_the_same_change_by_either_way(officer, contract):
    api = _api(officer).post(
        f"/api/v1/contracts/{contract.pk}/changes/",
        {"kind": "extension", "effective_on": "2018-11-03", "description": "First extension."},
        format="json",
    )

    assert api.status_code == 201
    assert api.json()["extension_months"] == 12
    contract.refresh_from_db()
    assert (contract.extensions_used, contract.end_date) == (1, d(2019, 11, 2))


# --- Recording the decision ---------------------------------------------------------------------------------


def test_a_commissioner_may_not_record_a_decision_by_either_way(contract):
    commissioner = CommissionerFactory(directorate=contract.directorate)

    page = _page(commissioner).post(
        reverse("contracts:decision", args=[contract.pk]),
        {"reprocurement_decision": "extend", "decided_on": "01/02/2019"},
    )
    api = _api(commissioner).post(
        f"/api/v1/contracts/{contract.pk}/decision/",
        {"reprocurement_decision": "extend", "decided_on": "2019-02-01"},
        format="json",
    )

    assert (page.status_code, api.status_code) == (403, 403)
    contract.refresh_from_db()
    assert contract.reprocurement_decision == ""


def test_a_decision_dated_in_the_future_gets_the_same_message(officer, contract):
    page = _page(officer).post(
        reverse("contracts:decision", args=[contract.pk]),
        {"reprocurement_decision": "extend", "decided_on": "01/01/2100"},
    )
    api = _api(officer).post(
        f"/api/v1/contracts/{contract.pk}/decision/",
        {"reprocurement_decision": "extend", "decided_on": "2100-01-01"},
        format="json",
    )

    assert _page_errors(page, "decided_on") == _api_errors(api, "decided_on")
    contract.refresh_from_db()
    assert contract.reprocurement_decision == ""


def test_a_good_decision_answers_with_the_contract(officer, contract):
    api = _api(officer).post(
        f"/api/v1/contracts/{contract.pk}/decision/",
        {"reprocurement_decision": "reprocure", "decided_on": "2019-02-01"},
        format="json",
    )

    assert api.status_code == 200
    assert (api.json()["reprocurement_decision"], api.json()["reprocurement_decided_on"]) == ("reprocure", "2019-02-01")
