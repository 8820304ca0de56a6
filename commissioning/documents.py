"""Documents attached to any record: a provider's improvement plan, a contract variation letter, a visit's photos.

Who may attach, see and remove a document follows the record it belongs to: attaching and removing need the
right to change the record, seeing and downloading the right to view it (``commissioning.permissions``). Files
are checked before anything is stored: the type must be one we accept, the size within ``DOCUMENT_MAX_BYTES``,
the content what the name says (a "PDF" that is a zip is refused) and Office files must not unpack to more
than the workbook limit (zip bombs) or carry macros. Stored names are random; the name the file had stays in the
database and is given back on download.

Files are served only by ``commissioning.document_views.download`` (``documents/`` is not one of the folders
``/media/`` serves).
"""

from __future__ import annotations

import hashlib
import logging
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat

from . import permissions
from .models import Document
from .security import MAX_WORKBOOK_EXPANDED_BYTES, validate_upload

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from .models import User

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# What we store it as, by extension: never the type the browser claimed.
MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
ALLOWED_EXTENSIONS = tuple(MIME_TYPES)
ALLOWED_IN_WORDS = "a PDF, Word (.docx), Excel (.xlsx), CSV, PNG or JPEG file"
# Office files are zips of XML parts: the part each must have, and how far they may unpack.
_OFFICE_PARTS = {"docx": ("word/", "Word document"), "xlsx": ("xl/", "Excel workbook")}
MAX_EXPANDED_BYTES = MAX_WORKBOOK_EXPANDED_BYTES
MAX_ARCHIVE_MEMBERS = 10_000
TITLE_MAX_LENGTH = Document._meta.get_field("title").max_length or 200
_UNSAFE_NAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]')


def max_bytes() -> int:
    """The largest document accepted (``DOCUMENT_MAX_BYTES``, 10 MB unless set)."""
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError({"file": [ValidationError(message, code=code)]})


def check_document_file(file: Any) -> str:
    """Check the file's type, size and content; return its extension. ValidationError on "file" naming the type
    refused or the limit exceeded. Reads nothing into storage; leaves the file at position 0."""
    name = PurePath(str(getattr(file, "name", "") or "").replace("\\", "/")).name
    extension = PurePath(name).suffix.lower().lstrip(".")
    limit = max_bytes()
    try:
        extension = validate_upload(file, allowed_extensions=ALLOWED_EXTENSIONS, max_bytes=limit)
    except ValidationError as error:
        message = _reword(error, extension=extension, size=_size_of(file), limit=limit)
        raise _file_error(message, error.code or "file_content") from error
    if extension in _OFFICE_PARTS:
        _check_office_archive(file, extension)
    return extension


def _size_of(file: Any) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    return int(size)


def _reword(error: ValidationError, *, extension: str, size: int, limit: int) -> str:
    """Our wording for the shared upload checks' refusals (which name the limit or the type)."""
    if error.code == "file_type":
        if not extension:
            return f"The selected file has no file type (such as .pdf). It must be {ALLOWED_IN_WORDS}."
        return f"A .{extension} file cannot be attached. The selected file must be {ALLOWED_IN_WORDS}."
    if error.code == "file_size":
        if size > limit:
            return f"The selected file is {filesizeformat(size)}: it must be smaller than {filesizeformat(limit)}."
        return _too_large_once_opened()
    return error.messages[0]


def _too_large_once_opened() -> str:
    return (
        f"The selected file would unpack to more than {filesizeformat(MAX_EXPANDED_BYTES)} when opened, "
        "so it cannot be attached. Save it again without the unused content and upload that."
    )


