"""Background jobs of the shared core."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

NOTIFICATION_EMAIL_TEMPLATE = "commissioning/notifications_email.txt"


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification(self, *, subject: str, body: str, recipients: list[str]) -> int:
    """Send one e-mail to the given addresses; retried with backoff when the mail server is unreachable.

    Older callers only: new code calls ``commissioning.notifications.notify``, which records the notification,
    builds a body that carries no record content, and sends each person's e-mail once.
    """
    if not recipients:
        return 0
    return send_mail(subject, body, None, recipients, fail_silently=False)


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(self, *, notification_ids: list[int]) -> int:
    """E-mail each notification's recipient, once: the notification is claimed (``emailed_at`` set by a
    conditional update) before its e-mail goes, so a retried or repeated task skips what was sent. If the mail
    server refuses, the claim is given back and the task retried. Returns how many e-mails were sent."""
    sent = 0
    connection = get_connection()
    for notification in (
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    ):
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            continue  # seen in the service only
        claimed_at = timezone.now()
        if not Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=claimed_at):
            continue  # another run has it
        try:
            sent += notification_email(notification, connection=connection).send(fail_silently=False)
        except Exception:
            Notification.objects.filter(pk=notification.pk, emailed_at=claimed_at).update(emailed_at=None)
            raise
    return sent


def notification_email(notification: Notification, *, connection=None) -> EmailMessage:
    """The e-mail for a notification: its subject, and a body from the template that sees only the subject,
    the link (made absolute with ``SITE_URL``) and the kind."""
    site_url = getattr(settings, "SITE_URL", "http://localhost:8000").rstrip("/")
    context = {"subject": notification.subject, "link": f"{site_url}{notification.link}", "kind": notification.kind}
    body = render_to_string(NOTIFICATION_EMAIL_TEMPLATE, context)
    return EmailMessage(
        subject=notification.subject, body=body, to=[notification.recipient.email], connection=connection
    )
