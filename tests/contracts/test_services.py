import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import Contract, ContractChange, PooledBudget
from contracts.services import (
    contract_create,
    contract_record_change,
    contract_record_decision,
    contract_update,
    contracts_import,
    pooled_budget_create,
    pooled_budget_update,
)
from tests.factories import ContractFactory, DirectorateFactory, PooledBudgetFactory, ProviderFactory, StrategyFactory
from tests.providers.factories import CommissionerFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def test_an_extension_uses_the_next_option_and_moves_the_end_date_on(allied_reablement, contract_officer):
    change = contract_record_change(
        contract=allied_reablement,
        by=contract_officer,
        kind=ContractChange.Kind.EXTENSION,
        effective_on=datetime.date(2018, 11, 3),
        description="First 12-month extension taken.",
    )

    allied_reablement.refresh_from_db()
    assert change.extension_months == 12
    assert change.recorded_by == contract_officer
    assert allied_reablement.extensions_used == 1
    assert allied_reablement.end_date == datetime.date(2019, 11, 2)
    # The last possible end date does not move: an option was used, not added.
    assert allied_reablement.maximum_end_date == datetime.date(2020, 11, 2)
    assert allied_reablement.history.first().history_user == contract_officer


def test_an_extension_beyond_the_options_left_is_refused_naming_the_field(allied_reablement, contract_officer):
    for _ in range(2):
        contract_record_change(
            contract=allied_reablement,
            by=contract_officer,
            kind=ContractChange.Kind.EXTENSION,
            effective_on=datetime.date(2018, 11, 3),
            description="Extension.",
        )

    with pytest.raises(ValidationError) as error:
        contract_record_change(
            contract=allied_reablement,
            by=contract_officer,
            kind=ContractChange.Kind.EXTENSION,
            effective_on=datetime.date(2020, 11, 3),
            description="A third extension.",
        )

    assert "extension_months" in error.value.message_dict
    allied_reablement.refresh_from_db()
    assert allied_reablement.extensions_used == 2
    assert allied_reablement.changes.count() == 2


def test_an_extension_of_a_different_length_than_the_next_option_is_refused(allied_reablement, contract_officer):
    with pytest.raises(ValidationError) as error:
        contract_record_change(
            contract=allied_reablement,
            by=contract_officer,
            kind=ContractChange.Kind.EXTENSION,
            effective_on=datetime.date(2018, 11, 3),
            description="Extension.",
            extension_months=24,
        )

    assert "The next extension option is 12 months" in error.value.message_dict["extension_months"][0]


def test_novation_moves_the_contract_from_allied_healthcare_to_libertas(allied_reablement, contract_officer):
    allied = allied_reablement.lead_provider
    libertas = ProviderFactory(name="Alderson Libertas")

    change = contract_record_change(
        contract=allied_reablement,
        by=contract_officer,
        kind=ContractChange.Kind.NOVATION,
        effective_on=datetime.date(2018, 12, 14),
        description="Novated after Allied Healthcare's failure: 270 service users and 230 staff transferred.",
        to_provider=libertas,
    )

    allied_reablement.refresh_from_db()
    assert (change.from_provider, change.to_provider) == (allied, libertas)
    assert allied_reablement.lead_provider == libertas


def test_novation_needs_a_different_provider(allied_reablement, contract_officer):
    with pytest.raises(ValidationError) as error:
        contract_record_change(
            contract=allied_reablement,
            by=contract_officer,
            kind=ContractChange.Kind.NOVATION,
            effective_on=datetime.date(2018, 12, 14),
            description="Novation.",
            to_provider=allied_reablement.lead_provider,
        )
    assert "to_provider" in error.value.message_dict


