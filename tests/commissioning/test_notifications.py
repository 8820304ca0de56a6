"""Notifications: one each in the service, one e-mail each (sent once), and e-mails that carry only a link."""

import re
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from commissioning.models import Notification
from commissioning.notifications import NotificationRefused, notify
from commissioning.tasks import send_notification_emails
from tests.factories import StrategyFactory, UserFactory

pytestmark = pytest.mark.django_db

PACK_LINK = "/scrutiny/packs/12/"


def _notify(recipients, *, key="pack-published:12", **overrides):
    arguments = {
        "recipients": recipients,
        "kind": "scrutiny.pack_published",
        "subject": "A scrutiny report pack has been published",
        "link": PACK_LINK,
        "dedupe_key": key,
    }
    return notify(**{**arguments, **overrides})


@pytest.fixture
def members(db):
    return [UserFactory(username="cllr.ashby"), UserFactory(username="cllr.brant")]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://commissioning.council.example"


# --- Recorded once, e-mailed once ----------------------------------------------------------------------------


def test_each_member_gets_a_notification_and_one_email_of_their_own(members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(members) == 2

    assert Notification.objects.filter(dedupe_key="pack-published:12").count() == 2
    assert sorted(message.to[0] for message in mail.outbox) == [
        "cllr.ashby@council.example",
        "cllr.brant@council.example",
    ]
    assert all(len(message.to) == 1 and not message.cc and not message.bcc for message in mail.outbox)
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_telling_people_twice_about_the_same_pack_records_and_sends_nothing_more(
    members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(members)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert _notify(members) == 0

    assert callbacks == []
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_new_member_told_about_the_same_pack_gets_only_their_own(members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(members[:1])
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(members) == 1

    assert [message.to for message in mail.outbox] == [["cllr.ashby@council.example"], ["cllr.brant@council.example"]]


def test_running_the_send_task_twice_sends_each_email_once(members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        _notify(members)
    ids = list(Notification.objects.values_list("pk", flat=True))

    assert send_notification_emails(notification_ids=ids) == 2
    assert send_notification_emails(notification_ids=ids) == 0
    assert len(mail.outbox) == 2


def test_when_the_mail_server_fails_the_retry_sends_the_email_once(members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        _notify(members[:1])
    ids = list(Notification.objects.values_list("pk", flat=True))
    send = EmailBackend.send_messages

    refused = mock.patch.object(EmailBackend, "send_messages", side_effect=OSError("mail server unreachable"))
    with refused, pytest.raises(OSError, match="unreachable"):
        send_notification_emails(notification_ids=ids)
    assert Notification.objects.get().emailed_at is None  # the claim was given back
    assert mail.outbox == []

    with mock.patch.object(EmailBackend, "send_messages", autospec=True, side_effect=send):
        assert send_notification_emails(notification_ids=ids) == 1
        assert send_notification_emails(notification_ids=ids) == 0
    assert len(mail.outbox) == 1


def _publish_that_fails(members):
    with transaction.atomic():
        _notify(members)
        raise RuntimeError("the publish failed")


def test_nothing_is_sent_when_the_change_that_notified_is_rolled_back(members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        _publish_that_fails(members)

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_people_without_an_email_address_are_told_in_the_service_only(django_capture_on_commit_callbacks):
    no_email = UserFactory(username="no.email", email="")
    left = UserFactory(username="left.council", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([no_email, left]) == 1

    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["no.email"]
    assert mail.outbox == []


def test_who_sent_it_is_recorded(members, django_capture_on_commit_callbacks):
    clerk = UserFactory(username="clerk")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(members, by=clerk)

    assert set(Notification.objects.values_list("created_by__username", flat=True)) == {"clerk"}


# --- E-mails carry a link and generic text, nothing from the record ------------------------------------------


def test_the_email_is_the_template_with_the_subject_and_the_link_only(members, django_capture_on_commit_callbacks):
    strategy = StrategyFactory(summary="Mrs Jones, 14 Elm Road, has been assessed as needing two carers.")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(members[:1], subject="A strategy has been updated", link=strategy.get_absolute_url(), key="s")

    (message,) = mail.outbox
    assert message.subject == "A strategy has been updated"
    assert f"https://commissioning.council.example{strategy.get_absolute_url()}" in message.body
    assert "Mrs Jones" not in message.body
    assert "Elm Road" not in message.body
    assert message.body.splitlines()[0] == "A strategy has been updated"
    assert "holds no details" in message.body


def test_a_body_cannot_be_passed_at_all(members):
    with pytest.raises(TypeError):
        _notify(members, body="Mrs Jones, 14 Elm Road, was found on the floor by a carer.")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "subject",
    [
        "A concern was raised.\nMrs Jones was found on the floor by her carer at 7am and taken to hospital.",
        "Concern about " + "the resident's care " * 10,
        "Call the provider on 01522 552222",
        "Reply to jo.bloggs@provider.example",
        "Visit to LN1 1YL next week",
        "NHS number 943 476 5919",
        "   ",
    ],
    ids=["free-text", "too-long", "telephone", "email-address", "postcode", "nhs-number", "blank"],
)
def test_free_text_from_a_record_is_refused_as_a_subject(members, subject):
    with pytest.raises(NotificationRefused):
        _notify(members, subject=subject)
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "link",
    [
        "https://elsewhere.example/phish/",
        "//elsewhere.example/",
        "/oversight/concerns/?resident=Mrs+Jones",
        "/oversight/concerns/3/#Mrs Jones",
        "oversight/concerns/3/",
        "javascript:alert(1)",
    ],
)
def test_links_are_paths_inside_the_service_with_no_data_attached(members, link):
    with pytest.raises(NotificationRefused, match="path inside the service"):
        _notify(members, link=link)


@pytest.mark.parametrize("kind", ["", "Pack published!", "x" * 61])
def test_a_kind_is_a_short_dotted_name(members, kind):
    with pytest.raises(NotificationRefused):
        _notify(members, kind=kind)


def test_a_subject_with_a_date_and_a_committee_name_is_generic_enough(members):
    assert _notify(members, subject="Adults and Community Wellbeing Scrutiny Committee: pack for 12 March 2019") == 2


# --- The notifications page -----------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_people_see_their_own_notifications_newest_first(members):
    _notify(members[:1], subject="An older pack was published", key="old")
    _notify(members[:1], subject="A newer pack was published", key="new")
    _notify(members[1:], subject="Somebody else's notification", key="theirs")

    response = _client(members[0]).get(reverse("notifications"))

    assert response.status_code == 200
    assert [n.subject for n in response.context["notifications"]] == [
        "A newer pack was published",
        "An older pack was published",
    ]
    assert b"Somebody else" not in response.content
    assert b"You have 2 unread notifications." in response.content


def test_the_page_shows_25_at_a_time(members):
    for number in range(26):
        _notify(members[:1], subject=f"Pack {number} was published", key=f"pack:{number}")
    client = _client(members[0])

    assert len(client.get(reverse("notifications")).context["notifications"]) == 25
    second = client.get(reverse("notifications"), {"page": 2})
    assert [n.subject for n in second.context["notifications"]] == ["Pack 0 was published"]


def test_marking_a_notification_as_read(members):
    _notify(members[:1])
    notification = Notification.objects.get()

    response = _client(members[0]).post(reverse("notification-read", args=[notification.pk]), {"page": "2"})

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications") + "?page=2"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_somebody_elses_notification_is_not_found(members):
    _notify(members[:1])
    notification = Notification.objects.get()

    response = _client(members[1]).post(reverse("notification-read", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_as_read_needs_a_post(members):
    _notify(members[:1])
    notification = Notification.objects.get()

    assert _client(members[0]).get(reverse("notification-read", args=[notification.pk])).status_code == 405


def test_marking_all_as_read_touches_only_my_own(members):
    _notify(members, key="a")
    _notify(members, key="b")

    response = _client(members[0]).post(reverse("notifications-read-all"))

    assert response.status_code == 302
    assert Notification.objects.filter(recipient=members[0], read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=members[1], read_at__isnull=True).count() == 2


def test_an_empty_inbox_says_so(members):
    response = _client(members[0]).get(reverse("notifications"))
    assert b"You have no notifications." in response.content


def _header_badge(client) -> str:
    page = client.get("/").content.decode()
    link = re.search(r'<a class="govuk-header__link" href="/notifications/">(.*?)</a>', page)
    assert link is not None
    return re.sub(r"<[^>]+>", "", link.group(1))


def test_the_header_shows_how_many_notifications_are_unread(members):
    client = _client(members[0])
    assert _header_badge(client) == "Notifications"  # none: no figure at all

    _notify(members[:1], key="a")
    _notify(members[:1], key="b")
    assert _header_badge(client) == "Notifications 2 unread"

    client.post(reverse("notification-read", args=[Notification.objects.filter(dedupe_key="a").get().pk]))
    assert _header_badge(client) == "Notifications 1 unread"
    client.post(reverse("notifications-read-all"))
    assert _header_badge(client) == "Notifications"


def test_the_unread_figure_is_each_persons_own(members):
    _notify(members[:1], key="a")
    assert _header_badge(_client(members[0])) == "Notifications 1 unread"
    assert _header_badge(_client(members[1])) == "Notifications"


def test_the_unread_figure_costs_one_query_then_none_until_it_changes(
    members, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from commissioning.notifications import unread_count

    _notify(members[:1], key="a")
    with django_assert_num_queries(1), django_capture_on_commit_callbacks(execute=True):
        assert unread_count(user=members[0]) == 1
    with django_assert_num_queries(0):
        assert unread_count(user=members[0]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        _notify(members[:1], key="b")  # forgets the cached figure
    assert unread_count(user=members[0]) == 2


def test_a_notification_rolled_back_leaves_no_figure_behind(members):
    from commissioning.notifications import unread_count

    class Undone(Exception):
        pass

    def notify_then_fail():
        with transaction.atomic():
            _notify(members[:1], key="a")
            assert unread_count(user=members[0]) == 1  # seen inside the transaction, forgotten after it
            raise Undone

    assert unread_count(user=members[0]) == 0
    with pytest.raises(Undone):
        notify_then_fail()
    assert unread_count(user=members[0]) == 0


def test_the_header_can_show_the_unread_count_without_a_context_processor(members, django_assert_num_queries):
    _notify(members[:1], key="a")
    _notify(members[:1], key="b")
    Notification.objects.filter(dedupe_key="a").update(read_at="2019-03-12T10:00:00Z")
    template = Template("{% with unread=user.notifications.unread.count %}{{ unread }}{% endwith %}")

    with django_assert_num_queries(1):
        assert template.render(Context({"user": members[0]})) == "1"
