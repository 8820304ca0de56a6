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
from xml.etree.ElementTree import Element

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
    html: str,
    *,
    stylesheets: Sequence[str | Path] = (),
    base_url: str | Path | None = None,
    document_css: str = "",
) -> RenderedPdf:
    """Lay out ``html`` (which carries its own ``<title>`` and ``<html lang>``) as a tagged PDF.

    ``stylesheets`` are local file paths; ``document_css`` is CSS computed for this one document (where its
    page numbering starts), passed here because templates carry no ``<style>`` (the site's CSP forbids inline
    styles, and the same rule holds for every template). The PDF identifier is derived from the HTML and that
    CSS, so that the same input gives the same bytes.
    """
    from weasyprint import CSS, HTML

    base_url = str(base_url or Path(settings.BASE_DIR) / "static") + "/"
    started = time.perf_counter()
    fetcher = _local_only_fetcher()
    sheets = [CSS(filename=str(path), url_fetcher=fetcher) for path in stylesheets]
    if document_css:
        sheets.append(CSS(string=document_css, url_fetcher=fetcher))
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=sheets, pdf_variant=PDF_VARIANT
    )
    content = document.write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_identifier=hashlib.md5((html + document_css).encode(), usedforsecurity=False).hexdigest().encode(),
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


# --- One layout, two documents: the PDF and an HTML copy marked with the PDF's page numbers ---------------

