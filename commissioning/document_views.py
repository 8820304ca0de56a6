"""Documents attached to records: downloading one (for those who may view the record, as a download only), and
attaching and removing them on any record of the allow-list below (for those who may change the record).

Records are addressed by app label, model name and primary key and resolved with ``apps.get_model``, so the core
imports no domain app. A record someone may not view is not found (404), whether or not it exists; one they may
view but not change is refused (403).
"""

from typing import Any, cast

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from .documents import (
    attach_document,
    document_for_download,
    may_attach_to,
    may_view_documents_of,
    remove_document,
)
from .forms import NOT_SAVED, DocumentForm, save_through_service
from .models import Document, User

# The records documents may be attached to through these pages, as "app_label.modelname".
DOCUMENT_RECORDS = frozenset(
    {
        "contracts.contract",
        "contracts.contractchange",
        "oversight.performanceassessment",
        "oversight.kpiresult",
        "oversight.contractperformancenotice",
        "oversight.contractbreach",
    }
)


@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    """The file, under the name it was uploaded with. Not found for anyone who may not view the record it
    belongs to: whether a document exists is not theirs to know."""
    user = request.user
    document = document_for_download(document_id=pk, user=user) if isinstance(user, User) else None
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_filename, content_type=document.mime_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def record_label(record: models.Model) -> str:
    return f"{record._meta.app_label}.{record._meta.model_name}"


def attach_url(record: models.Model) -> str | None:
    """Where a record's upload form posts to, or None for a record documents are not attached to here."""
    if record.pk is None or record_label(record) not in DOCUMENT_RECORDS:
        return None
    return reverse("document-attach", args=[record._meta.app_label, record._meta.model_name, record.pk])


def record_url(record: Any) -> str:
    """The record's own page: its get_absolute_url, else its contract's."""
    if hasattr(record, "get_absolute_url"):
        return str(record.get_absolute_url())
    contract = getattr(record, "contract", None)
    if contract is not None and hasattr(contract, "get_absolute_url"):
        return str(contract.get_absolute_url())
    return reverse("home")


def _viewable_record(user: Any, app_label: str, model_name: str, pk: int) -> models.Model:
    """The record, if it is one documents are attached to here and ``user`` may view it; else Http404."""
    if f"{app_label}.{model_name}".lower() not in DOCUMENT_RECORDS:
        raise Http404("No such record")
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as error:
        raise Http404("No such record") from error
    manager: Any = model._default_manager
    records = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
    record = records.filter(pk=pk).first()
    if record is None or not may_view_documents_of(user=user, obj=record):
        raise Http404("No such record")
    return record


def _back(request: HttpRequest, record: Any) -> str:
    """The page to go back to: ``next`` when it is a path on this site, else the record's page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return record_url(record)


@require_http_methods(["GET", "POST"])
def attach(request: HttpRequest, app_label: str, model_name: str, pk: int) -> HttpResponse:
    """Attach a document to a record (its page's form posts here): back to the record once attached; the form
    again, with the refusal on its field, when the file is too large or of a type not accepted."""
    record = _viewable_record(request.user, app_label, model_name, pk)
    if not may_attach_to(user=request.user, obj=record):
        raise PermissionDenied
    form = DocumentForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    saved = save_through_service(
        request,
        form,
        lambda: attach_document(
            to=record, file=form.cleaned_data["file"], title=form.cleaned_data["title"], by=cast(User, request.user)
        ),
        success=lambda document: f"Document attached: {document.title}.",
    )
    back = _back(request, record)
    if saved is not NOT_SAVED:
        return redirect(back)
    return render(
        request,
        "commissioning/document_attach.html",
        {
            "form": form,
            "title": "Attach a document",
            "caption": str(record),
            "back_url": back,
            "next": back,
            "breadcrumbs": [(str(record), record_url(record)), ("Attach a document", None)],
        },
    )


@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a document (with every right to change its record); back to the record. A GET asks first: what is
    removed, from which record, and that it cannot be undone."""
    document = get_object_or_404(Document.objects.select_related("content_type", "uploaded_by"), pk=pk)
    record = document.content_object
    if record is None or record_label(record) not in DOCUMENT_RECORDS:
        raise Http404("No such document")
    if not may_view_documents_of(user=request.user, obj=record):
        raise Http404("No such document")
    if request.method == "GET":
        if not may_attach_to(user=request.user, obj=record):
            raise PermissionDenied
        back = _back(request, record)
        return render(
            request,
            "commissioning/document_remove.html",
            {
                "document": document,
                "record": record,
                "back_url": back,
                "breadcrumbs": [(str(record), record_url(record)), ("Remove a document", None)],
            },
        )
    title = document.title
    remove_document(
        document=document, by=cast(User, request.user)
    )  # PermissionDenied (403) without the right to change
    messages.success(request, f"Document removed: {title}.")
    return redirect(_back(request, record))