def test_a_variation_adjusts_the_values(allied_reablement, contract_officer):
    contract_record_change(
        contract=allied_reablement,
        by=contract_officer,
        kind=ContractChange.Kind.VARIATION,
        effective_on=datetime.date(2018, 5, 25),
        description="GDPR variation with extra capacity.",
        value_change=Decimal("-500000.00"),
        annual_value=Decimal("3300000.00"),
    )

    allied_reablement.refresh_from_db()
    assert allied_reablement.total_value == Decimal("10000000.00")
    assert allied_reablement.annual_value == Decimal("3300000.00")


def test_a_variation_cannot_take_the_total_value_below_nothing(contract_officer):
    contract = ContractFactory(total_value=Decimal("1000.00"))
    with pytest.raises(ValidationError) as error:
        contract_record_change(
            contract=contract,
            by=contract_officer,
            kind=ContractChange.Kind.VARIATION,
            effective_on=datetime.date(2018, 5, 25),
            description="Reduction.",
            value_change=Decimal("-1000.01"),
        )
    assert "value_change" in error.value.message_dict


def test_create_keeps_the_maximum_end_date_and_refuses_an_end_before_the_start(contract_officer):
    directorate = DirectorateFactory()
    fields = {
        "reference": "PH-ILS-01",
        "title": "Integrated Lifestyle Service",
        "directorate": directorate,
        "category": Contract.Category.CLINICAL_PREVENTION,
        "contract_type": Contract.ContractType.BLOCK,
        "start_date": datetime.date(2019, 7, 1),
        "end_date": datetime.date(2022, 6, 30),
        "extension_months": [12, 12],
    }
    contract = contract_create(by=contract_officer, **fields)
    assert contract.maximum_end_date == datetime.date(2024, 6, 30)

    with pytest.raises(ValidationError) as error:
        contract_update(contract=contract, by=contract_officer, end_date=datetime.date(2019, 1, 1))
    assert "end_date" in error.value.message_dict


def test_using_more_extensions_than_exist_is_refused(contract_officer):
    contract = ContractFactory(extension_months=[12])
    with pytest.raises(ValidationError) as error:
        contract_update(contract=contract, by=contract_officer, extensions_used=2)
    assert "extensions_used" in error.value.message_dict


def test_recording_a_decision(allied_reablement, contract_officer):
    contract_record_decision(
        contract=allied_reablement,
        by=contract_officer,
        decision=Contract.Reprocurement.REPROCURE,
        decided_on=datetime.date(2019, 2, 1),
    )
    allied_reablement.refresh_from_db()
    assert allied_reablement.reprocurement_decision == "reprocure"

    with pytest.raises(ValidationError):
        contract_record_decision(
            contract=allied_reablement, by=contract_officer, decision="", decided_on=datetime.date(2019, 2, 1)
        )


# --- Who may: the role's permission and the contract's directorate -----------------------------------------


def _history_rows() -> int:
    return Contract.history.count() + ContractChange.history.count() + PooledBudget.history.count()


@pytest.fixture
def other_directorates_officer():
    """A contract officer tied to Children's Services: keeps that directorate's contracts only."""
    return OfficerFactory(directorate=DirectorateFactory(name="Children's Services", code="cs"))


def _new_contract_fields(directorate) -> dict:
    return {
        "reference": "PH-ILS-01",
        "title": "Integrated Lifestyle Service",
        "directorate": directorate,
        "category": Contract.Category.CLINICAL_PREVENTION,
        "contract_type": Contract.ContractType.BLOCK,
        "start_date": datetime.date(2019, 7, 1),
        "end_date": datetime.date(2022, 6, 30),
    }


def test_a_commissioner_may_not_add_change_or_decide_a_contract(allied_reablement):
    commissioner = CommissionerFactory(directorate=allied_reablement.directorate)
    before = _history_rows()

    with pytest.raises(PermissionDenied):
        contract_create(by=commissioner, **_new_contract_fields(allied_reablement.directorate))
    with pytest.raises(PermissionDenied):
        contract_update(contract=allied_reablement, by=commissioner, title="Renamed")
    with pytest.raises(PermissionDenied):
        contract_record_decision(
            contract=allied_reablement, by=commissioner, decision="extend", decided_on=datetime.date(2019, 2, 1)
        )
    with pytest.raises(PermissionDenied):
        contract_record_change(
            contract=allied_reablement,
            by=commissioner,
            kind=ContractChange.Kind.VARIATION,
            effective_on=datetime.date(2018, 5, 25),
            description="Variation.",
        )

    assert _history_rows() == before
    assert not Contract.objects.filter(reference="PH-ILS-01").exists()


