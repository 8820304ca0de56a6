"""Breaches and failures to improve (section 71(5)): what a breach record must say, which ones need a
contract performance notice within 30 days, and termination of the whole contract going in UK11 instead."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from oversight import notices
from oversight.models import ContractBreach, ContractPerformanceNotice
from oversight.services import TransitionNotAllowed

from ..factories import ActContractFactory, ContractBreachFactory, ProviderFactory, SanctionFactory
from .notice_helpers import officer

pytestmark = pytest.mark.django_db

Consequence = ContractBreach.Consequence


@pytest.fixture
def by():
    return officer("breach-officer")


def _record(by, contract=None, **overrides):
    values = {
        "kind": ContractBreach.Kind.BREACH,
        "what_happened": "Visits missed for a fortnight.",
        "occurred_on": datetime.date(2026, 1, 10),
        "consequence": Consequence.DAMAGES,
        "consequence_on": datetime.date(2026, 2, 1),
        "damages_amount": Decimal("25000"),
        "settlement_amount": None,
        "sanctions": [],
    }
    values.update(overrides)
    return notices.breach_record(by=by, contract=contract or ActContractFactory(), **values)


def test_a_breach_is_recorded_with_who_recorded_it_and_its_sanctions(by):
    contract = ActContractFactory()
    sanction = SanctionFactory(provider=contract.lead_provider, contract=contract)

    breach = _record(by, contract, sanctions=[sanction])

    assert breach.recorded_by == by
    assert list(breach.sanctions.all()) == [sanction]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"what_happened": "  "}, "what_happened"),
        ({"damages_amount": None}, "damages_amount"),
        ({"damages_amount": Decimal("0")}, "damages_amount"),
        ({"settlement_amount": Decimal("100")}, "settlement_amount"),
        ({"consequence": Consequence.NONE_YET, "damages_amount": None}, "consequence_on"),
        ({"consequence_on": None}, "consequence_on"),
        ({"consequence_on": datetime.date(2026, 1, 1)}, "consequence_on"),
        ({"occurred_on": timezone.localdate() + datetime.timedelta(days=3), "consequence_on": None}, "occurred_on"),
    ],
)
def test_a_breach_record_is_refused_naming_the_field(by, overrides, field):
    with pytest.raises(ValidationError) as refused:
        _record(by, **overrides)

    assert field in refused.value.message_dict
    assert not ContractBreach.objects.exists()


def test_a_sanction_alone_is_not_a_breach(by):
    contract = ActContractFactory()
    sanction = SanctionFactory(provider=contract.lead_provider, contract=contract)

    with pytest.raises(ValidationError, match="a sanction on its own is not a breach"):
        _record(by, contract, what_happened="", sanctions=[sanction])


def test_only_sanctions_on_the_contracts_own_provider_are_linked(by):
    contract = ActContractFactory()
    elsewhere = SanctionFactory(provider=ProviderFactory())

    with pytest.raises(ValidationError) as refused:
        _record(by, contract, sanctions=[elsewhere])

    assert "sanctions" in refused.value.message_dict


def test_a_commissioner_cannot_record_a_breach(commissioner):
    with pytest.raises(PermissionDenied):
        _record(commissioner)


@pytest.mark.parametrize(
    ("consequence", "amounts"),
    [
        (Consequence.TERMINATION_PART, {}),
        (Consequence.DAMAGES, {"damages_amount": Decimal("25000")}),
        (Consequence.SETTLEMENT, {"settlement_amount": Decimal("10000")}),
    ],
)
def test_a_breach_leading_to_termination_of_part_damages_or_settlement_is_published_within_30_days(
    by, consequence, amounts
):
    breach = _record(by, consequence=consequence, **{"damages_amount": None, **amounts})

    notice = notices.performance_notice_for_breach(by=by, breach=breach)

    assert notice.kind == ContractPerformanceNotice.Kind.BREACH
    assert notice.due_on == datetime.date(2026, 3, 3)  # 1 February + 30 days
    assert (notice.period_start, notice.period_end) == (datetime.date(2026, 1, 10), datetime.date(2026, 2, 1))


def test_a_failure_to_improve_needs_a_notice_within_30_days(by):
    breach = _record(
        by,
        kind=ContractBreach.Kind.FAILURE_TO_IMPROVE,
        consequence=Consequence.NONE_YET,
        consequence_on=None,
        damages_amount=None,
    )

    needed = notices.breach_notice_needed(breach)

    assert needed.needed
    assert needed.due_on == datetime.date(2026, 2, 9)


def test_termination_of_the_whole_contract_goes_in_the_termination_notice_not_a_section_71_5_notice(by):
    breach = _record(by, consequence=Consequence.TERMINATION_WHOLE, damages_amount=None)

    with pytest.raises(ValidationError) as refused:
        notices.performance_notice_for_breach(by=by, breach=breach)

    assert "termination notice (UK11)" in refused.value.message_dict["breach"][0]
    assert not ContractPerformanceNotice.objects.exists()
    assert notices.notices_due(user=by) == []


def test_a_breach_with_no_consequence_yet_needs_no_notice(by):
    breach = _record(by, consequence=Consequence.NONE_YET, consequence_on=None, damages_amount=None)

    with pytest.raises(ValidationError, match="not \\(yet\\) led"):
        notices.performance_notice_for_breach(by=by, breach=breach)


def test_a_breach_of_a_contract_under_the_2015_regulations_needs_no_notice(by):
    breach = _record(by, ActContractFactory(regime=Contract.Regime.PCR_2015))

    assert not notices.breach_notice_needed(breach).needed
    with pytest.raises(ValidationError, match="Public Contracts Regulations 2015"):
        notices.performance_notice_for_breach(by=by, breach=breach)


def test_a_breach_has_one_notice_and_its_consequence_is_then_fixed(by):
    breach = _record(by)
    notices.performance_notice_for_breach(by=by, breach=breach)

    with pytest.raises(ValidationError, match="already has"):
        notices.performance_notice_for_breach(by=by, breach=breach)
    with pytest.raises(TransitionNotAllowed):
        notices.breach_record_consequence(
            by=by,
            breach=breach,
            consequence=Consequence.SETTLEMENT,
            consequence_on=datetime.date(2026, 2, 2),
            settlement_amount=Decimal("1"),
        )


def test_a_consequence_recorded_later_starts_the_30_days(by):
    breach = _record(by, consequence=Consequence.NONE_YET, consequence_on=None, damages_amount=None)

    notices.breach_record_consequence(
        by=by,
        breach=breach,
        consequence=Consequence.SETTLEMENT,
        consequence_on=datetime.date(2026, 3, 1),
        settlement_amount=Decimal("5000"),
    )

    assert notices.breach_notice_needed(ContractBreach.objects.get(pk=breach.pk)).due_on == datetime.date(2026, 3, 31)


def test_a_breach_awaiting_its_notice_is_due_and_alerted(by):
    breach = ContractBreachFactory()

    (row,) = notices.notices_due(user=by, today=datetime.date(2026, 3, 1))
    assert (row.breach, row.due_on, row.days_left) == (breach, datetime.date(2026, 3, 3), 2)
    (alert,) = notices.notice_alerts_due(today=datetime.date(2026, 3, 1))
    assert alert[1:] == ("notice_due", datetime.date(2026, 3, 3), f"notice_due:breach:{breach.pk}:20260303")


def test_the_breach_form_shows_the_services_errors_and_saves_nothing(client, by):
    contract = ActContractFactory()
    client.force_login(by)

    response = client.post(
        f"{reverse('oversight:breach_add')}?contract={contract.pk}",
        {
            "kind": "breach",
            "what_happened": "Missed visits",
            "occurred_on_0": "10",
            "occurred_on_1": "1",
            "occurred_on_2": "2026",
            "consequence": "settlement",
            "consequence_on_0": "1",
            "consequence_on_1": "2",
            "consequence_on_2": "2026",
        },
    )

    assert response.status_code == 200
    assert "Enter the settlement sum" in response.content.decode()
    assert not ContractBreach.objects.exists()


def test_the_breach_form_records_a_breach(client, by):
    contract = ActContractFactory()
    client.force_login(by)

    response = client.post(
        f"{reverse('oversight:breach_add')}?contract={contract.pk}",
        {
            "kind": "breach",
            "what_happened": "Missed visits",
            "occurred_on_0": "10",
            "occurred_on_1": "1",
            "occurred_on_2": "2026",
            "consequence": "none_yet",
        },
    )

    assert response.status_code == 302
    assert ContractBreach.objects.get().what_happened == "Missed visits"


def test_the_breaches_page_runs_constant_queries(client, by, django_assert_max_num_queries):
    for _ in range(10):
        breach = ContractBreachFactory()
        breach.sanctions.add(SanctionFactory(provider=breach.contract.lead_provider))
    client.force_login(by)

    with django_assert_max_num_queries(13):
        assert client.get(reverse("oversight:breaches")).status_code == 200
