"""Statutory and end-date contract alerts: each lead time once, to the manager and backup, the no-manager fallback,
escalation once after the set days and never once acknowledged, who may acknowledge, the pages and the API."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning import roles
from commissioning.models import Notification
from contracts.models import Contract
from oversight import alerts
from oversight.models import ContractAlert
from oversight.tasks import sweep_contract_alerts
from tests.factories import ContractAlertFactory, ContractFactory, StrategyFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


def _officer(username: str, **kwargs):
    user = UserFactory(username=username, **kwargs)
    user.groups.add(Group.objects.get(name=roles.CONTRACT_OFFICER))
    return user


def _admin(username: str = "admin1"):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user


@pytest.fixture
def manager():
    return _officer("manager")


@pytest.fixture
def backup():
    return _officer("backup")


def _live(manager=None, backup=None, **kwargs) -> Contract:
    kwargs.setdefault("start_date", date(2024, 4, 1))
    kwargs.setdefault("end_date", date(2027, 3, 31))
    return ContractFactory(status=Contract.Status.LIVE, contract_manager=manager, backup_manager=backup, **kwargs)


def _kinds(contract) -> list[tuple[str, date]]:
    return sorted((a.kind, a.due_on) for a in ContractAlert.objects.filter(contract=contract))


def _subjects(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("subject", flat=True))


# --- Lead times of each date kind --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_before", "fires"),
    [(181, False), (180, True), (91, False), (90, True), (31, False), (30, True), (1, False), (0, False)],
)
def test_end_date_alert_goes_180_90_and_30_days_before(manager, days_before, fires):
    end = date(2026, 12, 31)
    contract = _live(manager, end_date=end)
    # Each earlier threshold already raised, so only the one reached on the day can be new.
    for lead in (180, 90, 30):
        if end - timedelta(days=lead) < end - timedelta(days=days_before):
            ContractAlertFactory(contract=contract, key=f"end_date:{contract.pk}:{end}:{lead}")
    before = ContractAlert.objects.count()

    alerts.contract_alerts_sweep(today=end - timedelta(days=days_before))

    new = ContractAlert.objects.filter(kind="end_date").count() - before
    assert new == (1 if fires else 0)


def test_end_date_alert_tells_manager_and_backup_with_a_generic_subject_and_a_link(manager, backup):
    contract = _live(manager, backup, end_date=TODAY + timedelta(days=90))

    alerts.contract_alerts_sweep(today=TODAY)

    alert = ContractAlert.objects.get(contract=contract, kind="end_date")
    assert alert.statutory
    assert alert.rule is None
    assert set(alert.recipients.all()) == {manager, backup}
    for user in (manager, backup):
        notification = Notification.objects.get(recipient=user)
        assert notification.subject == "A contract you manage ends in 90 days"
        assert contract.reference not in notification.subject
        assert contract.title not in notification.subject
        assert notification.link == f"/oversight/contracts/{contract.pk}/alerts/"


def test_a_sweep_that_missed_days_sends_only_the_latest_threshold_passed(manager):
    contract = _live(manager, end_date=TODAY + timedelta(days=20))

    alerts.contract_alerts_sweep(today=TODAY)

    assert _kinds(contract) == [("end_date", TODAY + timedelta(days=20))]
    assert ContractAlert.objects.get(contract=contract).key.endswith(":30")
    assert _subjects(manager) == ["A contract you manage ends in 20 days"]


def test_alerts_are_sent_once_however_often_the_sweep_runs(manager, backup):
    _live(manager, backup, end_date=TODAY + timedelta(days=30), review_date=TODAY + timedelta(days=10))

    first = alerts.contract_alerts_sweep(today=TODAY)
    again = alerts.contract_alerts_sweep(today=TODAY)
    next_day = alerts.contract_alerts_sweep(today=TODAY + timedelta(days=1))

    assert first == 2
    assert again == 0
    assert next_day == 0
    assert Notification.objects.filter(recipient=manager).count() == 2


def test_notice_date_is_the_end_less_the_notice_period_alerted_30_days_before_and_on_the_day(manager):
    end = date(2026, 12, 31)
    contract = _live(manager, end_date=end, notice_period_months=6)
    notice = end - relativedelta(months=6)
    assert notice == date(2026, 6, 30)

    alerts.contract_alerts_sweep(today=notice - timedelta(days=31))
    assert not ContractAlert.objects.filter(kind="notice_date").exists()
    alerts.contract_alerts_sweep(today=notice - timedelta(days=30))
    alerts.contract_alerts_sweep(today=notice - timedelta(days=1))
    alerts.contract_alerts_sweep(today=notice)

    keys = sorted(ContractAlert.objects.filter(contract=contract, kind="notice_date").values_list("key", flat=True))
    assert keys == [f"notice_date:{contract.pk}:{notice}:0", f"notice_date:{contract.pk}:{notice}:30"]
    assert "A contract you manage reaches its notice date today" in _subjects(manager)


def test_no_notice_date_alert_without_a_notice_period(manager):
    _live(manager, end_date=date(2026, 12, 31), notice_period_months=None)

    alerts.contract_alerts_sweep(today=date(2026, 6, 30))

    assert not ContractAlert.objects.filter(kind="notice_date").exists()


def test_review_date_alert_30_days_before(manager):
    review = TODAY + timedelta(days=30)
    contract = _live(manager, review_date=review)

    alerts.contract_alerts_sweep(today=TODAY - timedelta(days=1))
    assert not ContractAlert.objects.filter(kind="review_date").exists()
    alerts.contract_alerts_sweep(today=TODAY)

    assert ("review_date", review) in _kinds(contract)


def test_latest_possible_end_alerted_365_and_180_days_before_when_an_extension_is_left(manager):
    contract = _live(manager, end_date=date(2027, 3, 31), extension_months=[12])
    latest = date(2028, 3, 31)
    assert contract.maximum_end_date == latest

    alerts.contract_alerts_sweep(today=latest - timedelta(days=366))
    assert not ContractAlert.objects.filter(kind="maximum_end_date").exists()
    alerts.contract_alerts_sweep(today=latest - timedelta(days=365))
    alerts.contract_alerts_sweep(today=latest - timedelta(days=180))

    assert ContractAlert.objects.filter(contract=contract, kind="maximum_end_date").count() == 2


def test_no_latest_possible_end_alert_when_no_extension_is_left(manager):
    _live(manager, end_date=TODAY + timedelta(days=180), extension_months=[])

    alerts.contract_alerts_sweep(today=TODAY)

    assert not ContractAlert.objects.filter(kind="maximum_end_date").exists()
    assert ContractAlert.objects.filter(kind="end_date").count() == 1


def test_running_past_its_end_alerts_once_then_each_month(manager):
    contract = _live(manager, start_date=date(2015, 4, 1), end_date=date(2018, 3, 31))

    alerts.contract_alerts_sweep(today=TODAY)
    alerts.contract_alerts_sweep(today=TODAY + timedelta(days=10))
    assert ContractAlert.objects.filter(contract=contract, kind="past_end").count() == 1
    alerts.contract_alerts_sweep(today=TODAY + relativedelta(months=1))

    assert ContractAlert.objects.filter(contract=contract, kind="past_end").count() == 2
    assert _subjects(manager) == ["A contract you manage is running past its end date"] * 2


def test_only_live_contracts_are_alerted(manager):
    for status in (Contract.Status.EXPIRED, Contract.Status.TERMINATED, Contract.Status.PIPELINE):
        ContractFactory(status=status, contract_manager=manager, end_date=TODAY + timedelta(days=30))

    assert alerts.contract_alerts_sweep(today=TODAY) == 0


def test_lead_times_come_from_the_settings(manager, settings):
    settings.CONTRACT_ALERT_LEAD_DAYS = {"end_date": [45]}
    contract = _live(manager, end_date=TODAY + timedelta(days=45))

    alerts.contract_alerts_sweep(today=TODAY)

    assert ContractAlert.objects.get(contract=contract).key.endswith(":45")


@pytest.mark.parametrize("setting", [{}, {"end_date": []}, {"end_date": [-1]}])
def test_statutory_alerts_cannot_be_switched_off_by_a_setting(manager, settings, setting):
    """A setting changes the lead times; one that names none (or none usable) keeps the defaults."""
    settings.CONTRACT_ALERT_LEAD_DAYS = setting
    contract = _live(manager, end_date=TODAY + timedelta(days=30))

    assert alerts.contract_alerts_sweep(today=TODAY) == 1
    assert ContractAlert.objects.get(contract=contract).key.endswith(":30")


# --- No manager -------------------------------------------------------------------------------------------------


def test_a_contract_with_no_manager_goes_to_its_strategy_lead_with_a_no_manager_alert():
    lead = _officer("lead")
    contract = _live(strategy=StrategyFactory(commissioning_lead=lead), end_date=TODAY + timedelta(days=90))

    alerts.contract_alerts_sweep(today=TODAY)

    assert _kinds(contract) == [("end_date", TODAY + timedelta(days=90)), ("no_manager", TODAY)]
    assert sorted(_subjects(lead)) == [
        "A contract with no contract manager ends in 90 days",
        "A live contract has no contract manager or backup: please name one",
    ]


def test_a_contract_with_no_manager_and_no_strategy_lead_goes_to_the_administrators():
    admin = _admin()
    contract = _live(end_date=TODAY + timedelta(days=30))

    alerts.contract_alerts_sweep(today=TODAY)

    end_alert = ContractAlert.objects.get(contract=contract, kind="end_date")
    assert list(end_alert.recipients.all()) == [admin]
    assert len(_subjects(admin)) == 2


def test_the_no_manager_alert_repeats_monthly_not_daily():
    _admin()
    contract = _live()

    alerts.contract_alerts_sweep(today=TODAY)
    alerts.contract_alerts_sweep(today=TODAY + timedelta(days=1))
    alerts.contract_alerts_sweep(today=TODAY + relativedelta(months=1))

    assert ContractAlert.objects.filter(contract=contract, kind="no_manager").count() == 2


def test_a_backup_alone_is_enough(backup):
    contract = _live(backup=backup, end_date=TODAY + timedelta(days=30))

    alerts.contract_alerts_sweep(today=TODAY)

    assert _kinds(contract) == [("end_date", TODAY + timedelta(days=30))]
    assert _subjects(backup) == ["A contract you manage ends in 30 days"]


# --- Escalation -------------------------------------------------------------------------------------------------


def _raised_days_ago(days: int, **kwargs) -> ContractAlert:
    alert = ContractAlertFactory(**kwargs)
    ContractAlert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - timedelta(days=days))
    alert.refresh_from_db()
    return alert


def test_unacknowledged_alert_escalates_once_to_the_strategy_lead_after_five_days(manager):
    lead = UserFactory(username="lead")
    contract = _live(manager, strategy=StrategyFactory(commissioning_lead=lead))
    alert = _raised_days_ago(5, contract=contract)
    alert.recipients.set([manager])
    today = timezone.localdate()

    assert alerts.escalate_overdue(today=today) == 1
    assert alerts.escalate_overdue(today=today) == 0
    alerts.contract_alerts_sweep(today=today + timedelta(days=1))

    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert alert.escalated_to == lead
    assert _subjects(lead) == ["A contract alert has not been acknowledged in 5 days: please follow it up"]


def test_alert_is_not_escalated_before_the_set_days(manager):
    contract = _live(manager, strategy=StrategyFactory(commissioning_lead=UserFactory()))
    _raised_days_ago(4, contract=contract)

    assert alerts.escalate_overdue(today=timezone.localdate()) == 0


def test_escalation_days_come_from_the_settings(manager, settings):
    settings.ALERT_ESCALATION_DAYS = 2
    contract = _live(manager, strategy=StrategyFactory(commissioning_lead=UserFactory()))
    _raised_days_ago(2, contract=contract)

    assert alerts.escalate_overdue(today=timezone.localdate()) == 1


def test_acknowledged_alert_never_escalates(manager):
    contract = _live(manager, strategy=StrategyFactory(commissioning_lead=UserFactory()))
    alert = _raised_days_ago(30, contract=contract)
    alerts.alert_acknowledge(alert=alert, by=manager)

    assert alerts.escalate_overdue(today=timezone.localdate()) == 0
    alert.refresh_from_db()
    assert alert.escalated_at is None


def test_own_alerts_never_escalate(manager):
    from tests.factories import ContractAlertRuleFactory

    contract = _live(manager, strategy=StrategyFactory(commissioning_lead=UserFactory()))
    rule = ContractAlertRuleFactory(user=manager, contract=contract)
    _raised_days_ago(30, contract=contract, statutory=False, rule=rule)

    assert alerts.escalate_overdue(today=timezone.localdate()) == 0


def test_escalation_goes_to_the_administrators_without_a_strategy_lead(manager):
    admin = _admin()
    contract = _live(manager)
    alert = _raised_days_ago(6, contract=contract)

    alerts.escalate_overdue(today=timezone.localdate())

    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert alert.escalated_to is None
    assert len(_subjects(admin)) == 1


def test_escalation_skips_a_lead_who_was_told_already(manager):
    admin = _admin()
    contract = _live(manager, strategy=StrategyFactory(commissioning_lead=manager))
    alert = _raised_days_ago(6, contract=contract)
    alert.recipients.set([manager])

    alerts.escalate_overdue(today=timezone.localdate())

    assert _subjects(manager) == []
    assert len(_subjects(admin)) == 1


def test_the_celery_task_runs_the_sweep(manager):
    _live(manager, end_date=timezone.localdate() + timedelta(days=30))

    assert sweep_contract_alerts() == 1
    assert sweep_contract_alerts() == 0


def test_the_sweep_is_on_the_beat_at_quarter_past_six(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["oversight-contract-alerts"]
    assert entry["task"] == "oversight.tasks.sweep_contract_alerts"
    assert entry["schedule"].hour == {6}
    assert entry["schedule"].minute == {15}


# --- Acknowledging ----------------------------------------------------------------------------------------------


def test_manager_backup_and_administrator_may_acknowledge_and_others_may_not(manager, backup):
    other_officer = _officer("other")
    commissioner = UserFactory(username="comm")
    commissioner.groups.add(Group.objects.get(name=roles.COMMISSIONER))
    councillor = UserFactory(username="cllr")
    councillor.groups.add(Group.objects.get(name=roles.SCRUTINY_MEMBER))
    contract = _live(manager, backup)
    expected = {
        manager: True,
        backup: True,
        _admin(): True,
        other_officer: False,
        commissioner: False,
        councillor: False,
    }

    for user, allowed in expected.items():
        alert = ContractAlertFactory(contract=contract)
        if allowed:
            alerts.alert_acknowledge(alert=alert, by=user)
            alert.refresh_from_db()
            assert alert.acknowledged_by == user
        else:
            with pytest.raises(PermissionDenied):
                alerts.alert_acknowledge(alert=alert, by=user)


def test_an_alert_is_acknowledged_once(manager, backup):
    alert = ContractAlertFactory(contract=_live(manager, backup))
    alerts.alert_acknowledge(alert=alert, by=manager)

    with pytest.raises(alerts.AlertAlreadyAcknowledged):
        alerts.alert_acknowledge(alert=alert, by=backup)


def test_open_alerts_for_lists_only_mine_still_open(manager, backup):
    mine = ContractAlertFactory(contract=_live(manager))
    backing_up = ContractAlertFactory(contract=_live(backup=manager))
    ContractAlertFactory(contract=_live(backup))
    done = ContractAlertFactory(contract=_live(manager))
    alerts.alert_acknowledge(alert=done, by=manager)

    assert set(alerts.open_alerts_for(user=manager)) == {mine, backing_up}


# --- Pages ------------------------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_my_alerts_page_lists_open_alerts_with_acknowledge_buttons(manager, django_assert_max_num_queries):
    for _ in range(20):
        ContractAlertFactory(contract=_live(manager))
    client = _client(manager)
    client.get(reverse("oversight:alerts"))  # the session is saved once, outside the count

    with django_assert_max_num_queries(12):
        response = client.get(reverse("oversight:alerts"))

    assert response.status_code == 200
    assert response.content.decode().count("Acknowledge<span") == 20


def test_contract_alerts_page_runs_constant_queries(manager, django_assert_max_num_queries):
    contract = _live(manager)
    for _ in range(20):
        ContractAlertFactory(contract=contract).recipients.set([manager])
    client = _client(manager)
    client.get(reverse("oversight:alerts"))  # the session is saved once, outside the count

    with django_assert_max_num_queries(12):
        response = client.get(reverse("oversight:contract_alerts", args=[contract.pk]))

    assert response.status_code == 200
    assert response.content.decode().count("Acknowledge<span") == 20


def test_acknowledging_from_the_page_returns_to_the_contract_alerts(manager):
    alert = ContractAlertFactory(contract=_live(manager))

    response = _client(manager).post(reverse("oversight:alert_acknowledge", args=[alert.pk]), {"back": "contract"})

    assert response.status_code == 302
    assert response["Location"] == reverse("oversight:contract_alerts", args=[alert.contract_id])
    alert.refresh_from_db()
    assert alert.acknowledged_by == manager


def test_another_officer_is_refused_acknowledging_from_the_page(manager):
    alert = ContractAlertFactory(contract=_live(manager))

    response = _client(_officer("other")).post(reverse("oversight:alert_acknowledge", args=[alert.pk]))

    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_councillors_see_no_alert_pages(manager):
    councillor = UserFactory(username="cllr")
    councillor.groups.add(Group.objects.get(name=roles.SCRUTINY_MEMBER))
    contract = _live(manager)
    client = _client(councillor)

    assert client.get(reverse("oversight:alerts")).status_code == 403
    assert client.get(reverse("oversight:contract_alerts", args=[contract.pk])).status_code == 403


# --- API --------------------------------------------------------------------------------------------------------


def test_api_lists_alerts_and_acknowledges_once(manager):
    alert = ContractAlertFactory(contract=_live(manager))
    client = _client(manager)

    listed = client.get("/api/v1/contract-alerts/?acknowledged=false")
    done = client.post(f"/api/v1/contract-alerts/{alert.pk}/acknowledge/")
    again = client.post(f"/api/v1/contract-alerts/{alert.pk}/acknowledge/")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [alert.pk]
    assert done.status_code == 200
    assert done.json()["acknowledged"] is True
    assert again.status_code == 409
    assert client.get("/api/v1/contract-alerts/?acknowledged=false").json()["results"] == []


def test_api_refuses_acknowledging_someone_elses_alert(manager):
    alert = ContractAlertFactory(contract=_live(manager))

    response = _client(_officer("other")).post(f"/api/v1/contract-alerts/{alert.pk}/acknowledge/")

    assert response.status_code == 403
    assert "manager" in response.json()["detail"]


# --- Assessment and notice alerts, from oversight.performance and oversight.notices ---------------------------


def test_the_sweep_raises_the_assessment_and_notice_alerts_other_modules_name_once(manager, monkeypatch):
    from oversight import notices, performance

    contract = _live(manager)
    due = TODAY + timedelta(days=20)
    monkeypatch.setattr(
        performance,
        "assessment_alerts_due",
        lambda *, today: [(contract, "assessment_due", due, f"assessment_due:{contract.pk}:{due}")],
    )
    monkeypatch.setattr(
        notices, "notice_alerts_due", lambda *, today: [(contract, "notice_due", due, f"notice_due:x:{due}")]
    )

    alerts.contract_alerts_sweep(today=TODAY)
    alerts.contract_alerts_sweep(today=TODAY)

    assert _kinds(contract) == [("assessment_due", due), ("notice_due", due)]
    assert sorted(_subjects(manager)) == [
        "A contract you manage needs a contract performance notice",
        "A contract you manage needs a performance assessment",
    ]


def test_a_commissioner_told_as_strategy_lead_may_not_acknowledge_but_may_acknowledge_their_own_alerts():
    from tests.factories import ContractAlertRuleFactory

    commissioner = UserFactory(username="lead-comm")
    commissioner.groups.add(Group.objects.get(name=roles.COMMISSIONER))
    contract = _live(strategy=StrategyFactory(commissioning_lead=commissioner), end_date=TODAY + timedelta(days=30))
    alerts.contract_alerts_sweep(today=TODAY)
    told = ContractAlert.objects.get(contract=contract, kind="end_date")
    own = ContractAlertFactory(
        contract=contract, statutory=False, rule=ContractAlertRuleFactory(user=commissioner, contract=contract)
    )

    assert commissioner in told.recipients.all()
    with pytest.raises(PermissionDenied):
        alerts.alert_acknowledge(alert=told, by=commissioner)
    alerts.alert_acknowledge(alert=own, by=commissioner)
