"""Spreadsheet files built in tests: .ods written by hand (the OpenDocument layout is a zip of XML parts, with
the mimetype stored first), .xlsx through openpyxl, CSV in any encoding and delimiter."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook

_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""

_CONTENT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
_CONTENT_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _ods_cell(value: Any) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        raise TypeError("booleans are not needed in these tests")
    if isinstance(value, int | float):
        attributes = f'office:value-type="float" office:value="{value}"'
        return f"<table:table-cell {attributes}><text:p>{value}</text:p></table:table-cell>"
    if isinstance(value, datetime.date):
        iso = value.isoformat()
        attributes = f'office:value-type="date" office:date-value="{iso}"'
        return f"<table:table-cell {attributes}><text:p>{iso}</text:p></table:table-cell>"
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def ods(sheets: Mapping[str, Sequence[Sequence[Any]]]) -> bytes:
    """An OpenDocument spreadsheet with the given sheets (name -> rows), in order."""
    body = []
    for name, rows in sheets.items():
        body.append(f'<table:table table:name="{escape(name)}">')
        for row in rows:
            body.append("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>")
        body.append("</table:table>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("content.xml", _CONTENT_HEAD + "".join(body) + _CONTENT_TAIL)
    return out.getvalue()


def xlsx(sheets: Mapping[str, Sequence[Sequence[Any]]]) -> bytes:
    """An Excel workbook with the given sheets (name -> rows), in order."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(encoding)


def zip_bomb_xlsx(*, unpacked_bytes: int = 60 * 1024 * 1024) -> bytes:
    """A small .xlsx whose sheet part unpacks to ``unpacked_bytes`` of zeros (a decompression bomb)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            chunk = b"0" * (1024 * 1024)
            for _ in range(unpacked_bytes // len(chunk)):
                part.write(chunk)
    return out.getvalue()
