"""PDF building blocks shared by every app that prints documents: HTML to tagged PDF, page counts, checksums.

WeasyPrint lays out HTML with CSS paged media; it never fetches anything from the network here:
stylesheets and images resolve against local static files (``base_url`` and a URL fetcher that
refuses remote addresses), and fonts are the system's DejaVu/Liberation.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

# WeasyPrint logs every page it lays out at INFO; a 50-page pack would flood the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# PDF/UA-1: tagged structure, title shown in the window bar, document language (WeasyPrint 65+).
PDF_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    layout_seconds: float


def static_path(relative: str) -> Path:
    """The file behind a static path such as ``css/pdf.css`` (from the app's static folders)."""
    found = finders.find(relative)
    if not found:
        raise FileNotFoundError(f"Static file {relative!r} not found.")
    return Path(found)


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)]
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, tuple) else entry))
    return [root.resolve() for root in roots]


def _local_only_fetcher():
    """WeasyPrint's own fetcher, allowed file: and data: URLs only, and file: URLs only inside the static
    folders: a document never waits on the network and never reads a file it was not meant to print."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(unquote(urlparse(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in _static_roots()):
                    raise ValueError(f"Refusing to read {path} while rendering a PDF: not a static file.")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


def html_to_pdf(
    html: str, *, stylesheets: Sequence[str | Path] = (), base_url: str | Path | None = None
) -> RenderedPdf:
    """Lay out ``html`` (which carries its own ``<title>`` and ``<html lang>``) as a tagged PDF.

    ``stylesheets`` are local file paths. The PDF identifier is derived from the HTML so that
    the same input gives the same bytes.
    """
    from weasyprint import CSS, HTML

    base_url = str(base_url or Path(settings.BASE_DIR) / "static") + "/"
    started = time.perf_counter()
    fetcher = _local_only_fetcher()
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[CSS(filename=str(path), url_fetcher=fetcher) for path in stylesheets],
        pdf_variant=PDF_VARIANT,
    )
    content = document.write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_identifier=hashlib.md5(html.encode(), usedforsecurity=False).hexdigest().encode(),
    )
    return RenderedPdf(content=content, page_count=len(document.pages), layout_seconds=time.perf_counter() - started)


def count_pages(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def sha256_hex(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return f"{value._meta.label}:{value.pk}"
    return str(value)


def canonical_json(data) -> str:
    """Stable JSON of ``data`` (sorted keys; dates, decimals and model rows as text) for checksums."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=_json_default)
