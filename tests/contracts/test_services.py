import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contracts.models import Contract, ContractChange
from contracts.services import contract_create, contract_record_change, contract_record_decision, contract_update
from tests.factories import ContractFactory, DirectorateFactory, ProviderFactory

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
