"""/api/v1/savings/ and /api/v1/cycle-stages/: savings with their variation, the list's filters, the service's
refusals as 400s naming the field, who may write (a commissioner their directorate's; administrators) and read
(officers and councillors), the provider check (officers only), and the cycle read-only."""

from decimal import Decimal

import pytest

from strategies.models import Saving
from tests.factories import (
    AchievedSavingFactory,
    ContractFactory,
    CycleStageFactory,
    DirectorateFactory,
    ProviderFactory,
    SavingFactory,
    StrategyFactory,
    cycle_phase,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/savings/"


def _body(directorate, **overrides) -> dict:
    body = {
        "reference": "ASC-1617-01",
        "directorate": directorate.pk,
        "year": 2016,
        "title": "Re-commissioning and negotiated savings with providers",
        "budgeted": "6100000.00",
        "achieved": "4794000.00",
        "status": "achieved",
        "reasons": "Home care rates rose to secure quality and staff terms.",
    }
    return {**body, **overrides}


def test_a_saving_reads_back_with_its_variation_and_year(api_client_for, directorate):
    saving = AchievedSavingFactory(directorate=directorate, budgeted=Decimal("6100000"), achieved=Decimal("4794000"))
    body = api_client_for("scrutiny").get(f"{URL}{saving.pk}/").json()
    assert (body["budgeted"], body["achieved"], body["variation"]) == ("6100000.00", "4794000.00", "1306000.00")
    assert (body["year"], body["year_label"], body["directorate_name"]) == (2016, "2016/17", directorate.name)


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("commissioner", 200, 201), ("admin", 200, 201), ("officer", 200, 403), ("scrutiny", 200, 403), (None, 401, 401)],
)
def test_commissioners_and_administrators_write_savings_officers_and_councillors_read_them(
    api_client_for, directorate, role, read, write
):
    SavingFactory(directorate=directorate)
    client = api_client_for(role)
    assert client.get(URL).status_code == read
    assert client.post(URL, _body(directorate), format="json").status_code == write


def test_a_commissioner_changes_only_their_own_directorates_savings(api_client_for, directorate):
    elsewhere = SavingFactory(directorate=DirectorateFactory(code="cs", name="Children's Services"))
    client = api_client_for("commissioner")
    assert client.patch(f"{URL}{elsewhere.pk}/", {"title": "Mine now"}, format="json").status_code == 403
    assert client.post(URL, _body(elsewhere.directorate), format="json").status_code == 403
    own = SavingFactory(directorate=directorate)
    changed = client.patch(f"{URL}{own.pk}/", {"title": "Renamed"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["title"] == "Renamed"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reasons": ""}, "reasons"),
        ({"status": "proposed"}, "achieved"),
        ({"year": 1999}, "year"),
        ({"budgeted": "lots"}, "budgeted"),
        ({"status": "cancelled"}, "status"),
        ({"contracts": [999999]}, "contracts"),
    ],
)
def test_a_bad_saving_is_a_400_naming_the_field(api_client_for, directorate, overrides, field):
    response = api_client_for("commissioner").post(URL, _body(directorate, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Saving.objects.exists()


def test_the_api_refuses_another_directorates_contract_as_the_page_does(api_client_for, directorate):
    contract = ContractFactory(directorate=DirectorateFactory(code="ph", name="Public Health"), reference="PH-1")
    response = api_client_for("commissioner").post(URL, _body(directorate, contracts=[contract.pk]), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["contracts"] == [
        "A saving touches only its own directorate's contracts: PH-1 is another directorate's."
    ]


def test_the_list_filters_by_directorate_year_strategy_and_status(api_client_for, directorate):
    children = DirectorateFactory(code="cs", name="Children's Services")
    strategy = StrategyFactory(directorate=directorate)
    SavingFactory(directorate=directorate, year=2016, reference="A-16", strategy=strategy)
    SavingFactory(directorate=directorate, year=2017, reference="A-17", status=Saving.Status.PROPOSED)
    SavingFactory(directorate=children, year=2016, reference="C-16")
    client = api_client_for("officer")

    def refs(**params) -> list[str]:
        response = client.get(URL, params)
        assert response.status_code == 200
        return sorted(row["reference"] for row in response.json()["results"])

    assert refs() == ["A-16", "A-17", "C-16"]
    assert refs(directorate=children.pk) == ["C-16"]
    assert refs(year=2016) == ["A-16", "C-16"]
    assert refs(strategy=strategy.pk) == ["A-16"]
    assert refs(status="proposed") == ["A-17"]


@pytest.mark.parametrize(("name", "value"), [("year", "soon"), ("status", "gone"), ("directorate", "999999")])
def test_a_filter_that_cannot_apply_is_a_400_naming_it(api_client_for, name, value):
    response = api_client_for("officer").get(URL, {name: value})
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_the_list_runs_constant_queries(api_client_for, directorate, django_assert_max_num_queries):
    client = api_client_for("officer")
    for _ in range(30):
        SavingFactory(directorate=directorate, contracts=[ContractFactory(directorate=directorate)])
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.json()["count"] == 30


def test_the_provider_check_answers_officers_and_refuses_councillors(api_client_for, directorate):
    shared = ProviderFactory(name="Leeds Community Healthcare")
    touched = ContractFactory(directorate=directorate, lead_provider=shared, reference="ASC-0001")
    ContractFactory(
        directorate=DirectorateFactory(code="cs", name="Children's Services"),
        lead_provider=shared,
        reference="CS-0101",
        annual_value=Decimal("400000"),
    )
    saving = SavingFactory(directorate=directorate, contracts=[touched])
    url = f"{URL}{saving.pk}/provider-check/"

    body = api_client_for("officer").get(url).json()

    assert body["touched_provider_count"] == 1
    assert [(p["provider_name"], p["touched"]) for p in body["providers"]] == [
        ("Leeds Community Healthcare", ["ASC-0001"])
    ]
    assert body["providers"][0]["elsewhere"][0]["directorate"] == "Children's Services"
    assert body["providers"][0]["elsewhere"][0]["annual_value"] == "400000.00"
    assert api_client_for("scrutiny").get(url).status_code == 403
    assert api_client_for(None).get(url).status_code == 401


def test_the_cycle_stages_read_in_cycle_order_and_cannot_be_written(api_client_for):
    CycleStageFactory(name="Design", order=1, parent=cycle_phase("Plan"))
    client = api_client_for("scrutiny")
    names = [(s["name"], s["parent_name"]) for s in client.get("/api/v1/cycle-stages/").json()["results"]]
    assert names == [("Analyse", None), ("Plan", None), ("Design", "Plan"), ("Do", None), ("Review", None)]
    admin = api_client_for("admin")
    assert admin.post("/api/v1/cycle-stages/", {"name": "Evaluate"}, format="json").status_code == 405
    assert api_client_for(None).get("/api/v1/cycle-stages/").status_code == 401