def _check_office_archive(file: Any, extension: str) -> None:
    """A .docx or .xlsx is a zip of XML parts: refuse other zips, archives that would unpack hugely
    (zip bombs, counted by the sizes the archive declares, which is all zipfile will ever unpack), and
    macro-enabled files renamed to look like ordinary ones."""
    prefix, words = _OFFICE_PARTS[extension]
    not_real = _file_error(
        f"The selected file is not a real .{extension} file ({words}). Save it again as .{extension} and upload that.",
        "file_content",
    )
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise not_real from error
    finally:
        file.seek(0)
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(name.startswith(prefix) for name in names):
        raise not_real
    if len(members) > MAX_ARCHIVE_MEMBERS or sum(member.file_size for member in members) > MAX_EXPANDED_BYTES:
        raise _file_error(_too_large_once_opened(), "file_size")
    if any(PurePath(name).name.lower() == "vbaproject.bin" for name in names):
        raise _file_error(
            f"The selected file contains macros, which cannot be attached. Save it as a .{extension} file "
            "without macros and upload that.",
            "file_content",
        )


def clean_filename(name: str, extension: str) -> str:
    """The name to give the file back under: no folders, no characters browsers or disks refuse, at most 255."""
    name = PurePath(str(name).replace("\\", "/")).name
    name = _UNSAFE_NAME_CHARACTERS.sub("_", name).strip(" .") or f"document.{extension}"
    if len(name) > 255:
        suffix = PurePath(name).suffix[:20]
        name = name[: 255 - len(suffix)] + suffix
    return name


def _sha256(file: Any) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    if hasattr(file, "chunks"):
        for chunk in file.chunks():
            digest.update(chunk)
    else:
        for chunk in iter(lambda: file.read(64 * 1024), b""):
            digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _governing(obj: models.Model) -> models.Model:
    """The record whose rights decide who may attach to and see ``obj``'s documents: ``obj`` itself, or the
    record it names as ``documents_belong_to`` (a contract change's documents are its contract's)."""
    parent = getattr(obj, "documents_belong_to", None)
    return parent if isinstance(parent, models.Model) else obj


def _may(user: Any, action: str, obj: models.Model) -> bool:
    record = _governing(obj)
    return permissions.may(user, f"{record._meta.app_label}.{action}_{record._meta.model_name}", record)


def _require(user: Any, action: str, obj: models.Model) -> None:
    record = _governing(obj)
    permissions.require(user, f"{record._meta.app_label}.{action}_{record._meta.model_name}", record)


# --- Writes ---------------------------------------------------------------------------------------------------


def attach_document(*, to: models.Model, file: UploadedFile, title: str, by: User) -> Document:
    """Attach a file to a record, if ``by`` may change the record and the file passes every check."""
    _require(by, "change", to)
    if to.pk is None:
        raise ValueError("Save the record before attaching documents to it.")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter a title for the document."})
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError({"title": f"The title must be {TITLE_MAX_LENGTH} characters or fewer."})
    extension = check_document_file(file)

    document = Document(
        content_type=ContentType.objects.get_for_model(to),
        object_id=to.pk,
        title=title,
        original_filename=clean_filename(file.name or "", extension),
        mime_type=MIME_TYPES[extension],
        size=_size_of(file),
        sha256=_sha256(file),
        uploaded_by=by,
    )
    document.file.save(f"upload.{extension}", file, save=False)
    stored = document.file.name or ""
    try:
        with transaction.atomic():
            document._history_user = by  # type: ignore[attr-defined]
            document.save()
    except Exception:
        default_storage.delete(stored)
        raise
    logger.info("Document %s attached to %s %s by user %s", document.pk, to._meta.label, to.pk, by.pk)
    return document


def remove_document(*, document: Document, by: User) -> None:
    """Remove a document and its file, if ``by`` may change the record it belongs to. Its history keeps who
    removed what, when; the file goes once the removal is committed."""
    record = document.content_object
    if record is not None:
        _require(by, "change", record)
    else:  # the record has gone: only those who may delete documents tidy up after it
        permissions.require(by, "commissioning.delete_document")
    stored, document_id = document.file.name or "", document.pk
    with transaction.atomic():
        document._history_user = by  # type: ignore[attr-defined]
        document.delete()
        transaction.on_commit(lambda: default_storage.delete(stored))
    logger.info("Document %s removed by user %s", document_id, by.pk)


# --- Reads ----------------------------------------------------------------------------------------------------


