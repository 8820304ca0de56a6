"""Checks shared by every import and export: uploads are the type and size they claim, and
spreadsheet cells can never start a formula on the machine of the person who opens the export."""

import re
import zipfile
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

# What each kind of file must start with. CSV has no signature: it is checked as text instead.
_ZIP_SIGNATURE = b"PK\x03\x04"
_SIGNATURES = {
    "xlsx": (_ZIP_SIGNATURE,),
    "ods": (_ZIP_SIGNATURE,),
    "docx": (_ZIP_SIGNATURE,),
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
_TEXT_TYPES = {"csv", "txt"}
# How much of a text file is read to decide whether it really is text.
_TEXT_SNIFF_BYTES = 64 * 1024
# An .xlsx may not unpack to more than this: a compressed "zip bomb" could fill memory when openpyxl opens it.
MAX_WORKBOOK_EXPANDED_BYTES = 200 * 1024 * 1024

# Characters with which a spreadsheet starts a formula (OWASP "CSV injection"), including
# tab and carriage return, which some programs strip before looking at the first character.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*|\d*\.\d+)([eE][+-]?\d+)?$")


def validate_upload(
    file, *, allowed_extensions: Iterable[str], max_bytes: int, messages: Mapping[str, str] | None = None
) -> str:
    """Check an uploaded file's name, size and content; return its (lower-case) extension.

    Raises ValidationError with a message that names the problem, for the form field to show.
    ``messages`` lets a page keep its own wording: keyed by the error's code (file_type, file_empty,
    file_size, file_content, file_encoding), or by code and extension ("file_content.xlsx") to word
    one kind of file differently. The file is left at position 0 for whoever reads it next.
    """
    if not messages:
        return _validate_upload(file, allowed_extensions=allowed_extensions, max_bytes=max_bytes)
    try:
        return _validate_upload(file, allowed_extensions=allowed_extensions, max_bytes=max_bytes)
    except ValidationError as error:
        extension = PurePath(PurePath(getattr(file, "name", "") or "").name).suffix.lower().lstrip(".")
        message = messages.get(f"{error.code}.{extension}") or messages.get(error.code or "")
        if message is None:
            raise
        # The file's own figure is kept whatever the wording ("... 5 MB (it is 50.0 MB)").
        figure = (error.params or {}).get("figure")
        if figure and figure not in message:
            message = f"{message.rstrip('.')} ({figure})."
        raise ValidationError(message, code=error.code, params=error.params) from error


def _validate_upload(file, *, allowed_extensions: Iterable[str], max_bytes: int) -> str:
    allowed = sorted({ext.lower().lstrip(".") for ext in allowed_extensions})
    name = PurePath(getattr(file, "name", "") or "").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    dotted = [f".{ext}" for ext in allowed]
    listed = dotted[0] if len(dotted) == 1 else f"{', '.join(dotted[:-1])} or {dotted[-1]}"
    if not name or extension not in allowed:
        raise ValidationError(f"The selected file must be a {listed} file.", code="file_type")
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if size == 0:
        raise ValidationError("The selected file is empty.", code="file_empty")
    if size > max_bytes:
        figure = f"it is {filesizeformat(size)}"
        if filesizeformat(size) == filesizeformat(max_bytes):
            figure = f"it is {size:,} bytes; the limit is {max_bytes:,}"
        raise ValidationError(
            f"The selected file must be smaller than {filesizeformat(max_bytes)} ({figure}).",
            code="file_size",
            params={"figure": figure},
        )

    file.seek(0)
    head = file.read(_TEXT_SNIFF_BYTES if extension in _TEXT_TYPES else 8)
    file.seek(0)
    if isinstance(head, str):  # a text-mode file object: already decoded text
        head = head.encode()
    if extension in _TEXT_TYPES:
        _check_text(head, extension)
    elif extension in _SIGNATURES and not head.startswith(_SIGNATURES[extension]):
        raise ValidationError(
            f"The selected file is not a real .{extension} file. Save it again as .{extension} and upload that.",
            code="file_content",
        )
    if extension in ("xlsx", "ods"):
        _check_workbook(file, extension)
    return extension


def _check_text(head: bytes, extension: str) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(
            f"The selected .{extension} file is saved as UTF-16 ('Unicode text'): save it as UTF-8 text.",
            code="file_encoding",
        )
    if b"\x00" in head:
        raise ValidationError(
            f"The selected file is not a .{extension} file: it contains binary data.", code="file_content"
        )
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the sniffing boundary is not an error.
        if error.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                raise ValidationError(
                    f"The selected .{extension} file must be saved as UTF-8 text.", code="file_encoding"
                ) from error


# The parts each kind of workbook must have, and how it is named in a refusal.
_WORKBOOK_PARTS = {
    "xlsx": (
        lambda names: "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names),
        "an Excel workbook (.xlsx)",
    ),
    "ods": (lambda names: "content.xml" in names, "an OpenDocument spreadsheet (.ods)"),
}


def _check_workbook(file, extension: str = "xlsx") -> None:
    """An .xlsx or .ods is a zip of XML parts: refuse anything else, and archives that would expand hugely."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ValidationError(
            f"The selected file is not a real .{extension} file. Save it again as .{extension} and upload that.",
            code="file_content",
        ) from error
    finally:
        file.seek(0)
    has_parts, kind = _WORKBOOK_PARTS[extension]
    if not has_parts(names):
        raise ValidationError(f"The selected file is not {kind}.", code="file_content")
    if expanded > MAX_WORKBOOK_EXPANDED_BYTES:
        figure = f"it would unpack to {filesizeformat(expanded)}"
        raise ValidationError(
            f"The selected workbook is too large once opened ({figure}; the limit is "
            f"{filesizeformat(MAX_WORKBOOK_EXPANDED_BYTES)}).",
            code="file_size",
            params={"figure": figure},
        )


def neutralise_formula(value: Any) -> Any:
    """Make a value safe for a CSV or Excel cell: text that would start a formula is prefixed with '.

    Numbers, dates and text that is just a number ("-12.50") are left alone, so figures stay figures.
    """
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if not isinstance(value, str):
        if hasattr(value, "isoformat"):  # dates and times
            return value
        value = str(value)
    if value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(value.strip()):
        return "'" + value
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    """neutralise_formula for each cell of a row (csv.writer.writerow / openpyxl's ws.append)."""
    return [neutralise_formula(value) for value in values]
