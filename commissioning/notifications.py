"""Telling people something needs them: an in-app notification each, and one e-mail each, sent once.

Every app calls ``notify`` (never ``send_mail``). E-mails leave the council's systems, so they carry a link
and short generic text only: the caller gives a subject and a link, never a body; the body is built from
``commissioning/notifications_email.txt``, which sees nothing but the subject, the link and the kind. Whatever
the record says stays behind the sign-in, on the page the link opens.

"Sent once" holds twice over: a unique (recipient, dedupe_key) constraint means a repeated ``notify`` records
and queues nothing new, and the task claims each notification's e-mail before sending it, so a retried or
duplicated task sends nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Notification
from .tasks import send_notification_emails

if TYPE_CHECKING:
    from .models import User

SUBJECT_MAX_LENGTH = Notification._meta.get_field("subject").max_length or 100
LINK_MAX_LENGTH = Notification._meta.get_field("link").max_length or 300
DEDUPE_KEY_MAX_LENGTH = Notification._meta.get_field("dedupe_key").max_length or 200

_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
# A path inside the service: no scheme, no host, no query string or fragment (which could carry data).
_LINK = re.compile(r"^/(?!/)[A-Za-z0-9/_.~-]*$")
# Things that are never "short generic text": an e-mail address, a long number (telephone, NHS or
# National Insurance-like), a UK postcode.
_EMAIL_ADDRESS = re.compile(r"@")
_LONG_NUMBER = re.compile(r"\d{6,}|\b\d{3}[ -]\d{3}[ -]\d{4}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class NotificationRefused(ValueError):
    """The caller asked for a notification that could carry record content (a programming error)."""


def check_subject(subject: str) -> str:
    """The subject, stripped, if it is short generic text; NotificationRefused naming the rule otherwise."""
    subject = subject.strip()
    if not subject:
        raise NotificationRefused("A notification needs a subject.")
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise NotificationRefused(
            f"A notification subject must be at most {SUBJECT_MAX_LENGTH} characters of generic text, "
            "not a record's content."
        )
    if _CONTROL.search(subject):
        raise NotificationRefused("A notification subject must be one line of generic text.")
    if _EMAIL_ADDRESS.search(subject) or _LONG_NUMBER.search(subject) or _POSTCODE.search(subject):
        raise NotificationRefused(
            "A notification subject must not contain e-mail addresses, telephone or reference numbers or "
            "postcodes: say what happened, and let the link show the detail."
        )
    return subject


def check_link(link: str) -> str:
    """The link if it is a path inside the service with no query string; NotificationRefused otherwise."""
    if len(link) > LINK_MAX_LENGTH or not _LINK.match(link) or "/../" in f"{link}/":
        raise NotificationRefused(
            "A notification link must be a path inside the service, such as /scrutiny/packs/12/, "
            "with no address, query string or fragment."
        )
    return link


def check_kind(kind: str) -> str:
    if len(kind) > 60 or not _KIND.match(kind):
        raise NotificationRefused("A notification kind is a short dotted name, such as scrutiny.pack_published.")
    return kind


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    link: str,
    dedupe_key: str,
    by: User | None = None,
) -> int:
    """Record a notification for each active recipient and e-mail each of them once, after the commit.

    ``dedupe_key`` names the event (e.g. ``f"pack-published:{pack.pk}"``): a recipient who already has a
    notification with that key gets nothing new. Returns how many notifications were recorded.
    """
    kind = check_kind(kind)
    subject = check_subject(subject)
    link = check_link(link)
    if not dedupe_key or len(dedupe_key) > DEDUPE_KEY_MAX_LENGTH:
        raise NotificationRefused(f"A notification needs a dedupe key of at most {DEDUPE_KEY_MAX_LENGTH} characters.")

    people = {user.pk: user for user in recipients if user.pk is not None and user.is_active}
    if not people:
        return 0
    created: list[int] = []
    with transaction.atomic():
        already = set(
            Notification.objects.filter(recipient_id__in=people, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        for user_id in sorted(set(people) - already):
            try:
                with transaction.atomic():  # a savepoint: a concurrent notify may have just recorded it
                    notification = Notification.objects.create(
                        recipient_id=user_id,
                        kind=kind,
                        subject=subject,
                        link=link,
                        dedupe_key=dedupe_key,
                        created_by=by,
                    )
            except IntegrityError:
                continue
            created.append(notification.pk)
        if created:
            transaction.on_commit(lambda: send_notification_emails.delay(notification_ids=created))
            # Forgotten now and again after the commit, so no page caches a count from before it.
            recipients_now = sorted(set(people) - already)
            _forget_unread(recipients_now)
            transaction.on_commit(lambda: _forget_unread(recipients_now))
    return len(created)


# --- Reads and the one change a recipient makes --------------------------------------------------------------


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def _forget_unread(user_ids: Iterable[int]) -> None:
    cache.delete_many([_unread_key(user_id) for user_id in user_ids])


def unread_count(*, user: User) -> int:
    """How many of the user's notifications are unread (the header's badge).

    Kept in the cache so a page costs no query for it; ``notify`` and ``mark_read`` forget the figure when
    they change it, and it expires anyway after ``NOTIFICATION_COUNT_SECONDS``.
    """
    if not user.is_authenticated:
        return 0
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user).unread().count()
        # Inside a transaction the figure may include rows that are rolled back: kept only once committed.
        transaction.on_commit(lambda: cache.set(key, count, timeout=settings.NOTIFICATION_COUNT_SECONDS))
    return int(count)


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or, with no ID, all of them) as read; how many changed.

    Only the user's own: an ID that is someone else's changes nothing (the view answers 404).
    """
    mine = Notification.objects.filter(recipient=user).unread()
    if notification_id is not None:
        mine = mine.filter(pk=notification_id)
    changed = mine.update(read_at=timezone.now())
    _forget_unread([user.pk])
    transaction.on_commit(lambda: _forget_unread([user.pk]))
    return changed
