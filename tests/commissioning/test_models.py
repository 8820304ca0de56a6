"""The models' derived rules: key contracts, maximum end dates, achievement."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.models import Contract
from performance.models import Measure, MeasureResult, compute_status
from tests.factories import ContractFactory, MeasureResultFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("annual_value", "sensitive", "is_key"),
    [
        (Decimal("999999.99"), False, False),
        (Decimal("1000000.00"), False, True),
        (Decimal("12000.00"), True, True),
    ],
)
def test_key_contract_is_derived_from_value_or_political_sensitivity(annual_value, sensitive, is_key):
    contract = ContractFactory(annual_value=annual_value, politically_sensitive=sensitive)
    assert contract.is_key is is_key
    assert Contract.objects.with_is_key().get(pk=contract.pk).is_key_contract is is_key
    assert Contract.objects.key().filter(pk=contract.pk).exists() is is_key


def test_a_key_contract_stops_being_key_when_its_value_falls():
    contract = ContractFactory(annual_value=Decimal("1500000"))
    contract.annual_value = Decimal("900000")
    contract.save()
    assert not Contract.objects.key().filter(pk=contract.pk).exists()


def test_maximum_end_date_adds_the_unused_extension_options():
    # A 3+1+1 contract with no extension used yet.
    contract = ContractFactory(start_date=date(2016, 4, 1), end_date=date(2019, 3, 31), extension_months=[12, 12])
    assert contract.maximum_end_date == date(2021, 3, 31)
    assert contract.extension_pattern == "2+1+1" or contract.extension_pattern.endswith("+1+1")


def test_maximum_end_date_after_one_extension_is_taken():
    contract = ContractFactory(
        start_date=date(2016, 4, 1), end_date=date(2020, 3, 31), extension_months=[12, 12], extensions_used=1
    )
    assert contract.remaining_extension_months == [12]
    assert contract.maximum_end_date == date(2021, 3, 31)


def test_maximum_end_date_is_kept_in_step_when_only_some_fields_are_saved():
    contract = ContractFactory(end_date=date(2019, 3, 31), extension_months=[])
    contract.extension_months = [24]
    contract.save(update_fields=["extension_months"])
    contract.refresh_from_db()
    assert contract.maximum_end_date == date(2021, 3, 31)


@pytest.mark.parametrize(
    ("value", "target", "targeted", "polarity", "expected"),
    [
        ("66.7", "60", True, "higher", "achieved"),
        ("60", "60", True, "higher", "achieved"),
        ("33.2", "45", True, "higher", "not_achieved"),
        ("12", "15", True, "lower", "achieved"),
        ("18", "15", True, "lower", "not_achieved"),
        ("50", None, True, "higher", "measured_only"),
        ("50", "40", False, "higher", "measured_only"),
        (None, "40", True, "higher", "awaiting_data"),
    ],
)
def test_achievement_is_computed_from_value_target_and_polarity(value, target, targeted, polarity, expected):
    status = compute_status(
        value=None if value is None else Decimal(value),
        target=None if target is None else Decimal(target),
        is_targeted=targeted,
        polarity=polarity,
    )
    assert status == expected


def test_result_status_reads_its_measure():
    result = MeasureResultFactory(
        measure__polarity=Measure.Polarity.LOWER_IS_BETTER, value=Decimal("5"), target=Decimal("4")
    )
    assert result.status == MeasureResult.Status.NOT_ACHIEVED
    assert result.get_status_display() == "Not achieved"
    assert str(result.period) == "Q3 2018/19"
