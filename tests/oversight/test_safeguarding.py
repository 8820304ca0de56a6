"""Safeguarding: who may read safeguarding concerns and serious incidents, every read recorded, the immediate
alert, and the section 42 enquiry's rules, through the services, the pages and the API."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from commissioning import audit, roles
from commissioning.models import Notification, RecordRead
from contracts.models import Contract
from oversight import safeguarding, services
from oversight.models import Concern, EnquiryOutcome
from tests.factories import ConcernFactory, ContractFactory, ProviderFactory, UserFactory
from tests.providers.factories import OfficerFactory

from .safeguarding_factories import (
    DutyLeadFactory,
    EnquiryUnderWayFactory,
    SafeguardingConcernFactory,
    SafeguardingLeadFactory,
    SeriousIncidentFactory,
)

pytestmark = pytest.mark.django_db
d = datetime.date


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _with_role(role: str, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


# --- The world: one provider, its live contract's manager and backup, three concerns ---------------------------


@pytest.fixture
def world():
    provider = ProviderFactory(name="Example Care Homes Ltd")
    manager = OfficerFactory(username="manager")
    backup = OfficerFactory(username="backup")
    recorder = OfficerFactory(username="recorder")
    ContractFactory(lead_provider=provider, contract_manager=manager, backup_manager=backup)
    shared_manager = OfficerFactory(username="shared-manager")
    shared = ContractFactory(contract_manager=shared_manager)
    shared.other_providers.add(provider)
    expired_manager = OfficerFactory(username="expired-manager")
    ContractFactory(lead_provider=provider, contract_manager=expired_manager, status=Contract.Status.EXPIRED)
    return {
        "provider": provider,
        "safeguarding": SafeguardingConcernFactory(provider=provider, raised_on=d(2018, 9, 1)),
        "incident": SeriousIncidentFactory(provider=provider, raised_on=d(2018, 9, 2), recorded_by=recorder),
        "poor_practice": ConcernFactory(provider=provider, raised_on=d(2018, 9, 3)),
        # A complaint flagged sensitive: need to know, as a safeguarding concern is.
        "sensitive": ConcernFactory(provider=provider, raised_on=d(2018, 9, 4), kind="complaint", sensitive=True),
        "users": {
            "manager": manager,
            "backup": backup,
            "recorder": recorder,
            "shared_manager": shared_manager,
            "expired_manager": expired_manager,
            "other_officer": OfficerFactory(username="other-officer"),
            "commissioner": _with_role(roles.COMMISSIONER, username="commissioner"),
            "councillor": _with_role(roles.SCRUTINY_MEMBER, username="councillor"),
            "administrator": _with_role(roles.ADMINISTRATOR, username="administrator"),
            "safeguarding_lead": SafeguardingLeadFactory(username="lead"),
            "commissioner_lead": SafeguardingLeadFactory(username="commissioner-lead", memberships=roles.COMMISSIONER),
        },
    }


# Written by hand, not derived from the code: which of the four concerns each actor reads.
ALL = {"safeguarding", "incident", "poor_practice", "sensitive"}
READS = {
    "manager": ALL,
    "backup": ALL,
    "shared_manager": ALL,  # manages a live contract the provider shares
    "recorder": {"incident", "poor_practice"},  # recorded the incident only
    "expired_manager": {"poor_practice"},  # managed a contract that has ended
    "other_officer": {"poor_practice"},
    "commissioner": {"poor_practice"},
    "councillor": set(),
    "administrator": ALL,
    "safeguarding_lead": ALL,
    "commissioner_lead": ALL,
}


@pytest.mark.parametrize(("actor", "expected"), sorted(READS.items()))
def test_who_reads_safeguarding_concerns_and_serious_incidents(world, actor, expected):
    user = world["users"][actor]
    names = {name: world[name].pk for name in ALL}
    seen = set(Concern.objects.visible_to(user).values_list("pk", flat=True))
    assert {name for name, pk in names.items() if pk in seen} == expected


@pytest.mark.parametrize(("actor", "expected"), sorted(READS.items()))
def test_the_list_page_api_and_detail_page_follow_the_same_rule(world, actor, expected):
    user = world["users"][actor]
    client, api = _client(user), _api(user)
    page = client.get(reverse("oversight:concerns"))
    listed = api.get("/api/v1/concerns/")
    if actor == "councillor":
        assert page.status_code == 403
        assert listed.status_code == 403
        return
    api_ids = {row["id"] for row in listed.json()["results"]}
    for name in ALL:
        concern = world[name]
        detail = client.get(reverse("oversight:concern", args=[concern.pk]))
        api_detail = api.get(f"/api/v1/concerns/{concern.pk}/")
        if name in expected:
            assert detail.status_code == 200, name
            assert api_detail.status_code == 200, name
            assert concern.get_absolute_url() in page.text, name
            assert concern.pk in api_ids
        else:
            assert detail.status_code == 404, name
            assert api_detail.status_code == 404, name
            assert concern.get_absolute_url() not in page.text, name
            assert concern.pk not in api_ids


def test_anonymous_readers_are_sent_to_sign_in_or_refused(world):
    concern = world["safeguarding"]
    assert Client().get(reverse("oversight:concern", args=[concern.pk])).status_code == 302
    assert APIClient().get(f"/api/v1/concerns/{concern.pk}/").status_code == 401


def test_counts_still_count_every_concern(world):
    officer = world["users"]["other_officer"]
    assert Concern.objects.counted_for(officer).count() == 4
    assert Concern.objects.counted_for(world["users"]["councillor"]).count() == 0


# --- Every read recorded ------------------------------------------------------------------------------------


def _reads(user, via=None):
    rows = RecordRead.objects.filter(user=user)
    if via:
        rows = rows.filter(via=via)
    return sorted(rows.values_list("model", "object_id"))


def test_the_list_page_records_a_read_of_each_safeguarding_row_shown_and_of_no_other(world):
    manager = world["users"]["manager"]
    assert _client(manager).get(reverse("oversight:concerns")).status_code == 200
    shown = ("safeguarding", "incident", "sensitive")
    assert _reads(manager, "page") == sorted(("concern", world[name].pk) for name in shown)


def test_a_filtered_list_records_only_the_rows_it_shows(world):
    manager = world["users"]["manager"]
    _client(manager).get(reverse("oversight:concerns"), {"kind": "serious_incident"})
    assert _reads(manager) == [("concern", world["incident"].pk)]


def test_the_detail_page_records_the_read_and_shows_who_read_it(world):
    lead = world["users"]["safeguarding_lead"]
    manager = world["users"]["manager"]
    concern = world["safeguarding"]
    _client(manager).get(reverse("oversight:concern", args=[concern.pk]))
    response = _client(lead).get(reverse("oversight:concern", args=[concern.pk]))
    assert response.status_code == 200
    assert _reads(lead, "page") == [("concern", concern.pk)]
    assert manager.get_full_name() in response.text
    assert lead.get_full_name() in response.text


def test_reading_a_concern_of_another_kind_records_nothing(world):
    manager = world["users"]["manager"]
    assert _client(manager).get(reverse("oversight:concern", args=[world["poor_practice"].pk])).status_code == 200
    assert _api(manager).get(f"/api/v1/concerns/{world['poor_practice'].pk}/").status_code == 200
    assert RecordRead.objects.count() == 0


def test_the_api_list_and_detail_record_their_reads_as_api(world):
    manager = world["users"]["manager"]
    api = _api(manager)
    assert api.get("/api/v1/concerns/").status_code == 200
    assert api.get(f"/api/v1/concerns/{world['incident'].pk}/").status_code == 200
    listed = [("concern", world[name].pk) for name in ("safeguarding", "incident", "sensitive")]
    assert _reads(manager, "api") == sorted([*listed, ("concern", world["incident"].pk)])
    assert _reads(manager, "page") == []


def test_a_refused_read_records_nothing(world):
    officer = world["users"]["other_officer"]
    assert _client(officer).get(reverse("oversight:concern", args=[world["safeguarding"].pk])).status_code == 404
    assert RecordRead.objects.count() == 0


def test_the_reads_page_is_the_administrators_and_filters_by_record(world):
    admin = world["users"]["administrator"]
    _client(world["users"]["manager"]).get(reverse("oversight:concern", args=[world["incident"].pk]))
    _client(world["users"]["backup"]).get(reverse("oversight:concern", args=[world["safeguarding"].pk]))
    client = _client(admin)
    response = client.get(reverse("oversight:safeguarding_reads"), {"record": world["incident"].pk})
    assert response.status_code == 200
    assert "1 read " in response.text
    assert world["users"]["manager"].get_full_name() in response.text
    assert world["users"]["backup"].get_full_name() not in response.text
    assert client.get(reverse("oversight:safeguarding_reads"), {"record": "abc"}).status_code == 200
    for actor in ("manager", "safeguarding_lead", "commissioner"):
        assert _client(world["users"][actor]).get(reverse("oversight:safeguarding_reads")).status_code == 403


def test_the_reads_page_runs_constant_queries(world, django_assert_max_num_queries):
    client = _client(world["users"]["administrator"])
    for _n in range(30):
        client.get(reverse("oversight:concern", args=[world["safeguarding"].pk]))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("oversight:safeguarding_reads")).status_code == 200


# --- The alert -------------------------------------------------------------------------------------------------


def _record(by, provider, **kwargs):
    fields = {"kind": "safeguarding", "raised_on": timezone.localdate(), "severity": "high"}
    fields.update(kwargs)
    return services.concern_record(provider=provider, by=by, summary="Mrs A. Example was hit by a carer.", **fields)


def _alerted(concern):
    return set(
        Notification.objects.filter(kind=safeguarding.ALERT_KIND, link=concern.get_absolute_url()).values_list(
            "recipient__username", flat=True
        )
    )


def test_a_high_severity_safeguarding_concern_alerts_the_managers_and_the_duty_lead_at_once(
    world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    duty = DutyLeadFactory(starts_on=today, ends_on=today)
    SafeguardingLeadFactory(username="lead-off-duty")
    with django_capture_on_commit_callbacks(execute=True):
        concern = _record(world["users"]["other_officer"], world["provider"])
    assert _alerted(concern) == {"manager", "backup", "shared-manager", duty.user.username}
    assert len(mail.outbox) == 4


def test_with_no_one_on_duty_every_safeguarding_lead_is_told(world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    DutyLeadFactory(starts_on=yesterday, ends_on=yesterday, user__username="yesterday-lead")
    concern = _record(world["users"]["other_officer"], world["provider"], severity="critical")
    assert _alerted(concern) == {
        "manager",
        "backup",
        "shared-manager",
        "lead",
        "commissioner-lead",
        "yesterday-lead",
    }


def test_any_serious_incident_alerts_but_a_medium_safeguarding_concern_or_a_complaint_does_not(world):
    officer = world["users"]["other_officer"]
    incident = _record(officer, world["provider"], kind="serious_incident", severity="low")
    medium = _record(officer, world["provider"], severity="medium")
    complaint = _record(officer, world["provider"], kind="complaint", severity="critical")
    assert "manager" in _alerted(incident)
    assert _alerted(medium) == set()
    assert _alerted(complaint) == set()


def test_the_alert_email_carries_a_link_and_no_personal_details(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        concern = _record(world["users"]["other_officer"], world["provider"])
    assert mail.outbox
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert concern.get_absolute_url() in text
        for personal in ("Example", "Mrs", "carer", world["provider"].name, "hit"):
            assert personal not in text


def test_the_bulk_path_alerts_recent_open_concerns_only(world):
    today = timezone.localdate()
    entries = [
        services.ConcernEntry(
            provider=world["provider"], kind="safeguarding", severity="high", raised_on=day, summary=s
        )
        for day, s in ((today, "Recent."), (today - datetime.timedelta(days=200), "Old."))
    ]
    entries.append(
        services.ConcernEntry(
            provider=world["provider"],
            kind="serious_incident",
            raised_on=today,
            summary="Closed at once.",
            closed_on=today,
            outcome="Resolved.",
        )
    )
    recent, old, closed = services.concerns_record_many(concerns=entries, by=None)
    assert _alerted(recent) == {"manager", "backup", "shared-manager", "lead", "commissioner-lead"}
    assert _alerted(old) == set()
    assert _alerted(closed) == set()


# --- The duty rota ---------------------------------------------------------------------------------------------


def test_duty_lead_on_a_day(world):
    lead = world["users"]["safeguarding_lead"]
    admin = world["users"]["administrator"]
    safeguarding.duty_lead_add(user=lead, starts_on=d(2018, 9, 1), ends_on=d(2018, 9, 7), by=admin)
    assert safeguarding.duty_lead_on(d(2018, 9, 7)) == lead
    assert safeguarding.duty_lead_on(d(2018, 9, 8)) is None


@pytest.mark.parametrize(
    ("who", "starts", "ends", "field"),
    [
        ("other_officer", d(2018, 10, 1), d(2018, 10, 2), "user"),  # not a safeguarding lead
        ("safeguarding_lead", d(2018, 10, 5), d(2018, 10, 1), "ends_on"),
        ("safeguarding_lead", d(2018, 9, 7), d(2018, 9, 10), "starts_on"),  # overlaps the duty below
    ],
)
def test_the_rota_refuses(world, who, starts, ends, field):
    admin = world["users"]["administrator"]
    DutyLeadFactory(starts_on=d(2018, 9, 1), ends_on=d(2018, 9, 7))
    with pytest.raises(ValidationError) as refused:
        safeguarding.duty_lead_add(user=world["users"][who], starts_on=starts, ends_on=ends, by=admin)
    assert field in refused.value.message_dict


def test_only_administrators_keep_the_rota(world):
    with pytest.raises(PermissionDenied):
        safeguarding.duty_lead_add(
            user=world["users"]["safeguarding_lead"],
            starts_on=d(2018, 9, 1),
            ends_on=d(2018, 9, 2),
            by=world["users"]["manager"],
        )
    for actor, status in (("administrator", 200), ("manager", 403), ("safeguarding_lead", 403), ("councillor", 403)):
        assert _client(world["users"][actor]).get(reverse("oversight:safeguarding_duty_rota")).status_code == status


def test_the_rota_page_adds_and_removes_a_duty(world):
    client = _client(world["users"]["administrator"])
    lead = world["users"]["safeguarding_lead"]
    response = client.post(
        reverse("oversight:safeguarding_duty_rota"),
        {
            "user": lead.pk,
            "starts_on_0": "1",
            "starts_on_1": "9",
            "starts_on_2": "2018",
            "ends_on_0": "7",
            "ends_on_1": "9",
            "ends_on_2": "2018",
        },
    )
    assert response.status_code == 302
    duty = lead.safeguarding_duties.get()
    bad = client.post(
        reverse("oversight:safeguarding_duty_rota"),
        {"user": lead.pk, "starts_on_0": "3", "starts_on_1": "9", "starts_on_2": "2018"},
    )
    assert bad.status_code == 200
    assert "Enter the last day on duty" in bad.text
    assert client.post(reverse("oversight:safeguarding_duty_remove", args=[duty.pk])).status_code == 302
    assert not lead.safeguarding_duties.exists()


def test_the_rota_page_runs_constant_queries(world, django_assert_max_num_queries):
    for week in range(20):
        start = d(2018, 1, 1) + datetime.timedelta(days=7 * week)
        DutyLeadFactory(starts_on=start, ends_on=start + datetime.timedelta(days=6))
    client = _client(world["users"]["administrator"])
    with django_assert_max_num_queries(10):
        assert client.get(reverse("oversight:safeguarding_duty_rota")).status_code == 200


# --- Section 42 enquiries --------------------------------------------------------------------------------------


def test_an_enquiry_is_recorded_then_concluded(world):
    manager = world["users"]["manager"]
    concern = safeguarding.concern_enquiry_record(
        concern=world["safeguarding"], s42_reference="S42/2018/0913", s42_started_on=d(2018, 9, 4), by=manager
    )
    assert concern.enquiry_status == "Under way"
    concern = safeguarding.concern_enquiry_conclude(
        concern=concern, s42_outcome=EnquiryOutcome.RISK_ACTION, s42_concluded_on=d(2018, 10, 20), by=manager
    )
    concern.refresh_from_db()
    assert (concern.s42_reference, concern.s42_outcome, concern.s42_concluded_on) == (
        "S42/2018/0913",
        "risk_action",
        d(2018, 10, 20),
    )
    assert concern.history.first().history_user == manager


@pytest.mark.parametrize(
    ("reference", "started_on", "field"),
    [
        ("", d(2018, 9, 4), "s42_reference"),
        ("  ", d(2018, 9, 4), "s42_reference"),
        ("S42-TAKEN", d(2018, 9, 4), "s42_reference"),  # another concern's
        ("S42-NEW", d(2018, 8, 31), "s42_started_on"),  # before the concern was raised
        ("S42-NEW", None, "s42_started_on"),
        ("S42-NEW", d(2999, 1, 1), "s42_started_on"),  # in the future
    ],
)
def test_recording_an_enquiry_refuses(world, reference, started_on, field):
    EnquiryUnderWayFactory(s42_reference="S42-TAKEN")
    with pytest.raises(ValidationError) as refused:
        safeguarding.concern_enquiry_record(
            concern=world["safeguarding"],
            s42_reference=reference,
            s42_started_on=started_on,
            by=world["users"]["manager"],
        )
    assert list(refused.value.message_dict) == [field]
    world["safeguarding"].refresh_from_db()
    assert world["safeguarding"].s42_reference == ""


def test_only_a_safeguarding_concern_has_an_enquiry(world):
    with pytest.raises(ValidationError) as refused:
        safeguarding.concern_enquiry_record(
            concern=world["incident"], s42_reference="S42-1", s42_started_on=d(2018, 9, 4), by=world["users"]["manager"]
        )
    assert "kind" in refused.value.message_dict


@pytest.mark.parametrize(
    ("outcome", "concluded_on", "field"),
    [
        ("", d(2018, 10, 1), "s42_outcome"),
        ("guilty", d(2018, 10, 1), "s42_outcome"),
        (EnquiryOutcome.CEASED, d(2018, 9, 2), "s42_concluded_on"),  # before it started (3 September)
        (EnquiryOutcome.CEASED, None, "s42_concluded_on"),
    ],
)
def test_concluding_an_enquiry_refuses(world, outcome, concluded_on, field):
    concern = EnquiryUnderWayFactory(provider=world["provider"], raised_on=d(2018, 9, 1))
    with pytest.raises(ValidationError) as refused:
        safeguarding.concern_enquiry_conclude(
            concern=concern, s42_outcome=outcome, s42_concluded_on=concluded_on, by=world["users"]["manager"]
        )
    assert list(refused.value.message_dict) == [field]


def test_an_enquiry_not_recorded_cannot_conclude_and_a_concluded_one_is_fixed(world):
    manager = world["users"]["manager"]
    with pytest.raises(ValidationError) as refused:
        safeguarding.concern_enquiry_conclude(
            concern=world["safeguarding"], s42_outcome="ceased", s42_concluded_on=d(2018, 10, 1), by=manager
        )
    assert "s42_reference" in refused.value.message_dict
    concern = EnquiryUnderWayFactory(provider=world["provider"], s42_outcome="ceased", s42_concluded_on=d(2018, 10, 1))
    with pytest.raises(ValidationError):
        safeguarding.concern_enquiry_record(
            concern=concern, s42_reference="S42-CHANGED", s42_started_on=d(2018, 9, 3), by=manager
        )


def test_an_officer_who_may_not_read_the_concern_may_not_record_its_enquiry(world):
    with pytest.raises(PermissionDenied):
        safeguarding.concern_enquiry_record(
            concern=world["safeguarding"],
            s42_reference="S42-1",
            s42_started_on=d(2018, 9, 4),
            by=world["users"]["other_officer"],
        )
    with pytest.raises(PermissionDenied):
        safeguarding.concern_enquiry_record(
            concern=world["safeguarding"],
            s42_reference="S42-1",
            s42_started_on=d(2018, 9, 4),
            by=world["users"]["commissioner_lead"],  # reads it, but commissioners do not change concerns
        )


def test_the_enquiry_pages_save_through_the_service_and_show_its_refusals(world):
    client = _client(world["users"]["manager"])
    concern = world["safeguarding"]
    url = reverse("oversight:concern_enquiry", args=[concern.pk])
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"s42_reference": "S42-9", "s42_started_on_0": "1", "s42_started_on_1": "8", "s42_started_on_2": "2018"}
    )
    assert bad.status_code == 200
    assert "on or after the concern was raised" in bad.text
    good = client.post(
        url, {"s42_reference": "S42-9", "s42_started_on_0": "4", "s42_started_on_1": "9", "s42_started_on_2": "2018"}
    )
    assert good.status_code == 302
    conclude = reverse("oversight:concern_enquiry_conclude", args=[concern.pk])
    missing = client.post(
        conclude, {"s42_concluded_on_0": "1", "s42_concluded_on_1": "10", "s42_concluded_on_2": "2018"}
    )
    assert "Choose the outcome of the enquiry" in missing.text
    done = client.post(
        conclude,
        {
            "s42_outcome": "no_risk_no_action",
            "s42_concluded_on_0": "1",
            "s42_concluded_on_1": "10",
            "s42_concluded_on_2": "2018",
        },
    )
    assert done.status_code == 302
    page = client.get(reverse("oversight:concern", args=[concern.pk]))
    assert "No risk identified and no action taken" in page.text
    assert "S42-9" in page.text
    # Bad input is a form error, never a server error.
    assert client.post(url, {"s42_reference": "x" * 500, "s42_started_on_0": "99"}).status_code == 200


def test_the_enquiry_pages_refuse_who_may_not(world):
    concern = world["safeguarding"]
    url = reverse("oversight:concern_enquiry", args=[concern.pk])
    assert _client(world["users"]["other_officer"]).get(url).status_code == 404
    assert _client(world["users"]["commissioner_lead"]).get(url).status_code == 403
    assert _client(world["users"]["councillor"]).get(url).status_code == 403
    # A serious incident has no enquiry.
    assert (
        _client(world["users"]["manager"])
        .get(reverse("oversight:concern_enquiry", args=[world["incident"].pk]))
        .status_code
        == 404
    )


# --- The API ---------------------------------------------------------------------------------------------------


def test_the_api_records_and_concludes_an_enquiry(world):
    api = _api(world["users"]["manager"])
    url = f"/api/v1/concerns/{world['safeguarding'].pk}/"
    response = api.patch(url, {"s42_reference": "S42-API", "s42_started_on": "2018-09-04"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["s42_reference"] == "S42-API"
    response = api.patch(url, {"s42_outcome": "risk_no_action", "s42_concluded_on": "2018-10-02"}, format="json")
    assert response.status_code == 200
    assert response.json()["s42_outcome"] == "risk_no_action"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "s42_reference"),
        ({"s42_reference": "", "s42_started_on": "2018-09-04"}, "s42_reference"),
        ({"s42_reference": "S42-1", "s42_started_on": "2018-08-01"}, "s42_started_on"),
        ({"s42_reference": "S42-1", "s42_started_on": "not a date"}, "s42_started_on"),
        ({"s42_outcome": "risk_action", "s42_concluded_on": "2018-10-01"}, "s42_reference"),  # not recorded yet
        ({"s42_outcome": "nonsense"}, "s42_outcome"),
    ],
)
def test_the_api_answers_400_naming_the_field(world, body, field):
    response = _api(world["users"]["manager"]).patch(
        f"/api/v1/concerns/{world['safeguarding'].pk}/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_the_api_refuses_who_may_not(world):
    url = f"/api/v1/concerns/{world['safeguarding'].pk}/"
    body = {"s42_reference": "S42-1", "s42_started_on": "2018-09-04"}
    assert _api(world["users"]["other_officer"]).patch(url, body, format="json").status_code == 404
    assert _api(world["users"]["commissioner_lead"]).patch(url, body, format="json").status_code == 403
    assert _api(world["users"]["councillor"]).patch(url, body, format="json").status_code == 403
    assert APIClient().patch(url, body, format="json").status_code == 401


def test_the_page_and_the_api_refuse_the_same_start_date_with_the_same_words(world):
    concern = world["safeguarding"]
    page = _client(world["users"]["manager"]).post(
        reverse("oversight:concern_enquiry", args=[concern.pk]),
        {"s42_reference": "S42-P", "s42_started_on_0": "1", "s42_started_on_1": "8", "s42_started_on_2": "2018"},
    )
    api = _api(world["users"]["manager"]).patch(
        f"/api/v1/concerns/{concern.pk}/", {"s42_reference": "S42-P", "s42_started_on": "2018-08-01"}, format="json"
    )
    message = api.json()["errors"]["s42_started_on"][0]
    assert "01/09/2018" in message
    assert message.replace("'", "&#x27;") in page.text


# --- Query bounds ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 40])
def test_the_concern_list_and_api_run_constant_queries_while_recording_reads(
    world, django_assert_max_num_queries, size
):
    for _n in range(size):
        SafeguardingConcernFactory(provider=world["provider"])
        SeriousIncidentFactory(provider=world["provider"])
    manager = world["users"]["manager"]
    client, api = _client(manager), _api(manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("oversight:concerns")).status_code == 200
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/concerns/", {"page_size": 100}).status_code == 200
    # The world's safeguarding concern, incident and sensitive complaint, and the 2 * size made here.
    assert RecordRead.objects.filter(user=manager, via="api").count() == 2 * size + 3


def test_the_detail_page_runs_constant_queries(world, django_assert_max_num_queries):
    concern = world["safeguarding"]
    backup, manager = _client(world["users"]["backup"]), _client(world["users"]["manager"])
    for _n in range(30):
        backup.get(reverse("oversight:concern", args=[concern.pk]))
    with django_assert_max_num_queries(12):
        assert manager.get(reverse("oversight:concern", args=[concern.pk])).status_code == 200


# --- Home -----------------------------------------------------------------------------------------------------


def test_home_lists_the_open_enquiries_at_the_officers_providers(world):
    under_way = EnquiryUnderWayFactory(provider=world["provider"], s42_reference="S42-HOME")
    EnquiryUnderWayFactory(s42_reference="S42-ELSEWHERE")  # another provider's
    EnquiryUnderWayFactory(
        provider=world["provider"], s42_reference="S42-DONE", s42_outcome="ceased", s42_concluded_on=d(2018, 10, 1)
    )
    manager = world["users"]["manager"]
    text = _client(manager).get(reverse("home")).text
    assert "S42-HOME" in text
    assert "S42-ELSEWHERE" not in text
    assert "S42-DONE" not in text
    assert _reads(manager) == [("concern", under_way.pk)]
    assert "S42-HOME" not in _client(world["users"]["other_officer"]).get(reverse("home")).text


# --- The membership, the grants and the audit helper -----------------------------------------------------------


def test_the_safeguarding_lead_group_is_a_membership_holding_no_permissions():
    group = Group.objects.get(name=roles.SAFEGUARDING_LEAD)
    assert group.permissions.count() == 0
    assert roles.SAFEGUARDING_LEAD not in roles.ALL_ROLES


@pytest.mark.parametrize("perm", ["commissioning.view_recordread", "oversight.view_safeguardingdutylead"])
def test_only_administrators_read_the_audit_and_the_rota(world, perm):
    users = world["users"]
    assert users["administrator"].has_perm(perm)
    for actor in ("manager", "commissioner", "councillor", "safeguarding_lead"):
        assert not users[actor].has_perm(perm), actor


def test_record_reads_writes_one_row_per_record_and_nothing_for_an_anonymous_reader(world):
    concerns = [world["safeguarding"], world["incident"]]
    assert audit.record_reads(user=AnonymousUser(), objects=concerns, via="page") == 0
    assert audit.record_reads(user=world["users"]["manager"], objects=concerns, via="api") == 2
    assert RecordRead.objects.filter(via="api", app_label="oversight", model="concern").count() == 2
    with pytest.raises(ValueError, match="A read is through one of"):
        audit.record_reads(user=world["users"]["manager"], objects=concerns, via="email")


def test_a_serious_incident_recorded_through_the_api_alerts_the_managers(world):
    response = _api(world["users"]["other_officer"]).post(
        "/api/v1/concerns/",
        {
            "provider": world["provider"].pk,
            "kind": "serious_incident",
            "raised_on": str(timezone.localdate()),
            "summary": "Fall.",
        },
        format="json",
    )
    assert response.status_code == 201
    concern = Concern.objects.get(pk=response.json()["id"])
    assert {"manager", "backup"} <= _alerted(concern)
    # The officer who recorded it reads it: it is theirs.
    assert _api(world["users"]["other_officer"]).get(f"/api/v1/concerns/{concern.pk}/").status_code == 200


# --- A concern flagged sensitive ------------------------------------------------------------------------------


def test_flagging_a_concern_sensitive_makes_it_need_to_know_and_only_a_lead_or_administrator_lifts_it(world):
    users = world["users"]
    concern = world["poor_practice"]
    assert Concern.objects.visible_to(users["other_officer"]).filter(pk=concern.pk).exists()

    services.concern_mark_sensitive(concern=concern, sensitive=True, by=users["manager"])

    assert not Concern.objects.visible_to(users["other_officer"]).filter(pk=concern.pk).exists()
    assert Concern.objects.restricted().filter(pk=concern.pk).exists()
    with pytest.raises(PermissionDenied):
        services.concern_mark_sensitive(concern=concern, sensitive=False, by=users["manager"])
    services.concern_mark_sensitive(concern=concern, sensitive=False, by=users["safeguarding_lead"])
    assert Concern.objects.visible_to(users["other_officer"]).filter(pk=concern.pk).exists()


def test_a_safeguarding_concern_stays_restricted_without_the_flag(world):
    concern = world["safeguarding"]
    services.concern_mark_sensitive(concern=concern, sensitive=False, by=world["users"]["administrator"])

    assert not Concern.objects.visible_to(world["users"]["other_officer"]).filter(pk=concern.pk).exists()


def test_reading_a_sensitive_concern_is_recorded(world):
    concern = world["sensitive"]
    _client(world["users"]["manager"]).get(reverse("oversight:concern", args=[concern.pk]))

    assert RecordRead.objects.filter(model="concern", object_id=concern.pk, user=world["users"]["manager"]).exists()


def test_the_concern_page_flags_and_a_lead_lifts_the_flag(world):
    concern = world["poor_practice"]
    manager = _client(world["users"]["manager"])
    page = manager.get(reverse("oversight:concern", args=[concern.pk])).text
    assert "Flag as sensitive: need to know only" in page

    answer = manager.post(reverse("oversight:concern_sensitive", args=[concern.pk]), {"sensitive": "true"})

    assert answer.status_code == 302
    concern.refresh_from_db()
    assert concern.sensitive is True
    page = manager.get(reverse("oversight:concern", args=[concern.pk])).text
    assert "Lift the sensitive flag" not in page
    assert (
        manager.post(reverse("oversight:concern_sensitive", args=[concern.pk]), {"sensitive": "false"}).status_code
        == 403
    )
    lead = _client(world["users"]["safeguarding_lead"])
    assert "Lift the sensitive flag" in lead.get(reverse("oversight:concern", args=[concern.pk])).text
    lead.post(reverse("oversight:concern_sensitive", args=[concern.pk]), {"sensitive": "false"})
    concern.refresh_from_db()
    assert concern.sensitive is False
    # An officer who may not read it cannot flag it either.
    other = _client(world["users"]["other_officer"])
    assert (
        other.post(
            reverse("oversight:concern_sensitive", args=[world["sensitive"].pk]), {"sensitive": "true"}
        ).status_code
        == 404
    )


def test_a_concern_recorded_sensitive_on_the_page_and_shown_by_the_api(world):
    manager = world["users"]["manager"]
    answer = _client(manager).post(
        reverse("oversight:concern_add") + f"?provider={world['provider'].pk}",
        {
            "provider": world["provider"].pk,
            "kind": "complaint",
            "raised_on_0": "4",
            "raised_on_1": "9",
            "raised_on_2": "2018",
            "severity": "low",
            "summary": "A relative's complaint naming a member of staff.",
            "sensitive": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    concern = Concern.objects.get(summary__startswith="A relative's complaint")
    assert concern.sensitive is True
    assert _api(manager).get(f"/api/v1/concerns/{concern.pk}/").json()["sensitive"] is True
    assert not Concern.objects.visible_to(world["users"]["other_officer"]).filter(pk=concern.pk).exists()


def test_an_officer_who_flags_a_concern_out_of_their_reach_is_sent_to_the_list_and_told(world):
    other = _client(world["users"]["other_officer"])
    concern = world["poor_practice"]

    answer = other.post(reverse("oversight:concern_sensitive", args=[concern.pk]), {"sensitive": "true"}, follow=True)

    assert answer.redirect_chain[-1][0] == reverse("oversight:concerns")
    assert "You are not among those who may read it now." in answer.text