def test_an_officer_tied_to_a_directorate_keeps_only_that_directorates_contracts(
    allied_reablement, other_directorates_officer
):
    with pytest.raises(PermissionDenied, match="only your own directorate"):
        contract_update(contract=allied_reablement, by=other_directorates_officer, title="Renamed")
    with pytest.raises(PermissionDenied):
        contract_create(by=other_directorates_officer, **_new_contract_fields(allied_reablement.directorate))

    own = contract_create(by=other_directorates_officer, **_new_contract_fields(other_directorates_officer.directorate))
    # Nor may they move their own contract into another directorate.
    with pytest.raises(PermissionDenied):
        contract_update(contract=own, by=other_directorates_officer, directorate=allied_reablement.directorate)
    own.refresh_from_db()
    assert own.directorate == other_directorates_officer.directorate


def test_a_decision_in_the_future_is_refused_naming_the_date(allied_reablement, contract_officer):
    with pytest.raises(ValidationError) as error:
        contract_record_decision(
            contract=allied_reablement, by=contract_officer, decision="extend", decided_on=datetime.date(2100, 1, 1)
        )
    assert error.value.message_dict["decided_on"] == ["The date decided must be today or in the past."]
    allied_reablement.refresh_from_db()
    assert allied_reablement.reprocurement_decision == ""


def test_a_bad_change_saves_neither_the_change_nor_the_contract(allied_reablement, contract_officer):
    before = _history_rows()
    with pytest.raises(ValidationError):
        contract_record_change(
            contract=allied_reablement,
            by=contract_officer,
            kind=ContractChange.Kind.VARIATION,
            effective_on=datetime.date(2018, 5, 25),
            description="Too big a reduction.",
            value_change=Decimal("-99999999.00"),
            annual_value=Decimal("1.00"),
        )
    allied_reablement.refresh_from_db()
    assert allied_reablement.annual_value == Decimal("3500000.00")
    assert _history_rows() == before


# --- The register import's service ---------------------------------------------------------------------------


def test_the_import_service_refuses_a_reference_already_on_the_register(allied_reablement, contract_officer):
    fields = _new_contract_fields(allied_reablement.directorate) | {"reference": allied_reablement.reference}

    done = contracts_import(new=[fields], updates=[], by=contract_officer)

    assert "already on the register" in done.problems[0].message_dict["reference"][0]
    assert Contract.objects.count() == 1


def test_the_import_service_checks_each_contracts_directorate(allied_reablement, other_directorates_officer):
    fields = _new_contract_fields(allied_reablement.directorate)

    done = contracts_import(
        new=[fields], updates=[(allied_reablement, {"title": "Renamed"})], by=other_directorates_officer
    )

    assert set(done.problems) == {0, 1}
    assert done.problems[1].message_dict["directorate"] == ["You may import contracts only for your own directorate."]
    allied_reablement.refresh_from_db()
    assert allied_reablement.title == "Home Based Reablement Service"


def test_only_those_who_may_import_use_the_import_service(allied_reablement):
    with pytest.raises(PermissionDenied):
        contracts_import(new=[], updates=[], by=CommissionerFactory())