# Elements whose place in the layout is worth knowing: those that start a block on a page. Table rows are
# among them, so that a long table's every page has a first element; captions count towards their table.
_PROBED = frozenset(
    {"address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt", "figcaption"}
    | {"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "img", "li", "main", "nav"}
    | {"ol", "p", "pre", "section", "table", "tr", "ul"}
)
# Whatever lies inside these is laid out as one thing (an image, a formula).
_OPAQUE = frozenset({"svg", "math"})
_PROBE_PREFIX = "pdf-page-probe-"
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_RAW_TEXT = frozenset({"script", "style"})
_INLINE_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


def _local(tag) -> str:
    """An element's name without its namespace (``{http://www.w3.org/2000/svg}svg`` is ``svg``)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@dataclass
class PagedLayout:
    """A document laid out once: its PDF and, for each element of the body that starts a block, the first
    page it appears on. ``starts[n - 1]`` is the element page ``n`` begins with (None when no element starts
    on it: a page left blank, or one a long paragraph runs on to); ``blank[n - 1]`` says the page holds no
    element of the body at all. ``root`` is the parsed HTML (WeasyPrint's own tree) the layout came from."""

    pdf: RenderedPdf
    root: Element
    first_page: dict[Element, int]
    starts: list[Element | None]
    blank: list[bool]
    base_url: str
    title: str = ""
    lang: str = ""

    @property
    def page_count(self) -> int:
        return self.pdf.page_count


def lay_out_with_pages(
    html: str, *, stylesheets: Sequence[str | Path] = (), base_url: str | Path | None = None
) -> PagedLayout:
    """Lay out ``html`` as html_to_pdf does (the same PDF bytes) and say which elements start on each page.

    Every block of the body without an id gets one (a probe) on WeasyPrint's parsed tree before layout; each
    page's ``anchors`` then name the probes laid out on it. The probes are taken out of the pages' anchors
    before the PDF is written, so the PDF holds exactly the named destinations html_to_pdf would write."""
    from weasyprint import CSS, HTML

    base_url = str(base_url or Path(settings.BASE_DIR) / "static") + "/"
    started = time.perf_counter()
    fetcher = _local_only_fetcher()
    source = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    root = source.etree_element
    body = root.find("body")
    names, probes = _add_probes(root, body)
    document = source.render(
        stylesheets=[CSS(filename=str(path), url_fetcher=fetcher) for path in stylesheets],
        pdf_variant=PDF_VARIANT,
    )
    seen: dict[str, int] = {}
    located = set(names.values())
    blank = []
    for number, page in enumerate(document.pages, start=1):
        on_page = [name for name in page.anchors if name in located]
        blank.append(not on_page)
        for name in on_page:
            seen.setdefault(name, number)
        for name in [name for name in page.anchors if name in probes]:
            del page.anchors[name]
    content = document.write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_identifier=hashlib.md5(html.encode(), usedforsecurity=False).hexdigest().encode(),
    )
    for element, name in names.items():
        if name in probes:
            del element.attrib["id"]
    page_count = len(document.pages)
    first_page = _first_pages(body, {element: seen[name] for element, name in names.items() if name in seen})
    starts = _page_starts(body, first_page, page_count)
    title_element = root.find("head/title")
    return PagedLayout(
        pdf=RenderedPdf(content=content, page_count=page_count, layout_seconds=time.perf_counter() - started),
        root=root,
        first_page=first_page,
        starts=starts,
        blank=blank,
        base_url=base_url,
        title=(title_element.text or "").strip() if title_element is not None else "",
        lang=root.get("lang", ""),
    )


def _add_probes(root, body) -> tuple[dict, set[str]]:
    """Give each block of the body an id (a probe) if it has none; returns element -> the anchor name that
    locates it, and the probes' names."""
    names: dict = {}
    probes: set[str] = set()
    taken = {element.get("id") for element in root.iter() if element.get("id")}
    counter = 0

    def visit(element) -> None:
        nonlocal counter
        for child in element:
            tag = _local(child.tag)
            if tag in _PROBED:
                if child.get("id"):
                    names.setdefault(child, child.get("id"))
                else:
                    counter += 1
                    while f"{_PROBE_PREFIX}{counter}" in taken:
                        counter += 1
                    names[child] = f"{_PROBE_PREFIX}{counter}"
                    child.set("id", names[child])
                    probes.add(names[child])
            if tag not in _OPAQUE:
                visit(child)

    if body is not None:
        visit(body)
    return names, probes


def _first_pages(body, own: dict) -> dict:
    """The page each located element starts on: its own first page, or an earlier one where something inside
    it already appears (a table's caption left at the foot of the page before its rows)."""
    found: dict = {}

    def visit(element) -> int | None:
        earliest = own.get(element)
        if _local(element.tag) not in _OPAQUE:
            for child in element:
                inner = visit(child)
                if inner is not None and (earliest is None or inner < earliest):
                    earliest = inner
        if earliest is not None and element in own:
            found[element] = earliest
        return earliest

    if body is not None:
        visit(body)
    return found


def _page_starts(body, first_page: dict, page_count: int) -> list:
    """For each page, the first element in reading order that starts on it; None for a page on which nothing
    starts. An element laid out before one that precedes it (a float, say) does not move a page back."""
    starts: list = [None] * page_count
    reached = 0
    if body is None:
        return starts
    for element in body.iter():
        page = first_page.get(element)
        if page is None or page <= reached or _local(element.tag) == "caption":
            continue
        starts[page - 1] = element
        reached = page
    return starts


@dataclass(frozen=True)
class PagedHtml:
    """The HTML copy of a laid-out document: ``document`` is a whole page (language, title, stylesheets, no
    script); ``body`` is what lies between ``BODY_START`` and ``BODY_END`` in it, for a page that shows the
    copy inside its own layout."""

    document: str
    body: str
    page_count: int

    BODY_START = "<!-- paged-html:start -->"
    BODY_END = "<!-- paged-html:end -->"

    @classmethod
    def body_of(cls, document: str) -> str | None:
        """The body of a stored copy, or None if ``document`` is not one."""
        head, found, rest = document.partition(cls.BODY_START)
        body, ended, _ = rest.partition(cls.BODY_END)
        return body if found and ended else None


def paged_html(
    layout: PagedLayout, *, stylesheet_urls: Sequence[str] = (), heading_offset: int = 1, contents_title: str = ""
) -> PagedHtml:
    """The laid-out document as HTML for a screen, with a marker ("Page 27", ``id="page-27"``) before the first
    element of each page of the PDF and a contents list of the pages. Built from the same parsed tree as the
    PDF (which it changes: call it once per layout).

    For reading on a phone: headings move down ``heading_offset`` levels (the page showing the copy has its
    own ``<h1>``); tables sit in containers of their own that scroll sideways, and a table that runs over
    pages is cut where the PDF's page turns, its header repeated as the PDF repeats it; images come inline
    (``data:``); scripts, styles and event handlers are dropped; internal links say the PDF page they go to."""
    root = layout.root
    body = root.find("body")
    if body is None:  # the HTML parser always makes one
        body = Element("body")
        root.append(body)
    total = layout.page_count
    labels = _page_labels(layout)
    _insert_markers(layout, total)
    _annotate_internal_links(body, layout)
    _clean(body, layout.base_url, heading_offset)
    _wrap_tables(body)
    lang = layout.lang or "en"
    contents = _contents(labels, total, contents_title or "Pages")
    inner: list[str] = []
    for child in body:
        _serialise(child, inner)
    body_html = (
        f'<div class="app-paged" lang="{_escape_attr(lang)}">\n{contents}\n'
        f'<div class="app-paged__document">{_escape_text(body.text or "")}{"".join(inner)}</div>\n</div>'
    )
    links = "".join(f'\n<link rel="stylesheet" href="{_escape_attr(url)}">' for url in stylesheet_urls)
    document = (
        f'<!DOCTYPE html>\n<html lang="{_escape_attr(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_escape_text(layout.title)}</title>{links}\n</head>\n<body>\n"
        f"{PagedHtml.BODY_START}\n{body_html}\n{PagedHtml.BODY_END}\n</body>\n</html>\n"
    )
    return PagedHtml(document=document, body=body_html, page_count=total)


def html_to_paged_pdf(
    html: str,
    *,
    stylesheets: Sequence[str | Path] = (),
    base_url: str | Path | None = None,
    stylesheet_urls: Sequence[str] = (),
) -> tuple[RenderedPdf, PagedHtml]:
    """html_to_pdf's PDF (the same bytes) and, from the same layout, its HTML copy marked with its pages."""
    layout = lay_out_with_pages(html, stylesheets=stylesheets, base_url=base_url)
    return layout.pdf, paged_html(layout, stylesheet_urls=stylesheet_urls)


def _text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _page_labels(layout: PagedLayout) -> list[str]:
    """What each page begins with, for the contents: the first heading that starts on it, else nothing."""
    first: dict[int, str] = {}
    body = layout.root.find("body")
    if body is not None:
        for element in body.iter():
            page = layout.first_page.get(element)
            if page is not None and page not in first and _local(element.tag) in {"h1", "h2", "h3"}:
                text = _text_of(element)
                if text:
                    first[page] = text
    return [first.get(number, "") for number in range(1, layout.page_count + 1)]


def _marker(number: int, total: int, *, blank: bool):
    from xml.etree.ElementTree import Element, SubElement

    marker = Element("div", {"class": "app-page-marker", "id": f"page-{number}"})
    SubElement(
        marker,
        "hr",
        {
            "class": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
            "role": "doc-pagebreak",
            "aria-label": f"Page {number}",
        },
    )
    label = SubElement(marker, "p", {"class": "govuk-caption-m app-page-marker__label"})
    label.text = f"Page {number}"
    of = SubElement(label, "span", {"class": "govuk-visually-hidden"})
    of.text = f" of {total}"
    if blank:
        note = SubElement(marker, "p", {"class": "govuk-body-s app-page-marker__note"})
        note.text = "This page of the PDF is left blank."
    return marker


def _parents(root) -> dict:
    return {child: parent for parent in root.iter() for child in parent}


def _insert_markers(layout: PagedLayout, total: int) -> None:
    """Put each page's marker before the element the page starts with. Pages on which nothing starts (left
    blank) take theirs just before the next page's; those at the end go last."""
    body = layout.root.find("body")
    pending: list[int] = []
    placements: list[tuple[Element, list[int]]] = []
    for number in range(1, total + 1):
        start = layout.starts[number - 1]
        pending.append(number)
        if start is not None:
            placements.append((start, pending))
            pending = []
    parents = _parents(layout.root)
    for element, numbers in placements:
        markers = [_marker(n, total, blank=layout.blank[n - 1]) for n in numbers]
        _place_before(element, markers, parents)
        parents = _parents(layout.root) if _local(element.tag) == "tr" else parents
    for number in pending:
        if body is not None:
            body.append(_marker(number, total, blank=layout.blank[number - 1]))


_LIST_LIKE = frozenset({"ul", "ol", "dl", "menu"})
_TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr", "colgroup"})


def _place_before(element, markers: list, parents: dict) -> None:
    tag = _local(element.tag)
    parent = parents.get(element)
    if parent is None:
        return
    if tag == "tr":
        _split_table_before(element, markers, parents)
        return
    if _local(parent.tag) in _LIST_LIKE | _TABLE_PARTS or tag in {"li", "dt", "dd"}:
        # A list item (or a list's other child) takes the marker as its own first content; a group of a
        # description list (<div> of <dt> and <dd>) gives it to its first term.
        while tag == "div" and _local(parent.tag) == "dl" and len(element):
            parent, element = element, element[0]
            tag = _local(element.tag)
        for marker in reversed(markers):
            marker.tail = element.text
            element.text = None
            element.insert(0, marker)
        return
    index = list(parent).index(element)
    for offset, marker in enumerate(markers):
        parent.insert(index + offset, marker)


def _split_table_before(row, markers: list, parents: dict) -> None:
    """Cut the row's table in two where the page turns, the markers between: the rows from ``row`` on (and the
    row groups after its own) go to a copy of the table that repeats its header, as the PDF does."""
    import copy
    from xml.etree.ElementTree import Element

    group = parents[row]
    table = group if _local(group.tag) == "table" else parents.get(group)
    if table is None or _local(table.tag) != "table":
        return
    holder = parents.get(table)
    if holder is None:
        return
    rest = Element(table.tag, {k: v for k, v in table.attrib.items() if k not in {"id", "aria-labelledby"}})
    caption = next((child for child in table if _local(child.tag) == "caption"), None)
    if caption is not None and not rest.get("aria-label"):
        rest.set("aria-label", f"{_text_of(caption)} (continued)")
    for child in table:
        if _local(child.tag) == "colgroup":
            rest.append(copy.deepcopy(child))
    head = next((child for child in table if _local(child.tag) == "thead"), None)
    if head is not None and group is not head:
        rest.append(copy.deepcopy(head))
    rows = list(group)
    moving = rows[rows.index(row) :]
    _move_rows(table, group, moving, rest)
    index = list(holder).index(table)
    rest.tail, table.tail = table.tail, None
    for offset, marker in enumerate([*markers, rest]):
        holder.insert(index + 1 + offset, marker)


def _move_rows(table, group, moving: list, rest) -> None:
    """Move ``moving`` (rows of ``group``, a row group of ``table`` or the table itself) and the row groups
    after ``group`` to the table ``rest``."""
    from xml.etree.ElementTree import Element

    if group is table:
        for child in moving:
            table.remove(child)
            rest.append(child)
        return
    new_group = Element(group.tag, {k: v for k, v in group.attrib.items() if k != "id"})
    for child in moving:
        group.remove(child)
        new_group.append(child)
    rest.append(new_group)
    children = list(table)
    for child in children[children.index(group) + 1 :]:
        table.remove(child)
        rest.append(child)
    if not len(group):
        table.remove(group)


def _annotate_internal_links(body, layout: PagedLayout) -> None:
    """A link to a place in the document says its page, as the PDF's contents do ("Page 5")."""
    from xml.etree.ElementTree import SubElement

    if body is None:
        return
    by_id = {element.get("id"): page for element, page in layout.first_page.items() if element.get("id")}
    for link in body.iter("a"):
        target = (link.get("href") or "")[1:] if (link.get("href") or "").startswith("#") else None
        if target and target in by_id and not target.startswith("page-"):
            note = SubElement(link, "span", {"class": "app-paged__page-ref"})
            note.text = f" Page {by_id[target]}"


def _inline_image(src: str, base_url: str) -> str | None:
    """An image of the document as a ``data:`` URL (read from the static folders only), or None."""
    import base64
    from urllib.parse import unquote, urljoin, urlparse

    if src.startswith("data:"):
        return src
    url = urljoin(base_url if "://" in base_url else Path(base_url).resolve().as_uri() + "/", src)
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    path = Path(unquote(parsed.path)).resolve()
    kind = _INLINE_IMAGE_TYPES.get(path.suffix.lower())
    if kind is None or not path.is_file() or not any(path.is_relative_to(root) for root in _static_roots()):
        return None
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _clean(body, base_url: str, heading_offset: int) -> None:
    """No script, style or event handler; images inline; headings moved down for the showing page's own."""
    if body is None:
        return
    parents = _parents(body)
    for element in list(body.iter()):
        tag = _local(element.tag)
        if not isinstance(element.tag, str) or tag in {"script", "style", "link", "meta", "noscript"}:
            parent = parents.get(element)
            if parent is not None:
                _remove_keeping_tail(parent, element)
            continue
        for name in [name for name in element.attrib if name.lower().startswith("on") or name == "style"]:
            del element.attrib[name]
        if tag == "img":
            inline = _inline_image(element.get("src", ""), base_url)
            if inline is None:
                element.attrib.pop("src", None)
            else:
                element.set("src", inline)
            element.attrib.pop("srcset", None)
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"} and heading_offset and element.tag == tag:
            element.tag = f"h{min(6, int(tag[1]) + heading_offset)}"


def _remove_keeping_tail(parent, element) -> None:
    tail = element.tail or ""
    index = list(parent).index(element)
    if tail:
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _wrap_tables(body) -> None:
    """Each outermost table in a container that scrolls sideways on a narrow screen, focusable and named so
    keyboard users can scroll it too."""
    from xml.etree.ElementTree import Element

    if body is None:
        return
    parents = _parents(body)
    for table in list(body.iter("table")):
        parent = parents.get(table)
        if parent is None or any(_local(a.tag) == "table" for a in _ancestors(table, parents)):
            continue
        caption = next((child for child in table if _local(child.tag) == "caption"), None)
        name = _text_of(caption) if caption is not None else table.get("aria-label", "")
        wrap = Element(
            "div",
            {
                "class": "app-table-wrap app-paged__table",
                "role": "region",
                "tabindex": "0",
                "aria-label": f"{name or 'Table'} (scrolls sideways)",
            },
        )
        index = list(parent).index(table)
        parent.remove(table)
        wrap.tail, table.tail = table.tail, None
        wrap.append(table)
        parent.insert(index, wrap)


def _ancestors(element, parents: dict):
    while element in parents:
        element = parents[element]
        yield element


def _contents(labels: list[str], total: int, title: str) -> str:
    items = []
    for number in range(1, total + 1):
        label = labels[number - 1]
        extra = f'<span class="app-paged-contents__label">: {_escape_text(label)}</span>' if label else ""
        items.append(f'<li><a class="govuk-link" href="#page-{number}">Page {number}</a>{extra}</li>')
    return (
        '<nav class="app-paged-contents" aria-labelledby="app-paged-contents-title">'
        f'<h2 class="govuk-heading-m" id="app-paged-contents-title">{_escape_text(title)}</h2>'
        f'<ol class="govuk-list app-paged-contents__list">{"".join(items)}</ol></nav>'
    )


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(text: str) -> str:
    return _escape_text(text).replace('"', "&quot;")


def _attribute_name(name: str) -> str:
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        prefix = {"http://www.w3.org/1999/xlink": "xlink:", "http://www.w3.org/XML/1998/namespace": "xml:"}
        return prefix.get(namespace, "") + local
    return name


def _serialise(element, out: list[str]) -> None:
    """HTML of an element of the parsed tree (tags without namespaces: the HTML parser puts them back)."""
    if not isinstance(element.tag, str):  # a comment or processing instruction: dropped
        out.append(_escape_text(element.tail or ""))
        return
    tag = _local(element.tag)
    attributes = "".join(
        f' {_attribute_name(name)}="{_escape_attr(value)}"'
        for name, value in element.attrib.items()
        if name not in {"xmlns"} and not name.startswith("{http://www.w3.org/2000/xmlns/}")
    )
    out.append(f"<{tag}{attributes}>")
    if tag in _VOID and element.tag == tag:
        out.append(_escape_text(element.tail or ""))
        return
    out.append(element.text or "" if tag in _RAW_TEXT else _escape_text(element.text or ""))
    for child in element:
        _serialise(child, out)
    out.append(f"</{tag}>")
    out.append(_escape_text(element.tail or ""))
