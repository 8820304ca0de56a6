"""A background import's progress and outcome, and its error report: for the person who started it and
administrators only (anyone else is told it does not exist)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import ImportJob

# How often the progress page reloads itself while the job runs (a meta refresh: works without JavaScript).
REFRESH_SECONDS = 3


def _job(request: HttpRequest, pk) -> ImportJob:
    job = ImportJob.objects.visible_to(request.user).select_related("created_by").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@require_GET
def import_job(request: HttpRequest, pk) -> HttpResponse:
    job = _job(request, pk)
    return render(
        request,
        "commissioning/import_job.html",
        {
            "job": job,
            "result": job.result,
            "refresh_seconds": None if job.finished else REFRESH_SECONDS,
            "breadcrumbs": [(f"Import of {job.filename}", None)],
        },
    )


@require_GET
def import_job_errors(request: HttpRequest, pk) -> HttpResponse:
    """The job's problems as a CSV of row, column, value and problem (cells made safe for spreadsheets)."""
    job = _job(request, pk)
    if not job.error_report:
        raise Http404
    response = HttpResponse(job.error_report, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-problems-{job.pk}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
