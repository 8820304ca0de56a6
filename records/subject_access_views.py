"""Subject access and redaction pages (administrators, who act for the data protection officer): thin views
over records.subject_access."""

from __future__ import annotations

import csv
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning import permissions, roles
from commissioning.pdf import html_to_pdf, static_path
from commissioning.security import neutralise_row

from . import subject_access
from .models import SubjectAccessSearch
from .subject_access_forms import RedactionForm, SubjectAccessSearchForm

EXPORT_STYLESHEET = "css/subject-access-export.css"


def administrators_only(view: Any) -> Any:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not permissions.has_role(request.user, roles.ADMINISTRATOR):
            raise PermissionDenied("Subject access searches and redactions are for administrators.")
        return view(request, *args, **kwargs)

    return wrapped


def _add_errors(form: Any, error: ValidationError) -> None:
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


@administrators_only
@require_http_methods(["GET", "POST"])
def subject_access_search(request: HttpRequest) -> HttpResponse:
    form = SubjectAccessSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            search, _result = subject_access.subject_access_search(
                by=request.user,  # type: ignore[arg-type]  # administrators_only: signed in
                **form.cleaned_data,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect(search)
    searches = SubjectAccessSearch.objects.select_related("by")[:20]
    return render(request, "records/subject_access.html", {"form": form, "searches": searches})


def _results_context(request: HttpRequest, search: SubjectAccessSearch) -> dict[str, Any]:
    result = subject_access.search_results(search=search, user=request.user)
    return {"search": search, "result": result, "cap": subject_access.HIT_CAP}


@administrators_only
@require_GET
def subject_access_results(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SubjectAccessSearch.objects.select_related("by"), pk=pk)
    context = _results_context(request, search)
    context["form"] = RedactionForm(allowed=[], initial={"replacement": subject_access.DEFAULT_REPLACEMENT})
    return render(request, "records/subject_access_results.html", context)


@administrators_only
@require_GET
def subject_access_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SubjectAccessSearch.objects.select_related("by"), pk=pk)
    result = subject_access.search_results(search=search, user=request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{search.pk}.csv"'
    writer = csv.writer(response)
    for row in (
        ["Request reference", search.reference],
        ["Searched", f"{timezone.localtime(search.searched_at):%d/%m/%Y %H:%M}"],
        ["Searched by", search.by.get_full_name() or search.by.username],
        ["Exported", f"{timezone.localtime():%d/%m/%Y %H:%M}"],
        ["Terms", "; ".join(search.term_list)],
        ["Hits", len(result.hits), "(capped)" if result.truncated else ""],
        [],
        ["Record type", "ID", "Date", "Field", "Matches", "Snippet", "Link", "Restricted"],
    ):
        writer.writerow(neutralise_row(row))
    for hit in result.hits:
        writer.writerow(
            neutralise_row(
                [
                    hit.source.label,
                    hit.record.pk,
                    hit.date.isoformat() if hit.date else "",
                    hit.field_label,
                    hit.matches,
                    hit.snippet,
                    request.build_absolute_uri(hit.url),
                    "yes" if hit.restricted else "",
                ]
            )
        )
    return response


@administrators_only
@require_GET
def subject_access_export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SubjectAccessSearch.objects.select_related("by"), pk=pk)
    context = _results_context(request, search)
    context["exported_at"] = timezone.now()
    html = render_to_string("records/subject_access_export.html", context, request=request)
    # Templates carry no <style> (the site's CSP): the export's look is a static stylesheet.
    rendered = html_to_pdf(html, stylesheets=[static_path(EXPORT_STYLESHEET)])
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{search.pk}.pdf"'
    return response


@administrators_only
@require_POST
def subject_access_redact(request: HttpRequest, pk: int) -> HttpResponse:
    """The redact action: the first POST shows what will change, the second (confirm) changes it."""
    search = get_object_or_404(SubjectAccessSearch.objects.select_related("by"), pk=pk)
    choices = request.POST.getlist("choices")
    form = RedactionForm(request.POST, allowed=choices)
    planned = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["confirm"]:
                subject_access.records_redact(
                    search=search,
                    choices=data["choices"],
                    replacement=data["replacement"],
                    reason=data["reason"],
                    by=request.user,  # type: ignore[arg-type]  # administrators_only: signed in
                )
                return redirect("records:redactions")
            planned = subject_access.redaction_preview(
                search=search, choices=data["choices"], replacement=data["replacement"], user=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
    if not form.is_valid() or not planned:
        context = _results_context(request, search)
        context["form"] = form
        return render(request, "records/subject_access_results.html", context, status=400)
    return render(
        request,
        "records/redaction_confirm.html",
        {"search": search, "planned": planned, "form": form, "choices": form.cleaned_data["choices"]},
    )


@administrators_only
@require_GET
def redaction_log(request: HttpRequest) -> HttpResponse:
    return render(request, "records/redaction_log.html", {"redactions": subject_access.redactions()[:500]})
