import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from commissioning import roles
from contracts.models import Contract, ContractChange
from tests.factories import (
    ActionPlanFactory,
    ConcernFactory,
    ContractChangeFactory,
    ContractFactory,
    CqcRatingFactory,
    DirectorateFactory,
    HighRiskAssessmentFactory,
    LocationFactory,
    PooledBudgetFactory,
    ProviderFactory,
    SanctionFactory,
    StrategyFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

READERS = [
    (roles.COMMISSIONER, 200),
    (roles.CONTRACT_OFFICER, 200),
    (roles.ADMINISTRATOR, 200),
    (roles.SCRUTINY_MEMBER, 403),
    (None, 302),
]
EDITORS = [
    (roles.COMMISSIONER, 403),
    (roles.CONTRACT_OFFICER, 200),
    (roles.ADMINISTRATOR, 200),
    (roles.SCRUTINY_MEMBER, 403),
    (None, 302),
]


@pytest.mark.parametrize(("role", "status"), READERS)
@pytest.mark.parametrize(
    "name", ["contracts:list", "contracts:needs_decision", "oversight:statistics", "contracts:export_csv"]
)
def test_who_can_read_the_register(client_for_role, role, status, name):
    ContractFactory()
    assert client_for_role(role).get(reverse(name)).status_code == status


@pytest.mark.parametrize(("role", "status"), READERS)
def test_who_can_read_a_contract(client_for_role, role, status):
    contract = ContractFactory()
    assert client_for_role(role).get(reverse("contracts:detail", args=[contract.pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), EDITORS)
@pytest.mark.parametrize("name", ["contracts:edit", "contracts:change_add", "contracts:decision"])
def test_who_can_change_a_contract(client_for_role, role, status, name):
    contract = ContractFactory()
    assert client_for_role(role).get(reverse(name, args=[contract.pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), EDITORS)
@pytest.mark.parametrize("name", ["contracts:create", "contracts:import", "contracts:import_template"])
def test_who_can_add_and_import_contracts(client_for_role, role, status, name):
    assert client_for_role(role).get(reverse(name)).status_code == status


def test_scrutiny_member_cannot_export(client_as_scrutiny):
    assert client_as_scrutiny.get(reverse("contracts:export_xlsx")).status_code == 403


def _contracts(count):
    directorate = DirectorateFactory()
    strategy = StrategyFactory(directorate=directorate)
    for n in range(count):
        contract = ContractFactory(directorate=directorate, strategy=strategy, end_date=datetime.date(2019, 12, 31))
        if n % 2:
            contract.other_providers.add(ProviderFactory())


@pytest.mark.parametrize("count", [5, 50])
def test_register_runs_constant_queries(client_as_officer, django_assert_max_num_queries, count):
    _contracts(count)
    # session, user, permissions x2, count, page, filter choices (directorate, strategy, provider, manager),
    # session save x3
    with django_assert_max_num_queries(14):
        response = client_as_officer.get(reverse("contracts:list"), {"sort": "-annual_value", "q": "lot"})
    assert response.status_code == 200
    assert len(response.context["contracts"]) == count


@pytest.mark.parametrize("count", [5, 50])
def test_needs_decision_page_runs_constant_queries(client_as_officer, django_assert_max_num_queries, count, settings):
    _contracts(count)
    # The page, its permissions and the reader's roles (visible_to), and the counts by heading (past end,
    # within 6, 12 and 18 months) in one more query, however many contracts there are.
    with django_assert_max_num_queries(12):
        response = client_as_officer.get(reverse("contracts:needs_decision"), {"within": 18})
    assert response.status_code == 200


def test_register_pages_fifty_at_a_time(client_as_officer):
    _contracts(51)
    response = client_as_officer.get(reverse("contracts:list"))
    assert len(response.context["contracts"]) == 50
    assert response.context["page_obj"].paginator.num_pages == 2
    assert len(client_as_officer.get(reverse("contracts:list"), {"page": 2}).context["contracts"]) == 1


def test_register_shows_filter_errors_rather_than_failing(client_as_officer):
    ContractFactory()
    response = client_as_officer.get(reverse("contracts:list"), {"end_after": "31/31/2019"})
    assert response.status_code == 200
    assert "The ending on or after must be a real date" in response.content.decode()


@pytest.fixture
def contract_with_everything(allied_reablement):
    contract = allied_reablement
    provider = contract.lead_provider
    HighRiskAssessmentFactory(provider=provider, assessed_on=datetime.date(2018, 11, 1))
    for n in range(3):
        location = LocationFactory(provider=provider, name=f"Branch {n}")
        CqcRatingFactory(location=location, overall="requires_improvement", published_on=datetime.date(2017, 5, 1))
        CqcRatingFactory(location=location, overall="good", published_on=datetime.date(2018, 5, 1))
        contract.locations.add(location)
        VisitFactory(provider=provider, contract=contract, location=location)
        ConcernFactory(provider=provider, contract=contract, location=location)
        SanctionFactory(provider=provider, contract=contract, location=location)
        ActionPlanFactory(provider=provider, contract=contract, location=location)
        ContractChangeFactory(contract=contract)
        PooledBudgetFactory(contract=contract, name=f"Better Care Fund {n}")
        contract.other_providers.add(ProviderFactory())
    return contract


def test_contract_page_shows_timeline_risk_ratings_and_records(client_as_officer, contract_with_everything):
    contract = contract_with_everything
    response = client_as_officer.get(reverse("contracts:detail", args=[contract.pk]))
    page = response.content.decode()

    assert response.status_code == 200
    assert "2 November 2018" in page  # current end
    assert "0 of 2 used" in page
    assert "2 November 2020" in page  # latest possible end
    assert "High" in page  # lead provider's current risk
    assert page.count("Good") >= 3  # each location's latest CQC rating
    assert "Branch 2" in page
    assert "Better Care Fund 1" in page
    assert "Medication records incomplete." in page
    assert "Repeated failure to meet staffing levels." in page
    assert "Improvement plan" in page


def test_contract_page_runs_constant_queries(
    client_as_officer, contract_with_everything, django_assert_max_num_queries
):
    # 22 with the contracts it was replaced by and its documents panel.
    with django_assert_max_num_queries(22):
        client_as_officer.get(reverse("contracts:detail", args=[contract_with_everything.pk]))
    for _ in range(10):
        VisitFactory(provider=contract_with_everything.lead_provider, contract=contract_with_everything)
        ContractChangeFactory(contract=contract_with_everything)
    with django_assert_max_num_queries(22):
        client_as_officer.get(reverse("contracts:detail", args=[contract_with_everything.pk]))


def test_missing_contract_is_not_found(client_as_officer):
    assert client_as_officer.get(reverse("contracts:detail", args=[999])).status_code == 404


def _form_data(**overrides):
    directorate = DirectorateFactory()
    data = {
        "reference": "ACCW-DC-01",
        "title": "Buildings based day care framework",
        "directorate": directorate.pk,
        "category": "community",
        "contract_type": "framework",
        "status": "live",
        "start_date": "2018-10-01",
        "end_date": "2021-09-30",
        "extension_months": "12+12",
        "extensions_used": "0",
        "annual_value": "1200000",
        "total_value": "3600000",
        "vat_not_recoverable": "0",
        "has_kpis": "true",
        "performance": "not_assessed",
        "payment_terms": "arrears",
        "payment_frequency": "four_weekly",
        "payment_basis": "performance_driven",
        "volume_sensitive": "yes",
    }
    data.update(overrides)
    return data


def test_officer_adds_a_contract(client_as_officer, contract_officer):
    response = client_as_officer.post(reverse("contracts:create"), _form_data())
    contract = Contract.objects.get(reference="ACCW-DC-01")
    assert response.status_code == 302
    assert response.url == contract.get_absolute_url()
    assert contract.extension_months == [12, 12]
    assert contract.maximum_end_date == datetime.date(2023, 9, 30)
    assert contract.history.first().history_user == contract_officer


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("end_date", "2017-01-01", "The end date must be on or after the start date."),
        ("extension_months", "12+a", "Enter extension options in months"),
        ("extensions_used", "3", "Only 2 extension option(s) exist"),
        ("annual_value", "-5", "Ensure this value is greater than or equal to 0"),
    ],
)
def test_bad_contract_form_names_the_field_and_saves_nothing(client_as_officer, field, value, message):
    response = client_as_officer.post(reverse("contracts:create"), _form_data(**{field: value}))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    if field != "end_date":  # a date's three boxes have no one id for the summary to link to (the core's)
        assert f'href="#id_{field}"' in response.content.decode()
    assert not Contract.objects.exists()


def test_duplicate_reference_is_refused(client_as_officer):
    ContractFactory(reference="ACCW-DC-01")
    response = client_as_officer.post(reverse("contracts:create"), _form_data())
    assert "reference" in response.context["form"].errors


def test_officer_edits_a_contract(client_as_officer, allied_reablement):
    data = _form_data(reference=allied_reablement.reference, title="Home Based Reablement (revised)")
    response = client_as_officer.post(reverse("contracts:edit", args=[allied_reablement.pk]), data)
    assert response.status_code == 302
    allied_reablement.refresh_from_db()
    assert allied_reablement.title == "Home Based Reablement (revised)"


def test_officer_records_the_libertas_novation_through_the_page(client_as_officer, allied_reablement):
    libertas = ProviderFactory(name="Alderson Libertas")
    response = client_as_officer.post(
        reverse("contracts:change_add", args=[allied_reablement.pk]),
        {
            "kind": "novation",
            "effective_on": "2018-12-14",
            "description": "Novation to Libertas.",
            "to_provider": libertas.pk,
        },
    )
    assert response.status_code == 302
    allied_reablement.refresh_from_db()
    assert allied_reablement.lead_provider == libertas
    page = client_as_officer.get(allied_reablement.get_absolute_url()).content.decode()
    assert "Nestor Primecare Services t/a Allied Healthcare to Alderson Libertas" in page


def test_extension_past_the_options_shows_the_error_on_the_field(client_as_officer):
    contract = ContractFactory(extension_months=[])
    response = client_as_officer.post(
        reverse("contracts:change_add", args=[contract.pk]),
        {"kind": "extension", "effective_on": "2019-04-01", "description": "Extend."},
    )
    assert response.status_code == 200
    assert "no extension options left" in str(response.context["form"].errors["extension_months"])
    assert not ContractChange.objects.exists()


def test_recording_a_decision_takes_the_contract_off_the_needs_a_decision_list(client_as_officer):
    today = timezone.localdate()
    contract = ContractFactory(
        reference="DUE-SOON",
        start_date=today - datetime.timedelta(days=365),
        end_date=today + datetime.timedelta(days=60),
    )
    listed = client_as_officer.get(reverse("contracts:needs_decision"), {"within": 6}).context["contracts"]
    assert [c.reference for c in listed] == ["DUE-SOON"]

    client_as_officer.post(
        reverse("contracts:decision", args=[contract.pk]),
        {"reprocurement_decision": "reprocure", "decided_on": today.isoformat()},
    )

    listed = client_as_officer.get(reverse("contracts:needs_decision"), {"within": 6}).context["contracts"]
    assert list(listed) == []


def test_needs_decision_defaults_to_twelve_months(client_as_officer):
    response = client_as_officer.get(reverse("contracts:needs_decision"), {"within": "99"})
    assert response.context["within"] == 12


def _export_rows(client, name, params=None):
    response = client.get(reverse(name), params or {})
    assert response.status_code == 200
    if name.endswith("csv"):
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("name", ["contracts:export_csv", "contracts:export_xlsx"])
def test_export_follows_the_filters(client_as_officer, name):
    ContractFactory(reference="KEY-1", annual_value=Decimal("2000000"))
    ContractFactory(reference="SMALL-1", annual_value=Decimal("5000"))
    rows = _export_rows(client_as_officer, name, {"key": "1"})
    assert rows[0][0] == "Reference"
    assert [r[0] for r in rows[1:]] == ["KEY-1"]


@pytest.mark.parametrize("name", ["contracts:export_csv", "contracts:export_xlsx"])
@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_export_neutralises_formulas(client_as_officer, name, payload):
    ContractFactory(reference="F-1", title=payload)
    rows = _export_rows(client_as_officer, name)
    assert rows[1][1] == "'" + payload


def test_contract_page_links_to_its_provider_and_to_logging_oversight_for_it(client_as_officer):
    contract = ContractFactory()
    provider = contract.lead_provider
    page = client_as_officer.get(reverse("contracts:detail", args=[contract.pk])).content.decode()

    assert f'href="{reverse("providers:detail", args=[provider.pk])}"' in page
    for name in ("oversight:visit_add", "oversight:concern_add", "oversight:sanction_add", "oversight:action_plan_add"):
        assert f'href="{reverse(name)}?provider={provider.pk}&amp;contract={contract.pk}"' in page


def test_commissioners_see_the_provider_but_are_not_offered_oversight_logging(client_as_commissioner):
    contract = ContractFactory()
    response = client_as_commissioner.get(reverse("contracts:detail", args=[contract.pk]))
    page = response.content.decode()

    assert response.status_code == 200
    assert f'href="{reverse("providers:detail", args=[contract.lead_provider_id])}"' in page
    assert reverse("oversight:visit_add") not in page
    assert reverse("oversight:sanction_add") not in page


def test_register_filtered_to_a_provider_names_it_and_offers_all_providers_again(client_as_officer):
    provider = ProviderFactory(name="Carers FIRST")
    ContractFactory(lead_provider=provider, title="Lincolnshire Carers Service")
    ContractFactory(title="Someone else's service")

    response = client_as_officer.get(reverse("contracts:list"), {"provider": provider.pk, "page": 1})
    page = response.content.decode()

    assert "Lincolnshire Carers Service" in page
    assert "Someone else&#x27;s service" not in page
    assert "Carers FIRST" in page
    assert 'href="?">Show all providers' in page