def documents_for(*, obj: models.Model, user: User) -> QuerySet[Document]:
    """The documents attached to ``obj``, newest first: none unless ``user`` may view ``obj``."""
    if obj.pk is None or not _may(user, "view", obj):
        return Document.objects.none()
    return (
        Document.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
    )


def documents_of_records(
    *, model: type[models.Model], object_ids: Iterable[int], governing: models.Model, user: User
) -> QuerySet[Document]:
    """The documents attached to the ``model`` records ``object_ids``, which all belong to ``governing`` (their
    ``documents_belong_to``, e.g. a contract's changes), newest first, in one query: none unless ``user`` may view
    ``governing``, whose rights theirs follow. For a record's timeline."""
    if governing.pk is None or not _may(user, "view", governing):
        return Document.objects.none()
    return (
        Document.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=list(object_ids))
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
    )


def _visible_to(model: type[models.Model], user: Any) -> QuerySet | None:
    """``model``'s records ``user`` may read by its ``visible_to`` rule, or None when the model has none."""
    visible_to = getattr(model._default_manager, "visible_to", None)
    return visible_to(user) if visible_to is not None else None


def documents_visible_to(user: Any, record_models: dict[type[models.Model], type[models.Model]]) -> QuerySet[Document]:
    """The documents on records of the models in ``record_models`` (each mapped to the model that governs its
    documents: itself, or the one its ``documents_belong_to`` names) that ``user`` may read, in one query: the rule
    of ``may_view_documents_of``."""
    allowed = models.Q(pk__in=[])
    for model, governing in record_models.items():
        if not permissions.may(user, f"{governing._meta.app_label}.view_{governing._meta.model_name}"):
            continue
        visible = _visible_to(model, user)
        records = (visible if visible is not None else model._default_manager.all()).values("pk")
        allowed |= models.Q(content_type=ContentType.objects.get_for_model(model), object_id__in=records)
    return Document.objects.filter(allowed)


def document_for_download(*, document_id: int, user: User) -> Document | None:
    """The document, if ``user`` may read the record it belongs to (None otherwise, or if it has gone)."""
    document = Document.objects.select_related("content_type").filter(pk=document_id).first()
    if document is None:
        return None
    record = document.content_object
    if record is None or not may_view_documents_of(user=user, obj=record):
        return None
    return document


# Versions: a document attached under the title of one already on the record is its next version (both kept).


@dataclass(frozen=True)
class DocumentVersions:
    """One document as the record lists it: its latest version, which version that is, and the earlier ones
    (newest first, each with its version number)."""

    latest: Document
    version: int
    earlier: list[tuple[int, Document]]


def _title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def document_versions(documents: Iterable[Document]) -> list[DocumentVersions]:
    """A record's documents grouped by title (case and spacing ignored), each numbered in upload order; the
    most recently updated first. Reads nothing more than ``documents``."""
    by_title: dict[str, list[Document]] = {}
    for document in documents:
        by_title.setdefault(_title_key(document.title), []).append(document)
    grouped = []
    for versions in by_title.values():
        versions.sort(key=lambda d: (d.uploaded_at, d.pk))
        numbered = list(enumerate(versions, start=1))
        version, latest = numbered[-1]
        grouped.append(DocumentVersions(latest=latest, version=version, earlier=numbered[-2::-1]))
    grouped.sort(key=lambda group: (group.latest.uploaded_at, group.latest.pk), reverse=True)
    return grouped


def may_attach_to(*, user: Any, obj: models.Model) -> bool:
    """Whether ``user`` may attach documents to ``obj`` (and remove them): the right to change the record."""
    return obj.pk is not None and _may(user, "change", obj)


def may_view_documents_of(*, user: Any, obj: models.Model) -> bool:
    """Whether ``user`` may see, download or find ``obj``'s documents: the view permission of the record that
    governs them (``documents_belong_to``), and ``obj`` among its model's ``visible_to(user)``, so a restricted
    concern's files are as need-to-know as the concern itself. ``documents_visible_to`` is the same rule as a
    query."""
    if obj.pk is None or not _may(user, "view", obj):
        return False
    visible = _visible_to(type(obj), user)
    return visible is None or visible.filter(pk=obj.pk).exists()
