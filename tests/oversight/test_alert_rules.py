"""Users' own contract alerts: on a contract or a saved register search, with their own lead time and date; each
fires once per contract and date, to its user alone, and is theirs alone to see and delete."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from commissioning import roles
from commissioning.models import Notification
from contracts.models import Contract
from oversight import alerts
from oversight.models import ContractAlert, ContractAlertRule
from tests.factories import ContractAlertRuleFactory, ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


def _user(username: str, role: str = roles.CONTRACT_OFFICER):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def officer():
    return _user("rule-officer")


def _live(**kwargs) -> Contract:
    kwargs.setdefault("start_date", date(2024, 4, 1))
    kwargs.setdefault("end_date", date(2027, 3, 31))
    kwargs.setdefault("contract_manager", _user(f"mgr{Contract.objects.count()}"))
    return ContractFactory(status=Contract.Status.LIVE, **kwargs)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_own_alert_on_a_contract_fires_once_at_its_lead_time_to_its_user_only(officer):
    contract = _live(end_date=TODAY + timedelta(days=60))
    rule = alerts.alert_rule_create(user=officer, contract=contract, date_kind="end_date", lead_days=60)

    alerts.contract_alerts_sweep(today=TODAY - timedelta(days=1))
    assert not ContractAlert.objects.filter(rule=rule).exists()
    alerts.contract_alerts_sweep(today=TODAY)
    alerts.contract_alerts_sweep(today=TODAY + timedelta(days=1))

    alert = ContractAlert.objects.get(rule=rule)
    assert not alert.statutory
    assert list(alert.recipients.all()) == [officer]
    assert alert.key == f"rule:{rule.pk}:{contract.pk}:end_date:{contract.end_date}"
    assert list(Notification.objects.filter(recipient=officer).values_list("subject", flat=True)) == [
        "Your own alert: a contract ends in 60 days"
    ]
    assert not Notification.objects.filter(recipient=contract.contract_manager, kind="oversight.contract_alert_own")


@pytest.mark.parametrize("date_kind", ["end_date", "notice_date", "review_date", "maximum_end_date"])
def test_own_alert_on_each_date_kind(officer, date_kind):
    end = TODAY + timedelta(days=400)
    contract = _live(end_date=end, notice_period_months=3, review_date=TODAY + timedelta(days=10), extension_months=[6])
    day = alerts.contract_dates(contract)[date_kind]
    assert day is not None
    alerts.alert_rule_create(user=officer, contract=contract, date_kind=date_kind, lead_days=14)

    alerts.contract_alerts_sweep(today=day - timedelta(days=14))

    assert ContractAlert.objects.filter(rule__user=officer, kind=date_kind, due_on=day).count() == 1


def test_a_changed_date_fires_the_own_alert_again(officer):
    contract = _live(end_date=TODAY + timedelta(days=30))
    alerts.alert_rule_create(user=officer, contract=contract, date_kind="end_date", lead_days=30)
    alerts.contract_alerts_sweep(today=TODAY)
    contract.end_date = TODAY + timedelta(days=395)
    contract.save()

    alerts.contract_alerts_sweep(today=TODAY + timedelta(days=365))

    assert ContractAlert.objects.filter(rule__user=officer).count() == 2


def test_own_alert_on_a_saved_search_watches_each_contract_it_finds(officer):
    residential = [_live(category=Contract.Category.RESIDENTIAL, end_date=TODAY + timedelta(days=d)) for d in (20, 90)]
    _live(category=Contract.Category.COMMUNITY, end_date=TODAY + timedelta(days=20))
    rule = alerts.alert_rule_create(
        user=officer,
        saved_search="http://testserver/contracts/?category=residential&status=live&page=3",
        date_kind="end_date",
        lead_days=100,
    )
    assert rule.saved_search == "category=residential&status=live"

    alerts.contract_alerts_sweep(today=TODAY)
    alerts.contract_alerts_sweep(today=TODAY)

    assert set(ContractAlert.objects.filter(rule=rule).values_list("contract", flat=True)) == {
        c.pk for c in residential
    }
    # A contract added later that the search finds is watched too.
    later = _live(category=Contract.Category.RESIDENTIAL, end_date=TODAY + timedelta(days=50))
    alerts.contract_alerts_sweep(today=TODAY + timedelta(days=1))
    assert ContractAlert.objects.filter(rule=rule, contract=later).count() == 1


def test_a_saved_search_of_my_contracts_reads_as_the_rule_user_sees_it(officer):
    mine = _live(contract_manager=officer, end_date=TODAY + timedelta(days=10))
    _live(end_date=TODAY + timedelta(days=10))
    rule = alerts.alert_rule_create(user=officer, saved_search="mine=on", date_kind="end_date", lead_days=30)

    alerts.contract_alerts_sweep(today=TODAY)

    assert list(ContractAlert.objects.filter(rule=rule).values_list("contract", flat=True)) == [mine.pk]


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("", "Choose a contract, or enter a register search"),
        ("colour=blue", "The register has no filter called colour."),
        ("category=spaceships", "The register cannot use this search (Category:"),
        ("end_after=31/02/2026", "The register cannot use this search (Ending on or after:"),
    ],
)
def test_a_search_the_register_cannot_read_is_refused_on_its_field(officer, search, message):
    with pytest.raises(ValidationError) as refused:
        alerts.alert_rule_create(user=officer, saved_search=search, date_kind="end_date", lead_days=30)

    assert any(message in m for messages in refused.value.message_dict.values() for m in messages)
    assert not ContractAlertRule.objects.exists()


def test_a_contract_and_a_search_together_are_refused(officer):
    with pytest.raises(ValidationError) as refused:
        alerts.alert_rule_create(
            user=officer, contract=_live(), saved_search="category=residential", date_kind="end_date", lead_days=30
        )

    assert "saved_search" in refused.value.message_dict


def test_lead_days_out_of_range_are_refused(officer):
    with pytest.raises(ValidationError) as refused:
        alerts.alert_rule_create(user=officer, contract=_live(), date_kind="end_date", lead_days=5000)

    assert refused.value.message_dict["lead_days"] == ["Enter a number of days from 0 to 730"]


def test_councillors_may_not_set_alerts():
    with pytest.raises(PermissionDenied):
        alerts.alert_rule_create(
            user=_user("cllr", roles.SCRUTINY_MEMBER), contract=_live(), date_kind="end_date", lead_days=30
        )


def test_an_alert_rule_is_deleted_only_by_its_user(officer):
    rule = ContractAlertRuleFactory(user=officer)

    with pytest.raises(PermissionDenied):
        alerts.alert_rule_delete(rule=rule, by=_user("someone-else"))
    alerts.alert_rule_delete(rule=rule, by=officer)

    assert not ContractAlertRule.objects.exists()


def test_own_alerts_are_seen_by_their_user_and_administrators_only(officer):
    rule = ContractAlertRuleFactory(user=officer, contract=_live(end_date=TODAY + timedelta(days=60)))
    alerts.contract_alerts_sweep(today=TODAY)
    alert = ContractAlert.objects.get(rule=rule)
    admin = _user("admin-x", roles.ADMINISTRATOR)

    assert alert in alerts.contract_alerts(user=officer)
    assert alert in alerts.contract_alerts(user=admin)
    assert alert not in alerts.contract_alerts(user=_user("another"))
    assert alert in alerts.open_alerts_for(user=officer)
    with pytest.raises(PermissionDenied):
        alerts.alert_acknowledge(alert=alert, by=rule.contract.contract_manager)
    alerts.alert_acknowledge(alert=alert, by=officer)


# --- Pages ------------------------------------------------------------------------------------------------------


def test_adding_an_own_alert_from_a_contract_page(officer):
    contract = _live()
    client = _client(officer)

    form = client.get(reverse("oversight:alert_rule_add") + f"?contract={contract.pk}")
    response = client.post(
        reverse("oversight:alert_rule_add"), {"contract": contract.pk, "date_kind": "end_date", "lead_days": "60"}
    )

    assert form.status_code == 200
    assert f'<option value="{contract.pk}" selected>' in form.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("oversight:alerts")
    rule = ContractAlertRule.objects.get()
    assert (rule.user, rule.contract, rule.lead_days) == (officer, contract, 60)


def test_the_add_alert_form_shows_errors_on_its_fields(officer):
    response = _client(officer).post(
        reverse("oversight:alert_rule_add"), {"saved_search": "colour=blue", "date_kind": "end_date", "lead_days": "x"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter how many days before as a whole number, like 60" in page
    assert not ContractAlertRule.objects.exists()

    response = _client(officer).post(
        reverse("oversight:alert_rule_add"), {"saved_search": "colour=blue", "date_kind": "end_date", "lead_days": "5"}
    )
    assert "The register has no filter called colour." in response.content.decode()


def test_my_alerts_lists_my_rules_and_deletes_them(officer):
    mine = ContractAlertRuleFactory(user=officer, name="Residential ending")
    theirs = ContractAlertRuleFactory(user=_user("them"), name="Someone else's")
    client = _client(officer)

    page = client.get(reverse("oversight:alerts")).content.decode()
    assert "Residential ending" in page
    assert "Someone else" not in page
    assert client.post(reverse("oversight:alert_rule_delete", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("oversight:alert_rule_delete", args=[mine.pk])).status_code == 302
    assert list(ContractAlertRule.objects.all()) == [theirs]


# --- API --------------------------------------------------------------------------------------------------------


def test_api_rules_are_the_users_own(officer):
    contract = _live()
    ContractAlertRuleFactory(user=_user("them"))
    client = _client(officer)

    created = client.post(
        "/api/v1/contract-alert-rules/",
        {"contract": contract.pk, "date_kind": "notice_date", "lead_days": 45},
        content_type="application/json",
    )
    listed = client.get("/api/v1/contract-alert-rules/")

    assert created.status_code == 201, created.json()
    assert [row["id"] for row in listed.json()["results"]] == [created.json()["id"]]
    assert client.delete(f"/api/v1/contract-alert-rules/{created.json()['id']}/").status_code == 204
    assert not ContractAlertRule.objects.filter(user=officer).exists()


def test_api_refuses_a_bad_search_with_the_field_error_the_page_gives(officer):
    response = _client(officer).post(
        "/api/v1/contract-alert-rules/",
        {"saved_search": "colour=blue", "date_kind": "end_date", "lead_days": 10},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"saved_search": ["The register has no filter called colour."]}


def test_api_rules_refuse_councillors():
    client = _client(_user("cllr", roles.SCRUTINY_MEMBER))

    assert client.get("/api/v1/contract-alert-rules/").status_code == 403
