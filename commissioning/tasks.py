"""Background jobs of the shared core."""

from celery import shared_task
from django.core.mail import send_mail


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification(self, *, subject: str, body: str, recipients: list[str]) -> int:
    """Send one e-mail to the given addresses; retried with backoff when the mail server is unreachable."""
    if not recipients:
        return 0
    return send_mail(subject, body, None, recipients, fail_silently=False)
