"""Media served only to those allowed to see it (the health checks are commissioning.health's)."""

import mimetypes

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

# Media sub-folders and the permission needed to read files in them. An app that stores
# files adds its folder here; anything not listed is refused.
MEDIA_FOLDER_PERMISSIONS: dict[str, str] = {
    "packs": "scrutiny.view_scrutinypack",
    "reports": "strategies.view_highlightreport",
    "imports": "contracts.import_contracts",
}
# Extra per-file checks (e.g. a draft pack is not for scrutiny members), by folder.
MEDIA_FILE_CHECKS: dict = {}


@require_GET
def protected_media(request, path: str):
    folder = path.split("/", 1)[0]
    permission = MEDIA_FOLDER_PERMISSIONS.get(folder)
    if permission is None or ".." in path.split("/"):
        raise Http404
    if not request.user.has_perm(permission):
        raise PermissionDenied
    check = MEDIA_FILE_CHECKS.get(folder)
    if check is not None and not check(request.user, path):
        raise Http404
    if not default_storage.exists(path):
        raise Http404
    content_type, _ = mimetypes.guess_type(path)
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{path.rsplit("/", 1)[-1]}"'
    response["Cache-Control"] = "private, no-store"
    return response
