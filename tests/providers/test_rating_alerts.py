"""CQC rating falls: the one drop rule, the alert raised once and told to the right contract
officers with no detail in the e-mail, acknowledgement, and the provider page and dashboard until then."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from commissioning import roles
from commissioning.models import Notification
from providers import services
from providers.models import CqcRatingAlert
from tests.factories import ContractFactory, CqcRatingFactory, DirectorateFactory, LocationFactory
from tests.providers.factories import CommissionerFactory, OfficerFactory

pytestmark = pytest.mark.django_db
d = datetime.date
TODAY = d(2019, 6, 1)
ALL_GOOD = {"overall": "good", "safe": "good", "effective": "good", "caring": "good", "responsive": "good",
            "well_led": "good"}  # fmt: skip


MARCH_2019 = d(2019, 3, 1)


def _record(location, published_on=MARCH_2019, *, by=None, **ratings):
    entry = services.RatingEntry(location=location, published_on=published_on, ratings={**ALL_GOOD, **ratings})
    return services.cqc_ratings_record(entries=[entry], by=by, today=TODAY)


# --- The drop rule ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["overall", "safe", "effective", "caring", "responsive", "well_led"])
def test_each_question_down_a_level_is_a_drop(question):
    fell = services.rating_drops_between(previous=ALL_GOOD, new={**ALL_GOOD, question: "requires_improvement"})
    assert fell == [{"question": question, "previous": "good", "new": "requires_improvement"}]


@pytest.mark.parametrize(
    ("previous", "new"),
    [
        ("good", "not_rated"),
        ("not_rated", "inadequate"),
        ("good", ""),
        ("", "inadequate"),
        ("requires_improvement", "good"),  # a rise
        ("good", "good"),
        ("good", "insufficient_evidence"),  # not a level
    ],
)
def test_not_rated_blank_or_a_rise_is_never_a_drop(previous, new):
    assert services.rating_drops_between(previous={"safe": previous}, new={"safe": new}) == []


def test_two_levels_down_and_several_questions_are_one_drop_each():
    fell = services.rating_drops_between(
        previous={**ALL_GOOD, "caring": "outstanding"}, new={**ALL_GOOD, "overall": "inadequate", "caring": "good"}
    )
    assert [(f["question"], f["previous"], f["new"]) for f in fell] == [
        ("overall", "good", "inadequate"),
        ("caring", "outstanding", "good"),
    ]


def test_the_baseline_is_the_previous_real_rating_not_a_not_rated_one():
    home = LocationFactory()
    CqcRatingFactory(location=home, published_on=d(2017, 1, 1), overall="good")
    CqcRatingFactory(location=home, published_on=d(2018, 1, 1), overall="not_rated", safe="not_rated")

    done = _record(home, overall="requires_improvement")

    assert [(drop.previous, drop.previous_on, drop.new) for drop in done.drops] == [
        ("good", d(2017, 1, 1), "requires_improvement")
    ]
    assert CqcRatingAlert.objects.get().previous_rating.published_on == d(2017, 1, 1)


def test_a_first_rating_raises_no_alert():
    _record(LocationFactory(), overall="inadequate")
    assert not CqcRatingAlert.objects.exists()


# --- The alert and who is told --------------------------------------------------------------------------------


def test_a_drop_creates_one_alert_told_to_the_live_contracts_managers(django_capture_on_commit_callbacks):
    home = LocationFactory(name="Meadows Edge", postcode="LN1 1AA")
    CqcRatingFactory(location=home, published_on=d(2017, 3, 1))
    manager, shared_manager, other = OfficerFactory(), OfficerFactory(), OfficerFactory()
    ContractFactory(lead_provider=home.provider, contract_manager=manager)
    shared = ContractFactory(contract_manager=shared_manager)
    shared.other_providers.add(home.provider)
    ContractFactory(contract_manager=other)  # another provider's contract
    ContractFactory(lead_provider=home.provider, contract_manager=other, status="expired")  # not live

    with django_capture_on_commit_callbacks(execute=True):
        done = _record(home, safe="inadequate", well_led="requires_improvement")

    alert = CqcRatingAlert.objects.get()
    assert alert.location == home
    assert alert.drops == [
        {"question": "safe", "previous": "good", "new": "inadequate"},
        {"question": "well_led", "previous": "good", "new": "requires_improvement"},
    ]
    assert done.drops[0].summary == "Safe: Good to Inadequate; Well-led: Good to Requires improvement"
    told = Notification.objects.filter(kind="providers.cqc_rating_fell")
    assert sorted(told.values_list("recipient", flat=True)) == sorted([manager.pk, shared_manager.pk])
    assert {n.link for n in told} == {f"/providers/{home.provider_id}/"}
    assert sorted(message.to[0] for message in mail.outbox) == sorted([manager.email, shared_manager.email])
    for message in mail.outbox:
        text = message.subject + message.body
        for detail in ("Meadows Edge", home.provider.name, "LN1 1AA", "Inadequate", manager.last_name + ","):
            assert detail not in text


def test_importing_the_same_rating_twice_raises_no_second_alert(django_capture_on_commit_callbacks):
    home = LocationFactory()
    CqcRatingFactory(location=home, published_on=d(2017, 3, 1))
    OfficerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _record(home, overall="inadequate")
        again = _record(home, overall="inadequate")
    assert again.unchanged == 1
    assert CqcRatingAlert.objects.count() == 1
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_fall_already_followed_by_a_later_rating_raises_no_alert():
    home = LocationFactory()
    CqcRatingFactory(location=home, published_on=d(2017, 3, 1))
    CqcRatingFactory(location=home, published_on=d(2019, 5, 1))
    _record(home, d(2018, 3, 1), overall="inadequate")  # history brought in late
    assert not CqcRatingAlert.objects.exists()


def test_without_live_contracts_the_directorates_officers_are_told_else_every_officer():
    directorate = DirectorateFactory()
    home = LocationFactory()
    CqcRatingFactory(location=home, published_on=d(2017, 3, 1))
    ContractFactory(lead_provider=home.provider, directorate=directorate, status="expired")
    theirs, elsewhere = OfficerFactory(directorate=directorate), OfficerFactory(directorate=DirectorateFactory())
    CommissionerFactory(directorate=directorate)  # not a contract officer

    assert services.alert_recipients(location=home) == [theirs]

    lonely = LocationFactory()
    assert set(services.alert_recipients(location=lonely)) == {theirs, elsewhere}


def test_an_inactive_manager_is_not_told():
    home = LocationFactory()
    gone = OfficerFactory(is_active=False)
    ContractFactory(lead_provider=home.provider, contract_manager=gone)
    active = OfficerFactory()
    assert services.alert_recipients(location=home) == [active]


# --- Acknowledgement --------------------------------------------------------------------------------------------


@pytest.fixture
def alert():
    home = LocationFactory(name="Meadows Edge")
    CqcRatingFactory(location=home, published_on=d(2017, 3, 1))
    _record(home, overall="requires_improvement")
    return CqcRatingAlert.objects.get()


def test_an_officer_acknowledges_with_who_when_and_a_note_once(alert):
    officer = OfficerFactory()
    done = services.cqc_rating_alert_acknowledge(alert=alert, by=officer, note="  Visit booked.  ")
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledgement_note) == (officer, "Visit booked.")
    assert alert.acknowledged_at is not None
    assert done.acknowledged_at == alert.acknowledged_at

    with pytest.raises(services.AlertAlreadyAcknowledged, match="already acknowledged by"):
        services.cqc_rating_alert_acknowledge(alert=alert, by=OfficerFactory())
    alert.refresh_from_db()
    assert alert.acknowledged_by == officer


def test_a_commissioner_may_not_acknowledge(alert):
    with pytest.raises(PermissionDenied):
        services.cqc_rating_alert_acknowledge(alert=alert, by=CommissionerFactory())
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_an_administrator_may_acknowledge(alert):
    admin = OfficerFactory(role=roles.ADMINISTRATOR)
    services.cqc_rating_alert_acknowledge(alert=alert, by=admin)
    alert.refresh_from_db()
    assert alert.acknowledged_by == admin


# --- Pages ------------------------------------------------------------------------------------------------------


def test_the_provider_page_and_dashboard_show_the_fall_until_acknowledged(alert, client_as_officer):
    page_url = reverse("providers:detail", args=[alert.location.provider_id])
    dashboard_url = reverse("dashboards:council") + "?quarter=2018-Q3"

    page = client_as_officer.get(page_url).text
    assert "Meadows Edge: Overall: Good to Requires improvement" in page
    assert reverse("providers:cqc_alert_acknowledge", args=[alert.pk]) in page
    response = client_as_officer.get(dashboard_url)
    dashboard = response.text
    assert response.context["cqc_alerts"]["count"] == 1
    assert "CQC rating falls to acknowledge" in dashboard
    assert '<span class="govuk-!-font-weight-bold">1</span> fall in a CQC rating to acknowledge' in dashboard
    assert f"/providers/{alert.location.provider_id}/#cqc-alerts" in dashboard

    response = client_as_officer.post(
        reverse("providers:cqc_alert_acknowledge", args=[alert.pk]), {"note": "Spoke to the manager."}
    )
    assert response.status_code == 302
    assert response["Location"] == page_url + "#cqc-alerts"

    page = client_as_officer.get(page_url).text
    assert reverse("providers:cqc_alert_acknowledge", args=[alert.pk]) not in page
    assert "Acknowledged falls" in page
    assert "Spoke to the manager." in page
    dashboard = client_as_officer.get(dashboard_url).text
    assert "No CQC rating falls to acknowledge." in dashboard

    again = client_as_officer.post(reverse("providers:cqc_alert_acknowledge", args=[alert.pk]), follow=True)
    assert "already acknowledged by" in again.text


def test_acknowledging_needs_post_and_the_right(alert, client_as_officer, client_as_commissioner, client_as_scrutiny):
    url = reverse("providers:cqc_alert_acknowledge", args=[alert.pk])
    assert client_as_officer.get(url).status_code == 405
    assert client_as_commissioner.post(url).status_code == 403
    assert client_as_scrutiny.post(url).status_code == 403
    page = client_as_commissioner.get(reverse("providers:detail", args=[alert.location.provider_id])).text
    assert "Good to Requires improvement" in page
    assert url not in page
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_alert_list_page(alert, client_as_officer, client_as_scrutiny, client):
    url = reverse("providers:cqc_alerts")
    assert "Meadows Edge" in client_as_officer.get(url).text
    assert "Meadows Edge" not in client_as_officer.get(url + "?show=acknowledged").text
    assert client_as_scrutiny.get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_the_panel_is_for_officers_only(alert, client_as_scrutiny):
    Group.objects.get(name=roles.SCRUTINY_MEMBER)
    page = client_as_scrutiny.get(reverse("dashboards:council") + "?quarter=2018-Q3").text
    assert "CQC rating falls to acknowledge" not in page