def test_the_import_service_runs_the_contract_rules_and_leaves_identical_rows_alone(
    allied_reablement, contract_officer
):
    done = contracts_import(
        new=[_new_contract_fields(allied_reablement.directorate) | {"end_date": datetime.date(2018, 1, 1)}],
        updates=[(allied_reablement, {"title": allied_reablement.title})],
        by=contract_officer,
    )
    assert "end_date" in done.problems[0].message_dict

    done = contracts_import(
        new=[_new_contract_fields(allied_reablement.directorate)],
        updates=[(allied_reablement, {"title": allied_reablement.title})],
        by=contract_officer,
    )
    assert (done.created, done.updated, done.unchanged) == (["PH-ILS-01"], [], ["ACCW-HBR-01"])
    assert Contract.objects.get(reference="PH-ILS-01").history.get().history_user == contract_officer


def test_the_import_service_links_new_contracts_to_their_providers_and_locations_in_batches(
    allied_reablement, contract_officer, django_assert_max_num_queries
):
    from tests.factories import LocationFactory

    provider = allied_reablement.lead_provider
    homes = [LocationFactory(provider=provider, name=f"Home {n}") for n in range(3)]
    partner = ProviderFactory(name="Libertas Lincolnshire")
    rows = [
        _new_contract_fields(allied_reablement.directorate)
        | {"reference": f"ACCW-RES-{n}", "lead_provider": provider, "locations": homes[: n + 1]}
        | ({"other_providers": [partner]} if n == 0 else {})
        for n in range(3)
    ]

    with django_assert_max_num_queries(12):  # however many rows: the links are one insert per relation
        done = contracts_import(new=rows, updates=[], by=contract_officer)

    assert done.created == ["ACCW-RES-0", "ACCW-RES-1", "ACCW-RES-2"]
    linked = {
        c.reference: sorted(loc.name for loc in c.locations.all())
        for c in Contract.objects.filter(reference__startswith="ACCW-RES-")
    }
    assert linked == {
        "ACCW-RES-0": ["Home 0"],
        "ACCW-RES-1": ["Home 0", "Home 1"],
        "ACCW-RES-2": ["Home 0", "Home 1", "Home 2"],
    }
    assert list(Contract.objects.get(reference="ACCW-RES-0").other_providers.all()) == [partner]


# --- Pooled budgets -----------------------------------------------------------------------------------------


def _budget_fields(strategy) -> dict:
    return {
        "name": "Learning disability pooled budget",
        "strategy": strategy,
        "arrangement_type": PooledBudget.ArrangementType.SECTION_75,
        "partner": "Lincolnshire Clinical Commissioning Groups",
        "total_value": Decimal("1000000.00"),
        "partner_contribution": Decimal("400000.00"),
    }


def test_a_commissioner_keeps_their_own_strategys_pooled_budget():
    strategy = StrategyFactory()
    commissioner = CommissionerFactory(directorate=strategy.directorate)

    budget = pooled_budget_create(by=commissioner, **_budget_fields(strategy))
    pooled_budget_update(budget=budget, by=commissioner, partner_contribution=Decimal("500000.00"))

    budget.refresh_from_db()
    assert budget.council_contribution == Decimal("500000.00")
    assert budget.history.first().history_user == commissioner


def test_another_directorates_commissioner_may_not_keep_it():
    strategy = StrategyFactory()
    budget = PooledBudgetFactory(strategy=strategy)
    outsider = CommissionerFactory(directorate=DirectorateFactory(code="cs", name="Children's Services"))

    with pytest.raises(PermissionDenied):
        pooled_budget_update(budget=budget, by=outsider, name="Renamed")
    with pytest.raises(PermissionDenied):
        pooled_budget_create(by=outsider, **_budget_fields(strategy))
    assert PooledBudget.objects.count() == 1


def test_a_partner_cannot_put_in_more_than_the_whole_budget(contract_officer):
    before = _history_rows()
    fields = _budget_fields(StrategyFactory()) | {"partner_contribution": Decimal("2000000.00")}

    with pytest.raises(ValidationError) as error:
        pooled_budget_create(by=contract_officer, **fields)

    assert "cannot be more than the total value" in error.value.message_dict["partner_contribution"][0]
    assert _history_rows() == before
