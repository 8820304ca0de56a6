"""Provider failure and market sustainability (seeds 001 and 004), through the services: failure and closure
cases with their counts, novation and dates; closing a case closes the home or records the provider's exit; market
indicators, the current reading and the hard-to-replace flag; the market overview."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commissioning.models import Notification
from oversight import market
from oversight.models import MarketIndicator, ProviderFailureCase, Rag
from oversight.services import TransitionNotAllowed
from providers.models import Location, Provider

from ..factories import ContractFactory, LocationFactory, ProviderFactory
from .market_factories import (
    ClosureCaseFactory,
    FailureCaseFactory,
    HardToReplaceIndicatorFactory,
    MarketIndicatorFactory,
)
from .notice_helpers import officer

pytestmark = pytest.mark.django_db

Kind = ProviderFailureCase.Kind
D = datetime.date


@pytest.fixture
def by():
    return officer("market-officer")


def _open(by, **overrides):
    provider = overrides.pop("provider", None) or ProviderFactory()
    values = {
        "kind": Kind.CLOSURE,
        "announced_on": D(2018, 10, 1),
        "summary": "The home's provider failed under a Company Voluntary Arrangement.",
        "location": LocationFactory(provider=provider),
        "service_users_affected": 23,
        "service_users_moved": 0,
    }
    values.update(overrides)
    return market.failure_case_open(by=by, provider=provider, **values)


def test_opening_a_closure_case_marks_the_home_closing_from_the_day_it_was_announced(by):
    case = _open(by)

    case.location.refresh_from_db()
    assert case.recorded_by == by
    assert case.status == ProviderFailureCase.Status.OPEN
    assert case.location.status == Location.Status.CLOSING
    assert case.location.closing_from == D(2018, 10, 1)


def test_closing_a_closure_case_closes_the_home_with_everyone_moved(by):
    case = _open(by)

    closed = market.failure_case_close(by=by, case=case, ended_on=D(2018, 10, 5), service_users_moved=23)

    location = Location.objects.get(pk=case.location_id)
    assert closed.status == ProviderFailureCase.Status.CLOSED
    assert closed.service_users_moved == 23
    assert location.status == Location.Status.CLOSED
    assert location.closed_on == D(2018, 10, 5)


@pytest.mark.parametrize(
    ("kind", "status"),
    [(Kind.EXIT, Provider.Status.EXITED), (Kind.ADMINISTRATION, Provider.Status.IN_ADMINISTRATION)],
)
def test_closing_an_exit_or_administration_case_records_the_providers_exit(by, kind, status):
    provider = ProviderFactory()
    case = _open(by, provider=provider, kind=kind, location=None)

    market.failure_case_close(by=by, case=case, ended_on=D(2018, 12, 14))

    provider.refresh_from_db()
    assert provider.exited_on == D(2018, 12, 14)
    assert provider.status == status


def test_an_exit_already_recorded_is_left_as_it_was(by):
    provider = ProviderFactory(exited_on=D(2018, 6, 30), status=Provider.Status.EXITED)
    case = _open(by, provider=provider, kind=Kind.EXIT, location=None)

    market.failure_case_close(by=by, case=case, ended_on=D(2018, 12, 14))

    provider.refresh_from_db()
    assert provider.exited_on == D(2018, 6, 30)


def test_a_handback_changes_neither_the_provider_nor_its_homes(by):
    provider = ProviderFactory()
    home = LocationFactory(provider=provider)
    case = _open(by, provider=provider, kind=Kind.HANDBACK, location=home)

    market.failure_case_close(by=by, case=case, ended_on=D(2018, 12, 1))

    provider.refresh_from_db()
    home.refresh_from_db()
    assert provider.exited_on is None
    assert home.status == Location.Status.OPEN


def test_a_novation_records_the_provider_it_went_to(by):
    libertas = ProviderFactory(name="Alderson Libertas Ltd")
    case = _open(
        by,
        kind=Kind.ADMINISTRATION,
        location=None,
        novation=True,
        novated_to=libertas,
        service_users_affected=270,
        service_users_moved=270,
        staff_transferred=230,
    )

    assert case.novated_to == libertas
    assert (case.service_users_moved, case.staff_transferred) == (270, 230)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service_users_moved": 24}, "service_users_moved"),
        ({"service_users_affected": -1}, "service_users_affected"),
        ({"staff_transferred": -3}, "staff_transferred"),
        ({"location": None}, "location"),
        ({"summary": "  "}, "summary"),
        ({"novation": True}, "novated_to"),
        ({"novated_to": "other"}, "novated_to"),
        ({"announced_on": "future"}, "announced_on"),
        ({"kind": "bankrupt"}, "kind"),
    ],
)
def test_a_case_is_refused_naming_the_field(by, overrides, field):
    if overrides.get("novated_to") == "other":
        overrides["novated_to"] = ProviderFactory()
    if overrides.get("announced_on") == "future":
        overrides["announced_on"] = timezone.localdate() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        _open(by, **overrides)

    assert field in refused.value.message_dict
    assert not ProviderFailureCase.objects.exists()


def test_a_case_names_only_the_providers_own_home_and_contracts(by):
    provider = ProviderFactory()
    with pytest.raises(ValidationError) as refused:
        _open(by, provider=provider, location=LocationFactory(), contract=ContractFactory())

    assert set(refused.value.message_dict) >= {"location", "contract"}


def test_a_contract_is_not_novated_to_the_provider_that_failed(by):
    provider = ProviderFactory()
    with pytest.raises(ValidationError) as refused:
        _open(by, provider=provider, kind=Kind.EXIT, location=None, novation=True, novated_to=provider)

    assert "novated_to" in refused.value.message_dict


def test_a_case_does_not_close_before_it_was_announced(by):
    case = _open(by)

    with pytest.raises(ValidationError) as refused:
        market.failure_case_close(by=by, case=case, ended_on=D(2018, 9, 1))

    assert "ended_on" in refused.value.message_dict
    case.refresh_from_db()
    assert case.status == ProviderFailureCase.Status.OPEN


def test_a_closed_case_takes_only_lessons_learnt_and_is_not_closed_twice(by):
    case = _open(by, service_users_moved=23)
    market.failure_case_close(by=by, case=case, ended_on=D(2018, 10, 5))

    market.failure_case_update(by=by, case=case, lessons="Agree a communication plan with staff on day one.")
    with pytest.raises(TransitionNotAllowed):
        market.failure_case_update(by=by, case=case, service_users_affected=30)
    with pytest.raises(TransitionNotAllowed):
        market.failure_case_close(by=by, case=case, ended_on=D(2018, 10, 6))

    case.refresh_from_db()
    assert case.lessons.startswith("Agree a communication plan")
    assert case.service_users_affected == 23


def test_an_open_case_is_updated_as_the_moves_happen(by):
    case = _open(by)

    market.failure_case_update(by=by, case=case, service_users_moved=12)

    case.refresh_from_db()
    assert case.service_users_moved == 12
    with pytest.raises(ValidationError) as refused:
        market.failure_case_update(by=by, case=case, service_users_moved=40)
    assert "service_users_moved" in refused.value.message_dict


@pytest.mark.parametrize("role_user", ["commissioner", "scrutiny_member"])
def test_only_contract_officers_and_administrators_open_cases(request, role_user):
    with pytest.raises(PermissionDenied):
        _open(request.getfixturevalue(role_user))


# --- Market indicators ----------------------------------------------------------------------------------------


def _reading(by, provider, **overrides):
    values = {"kind": MarketIndicator.Kind.FINANCIAL_VIABILITY, "level": Rag.AMBER, "recorded_on": D(2026, 1, 5)}
    values.update(overrides)
    return market.market_indicator_record(by=by, provider=provider, **values)


def test_the_latest_reading_of_each_kind_is_the_current_one(by):
    provider = ProviderFactory()
    _reading(by, provider, level=Rag.GREEN, recorded_on=D(2025, 6, 1))
    latest = _reading(by, provider, level=Rag.AMBER, recorded_on=D(2025, 12, 1))
    _reading(by, provider, level=Rag.RED, recorded_on=D(2025, 9, 1), note="Late paying staff.")
    workforce = _reading(by, provider, kind=MarketIndicator.Kind.WORKFORCE, level=Rag.GREEN)

    current = set(market.market_indicators(user=by, current=True))

    assert current == {latest, workforce}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"level": Rag.RED, "note": ""}, "note"),
        ({"level": "purple"}, "level"),
        ({"kind": "weather"}, "kind"),
        ({"recorded_on": "future"}, "recorded_on"),
        ({"contract": "other"}, "contract"),
    ],
)
def test_a_reading_is_refused_naming_the_field(by, overrides, field):
    if overrides.get("recorded_on") == "future":
        overrides["recorded_on"] = timezone.localdate() + datetime.timedelta(days=1)
    if overrides.get("contract") == "other":
        overrides["contract"] = ContractFactory()
    with pytest.raises(ValidationError) as refused:
        _reading(by, ProviderFactory(), **overrides)

    assert field in refused.value.message_dict
    assert not MarketIndicator.objects.exists()


def test_a_reading_may_name_a_contract_the_provider_holds(by):
    contract = ContractFactory()

    reading = _reading(by, contract.lead_provider, contract=contract, service_area="Home based reablement")

    assert reading.contract == contract


def test_a_commissioner_does_not_record_readings(commissioner):
    with pytest.raises(PermissionDenied):
        _reading(commissioner, ProviderFactory())


def test_a_provider_is_hard_to_replace_while_its_current_reading_is_red_or_amber(by):
    red, amber, green, later_green = ProviderFactory.create_batch(4)
    HardToReplaceIndicatorFactory(provider=red)
    HardToReplaceIndicatorFactory(provider=amber, level=Rag.AMBER)
    HardToReplaceIndicatorFactory(provider=green, level=Rag.GREEN)
    HardToReplaceIndicatorFactory(provider=later_green, recorded_on=D(2025, 1, 1))
    HardToReplaceIndicatorFactory(provider=later_green, level=Rag.GREEN, recorded_on=D(2025, 6, 1))
    MarketIndicatorFactory(provider=green, level=Rag.RED, kind=MarketIndicator.Kind.WORKFORCE)

    assert set(market.hard_to_replace_providers(user=by)) == {red, amber}
    assert market.is_hard_to_replace(red)
    assert not market.is_hard_to_replace(later_green)


def test_a_provider_that_left_the_market_is_no_longer_listed_hard_to_replace(by):
    gone = ProviderFactory(exited_on=D(2019, 1, 31), status=Provider.Status.EXITED)
    HardToReplaceIndicatorFactory(provider=gone)

    assert not market.hard_to_replace_providers(user=by).exists()


def test_councillors_see_no_market_records(scrutiny_member):
    HardToReplaceIndicatorFactory()
    FailureCaseFactory()

    assert not market.market_indicators(user=scrutiny_member).exists()
    assert not market.failure_cases(user=scrutiny_member).exists()


def test_the_overview_shows_hard_to_replace_red_readings_open_cases_and_homes_closing(by):
    hard = ProviderFactory()
    HardToReplaceIndicatorFactory(provider=hard)
    red = MarketIndicatorFactory(level=Rag.RED, note="Occupancy below 70%.")
    MarketIndicatorFactory(level=Rag.GREEN)
    open_case = ClosureCaseFactory()
    FailureCaseFactory(status=ProviderFailureCase.Status.CLOSED, ended_on=D(2018, 12, 1))
    closing = LocationFactory(status=Location.Status.CLOSING, closing_from=D(2026, 1, 2))
    LocationFactory(status=Location.Status.CLOSED, closed_on=timezone.localdate() - datetime.timedelta(days=30))

    overview = market.market_overview(user=by)

    assert overview.hard_to_replace == [hard]
    assert {i.kind for i in overview.hard_to_replace[0].current_indicators} == {MarketIndicator.Kind.HARD_TO_REPLACE}
    assert red in overview.red_indicators
    assert all(i.level == Rag.RED for i in overview.red_indicators)
    assert overview.open_cases == [open_case]
    assert overview.closing_locations == [closing]
    assert overview.closed_this_year == 1


def test_a_novated_contract_is_named_on_the_failed_providers_case(by):
    allied, libertas = ProviderFactory(), ProviderFactory()
    contract = ContractFactory(lead_provider=libertas)  # the register shows the new provider once novated

    case = _open(
        by,
        provider=allied,
        kind=Kind.ADMINISTRATION,
        location=None,
        contract=contract,
        novation=True,
        novated_to=libertas,
    )

    assert case.contract == contract
    with pytest.raises(ValidationError) as refused:
        _open(by, provider=allied, kind=Kind.ADMINISTRATION, location=None, contract=contract)
    assert "contract" in refused.value.message_dict


def test_no_reading_is_recorded_after_the_provider_left_the_market(by):
    gone = ProviderFactory(exited_on=D(2019, 1, 31), status=Provider.Status.EXITED)

    with pytest.raises(ValidationError) as refused:
        _reading(by, gone, recorded_on=D(2019, 2, 1))

    assert "recorded_on" in refused.value.message_dict
    assert _reading(by, gone, recorded_on=D(2019, 1, 10)).provider == gone


def test_opening_a_case_tells_the_contract_managers_with_a_link_only(by):
    manager, backup = officer("manager-1"), officer("backup-1")
    provider = ProviderFactory()
    ContractFactory(lead_provider=provider, status="live", contract_manager=manager, backup_manager=backup)
    ContractFactory(lead_provider=provider, status="expired", contract_manager=officer("old-manager"))

    case = _open(by, provider=provider)

    sent = Notification.objects.all()
    assert {n.recipient for n in sent} == {manager, backup}
    assert {n.link for n in sent} == {case.get_absolute_url()}
    assert provider.name not in sent[0].subject
