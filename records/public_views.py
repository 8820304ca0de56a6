"""The public statements' pages: read by anyone without signing in; edited by administrators. The edit paths
sit under the open prefixes (commissioning.middleware.OPEN_PREFIXES), so they check sign-in themselves."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from commissioning.forms import service_form_page

from . import public
from .public_forms import AccessibilityStatementForm, StatementForm

Kind = public.Kind


def _show(request: HttpRequest, kind: str) -> HttpResponse:
    page = public.statement_page(kind=kind)
    return render(
        request,
        "records/statement.html",
        {"page": page, "may_edit": public.may_edit_statements(request.user)},
    )


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return _show(request, Kind.ACCESSIBILITY)


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return _show(request, Kind.PRIVACY)


def _edit(request: HttpRequest, kind: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not public.may_edit_statements(request.user):
        raise PermissionDenied("Only administrators edit the public statements.")
    form_class = AccessibilityStatementForm if kind == Kind.ACCESSIBILITY else StatementForm
    form = form_class(request.POST or None, initial=public.statement_initial(kind=kind))
    url_name = "public:accessibility" if kind == Kind.ACCESSIBILITY else "public:privacy"

    def save():
        data = form.cleaned_data
        return public.statement_update(
            kind=kind,
            by=request.user,
            body=data["body"],
            pages_checked=data.get("pages_checked"),
            serious_violations=data.get("serious_violations"),
            date_checked=data.get("date_checked"),
        )

    return service_form_page(
        request,
        form,
        save,
        success=f"{Kind(kind).label} saved",
        context={"title": f"Edit the {Kind(kind).label.lower()}", "back_url": reverse(url_name)},
        redirect_to=lambda _saved: reverse(url_name),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def accessibility_edit(request: HttpRequest) -> HttpResponse:
    return _edit(request, Kind.ACCESSIBILITY)


@require_http_methods(["GET", "HEAD", "POST"])
def privacy_edit(request: HttpRequest) -> HttpResponse:
    return _edit(request, Kind.PRIVACY)
