"""Background jobs of the shared core."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection, send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

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


@shared_task(bind=True, acks_late=True)
def run_import(self, *, job_id: str) -> str:
    """Run a queued ImportJob: its importer on its stored file, all or nothing as inline, recording rows read
    and errors so far on the job as the pipeline reports them. A file refused as a whole, or an importer that
    fails, leaves the job failed with the reason; the stored file is deleted once the job is finished."""
    from django.utils.module_loading import import_string

    from .imports import ImportFileError, Progress, error_report_csv, progress_reset, progress_to
    from .models import ImportJob

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "already run"  # a redelivered task: the first run owns the job
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def save_progress(rows: int, errors: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_read=rows, error_count=errors)

    progress = Progress(save_progress)
    token = progress_to(progress)
    try:
        with job.file.open("rb") as stored:
            content = stored.read()
        report = import_string(job.importer)(
            content=content, filename=job.filename, by=job.created_by, dry_run=job.dry_run, **job.options
        )
    except ImportFileError as error:
        job.status, job.message = ImportJob.Status.FAILED, error.message
        job.rows_read = progress.rows
    except PermissionDenied as error:  # a row the user may not write: the service refused the whole file
        job.status, job.message = ImportJob.Status.FAILED, f"Nothing was imported. {error}"
        job.rows_read = progress.rows
    except Exception as error:  # the job must end, whatever went wrong; the log keeps the traceback
        logger.exception("Import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.message = f"The import stopped with an unexpected error ({type(error).__name__}); nothing was imported."
        job.rows_read = progress.rows
    else:
        job.status = ImportJob.Status.SUCCEEDED if report.ok else ImportJob.Status.FAILED
        job.rows_read, job.error_count = report.rows_read, report.error_count
        job.result = report.to_dict()
        job.error_report = error_report_csv(report.errors, error_count=report.error_count) if report.errors else ""
    finally:
        progress_reset(token)
    job.finished_at = timezone.now()
    job.save()
    job.file.delete(save=True)  # the upload may hold personal data: kept no longer than needed
    return job.status
