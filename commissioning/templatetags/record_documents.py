"""The documents panel of a record's page (commissioning/includes/documents.html): versions, rights, form."""

from __future__ import annotations

from typing import Any

from django import template

from ..document_views import attach_url
from ..documents import document_versions, may_attach_to
from ..forms import DocumentForm

register = template.Library()


@register.simple_tag(takes_context=True)
def document_panel(context: template.Context, record: Any, documents: Any) -> dict[str, Any]:
    """What the include shows for ``record``: its ``documents`` (from ``documents_for``) grouped into versions,
    whether the signed-in user may attach and remove them, the upload form and where it posts. Queries nothing
    beyond ``documents`` (the user's permissions are cached on the user)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    url = attach_url(record) if record is not None else None
    may_change = url is not None and user is not None and may_attach_to(user=user, obj=record)
    return {
        "versions": document_versions(documents or []),
        "may_change": may_change,
        "attach_url": url,
        "form": DocumentForm(auto_id="id_document_%s") if may_change else None,
        "back": request.get_full_path() if request is not None else "",
    }
