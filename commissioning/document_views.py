"""Downloading a document attached to a record: for those who may view the record, and as a download only."""

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from .documents import document_for_download
from .models import User


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
