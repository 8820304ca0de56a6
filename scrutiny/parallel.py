"""A scrutiny pack laid out in parts, in parallel Celery tasks, for quick previews.

The one HTML document ``documents.build_pack_document`` builds is split, not rebuilt: its front (cover report
and contents: every top-level element of ``<body>`` before the first appendix) and its appendices (each
top-level ``.pdf-appendix`` element with whatever follows it up to the next one). Each part keeps the
document's ``<head>`` and is laid out with the same stylesheets, so whatever the pack prints, the parts print.

1. The appendices are laid out in a group of tasks, a balanced batch per worker (the weight of an appendix is the
   length of its HTML), each batch numbered locally. Every page's anchors, bookmarks, blank-ness and page name
   come back with the batch's PDF. One batch also lays out the front once with placeholder page numbers, so
   the front's page count is known before the merge.
2. The chord's callback lays out the front with the contents' real page numbers (each appendix's position is
   the pages before it plus its heading's page inside its batch), then a "page sheet": the pack's margin boxes
   alone ("Page N", "This page is intentionally left blank") for every page of the whole pack, laid out by
   WeasyPrint from the same stylesheets. The parts are laid out with their margin boxes switched off.
3. The merge (pypdf): the pages in order, each appendix starting on a right-hand (odd) page as
   ``.pdf-appendix { break-before: right }`` asks (a blank page from the sheet when it would not), each page with
   its sheet page drawn over it, continuous /PageLabels, an outline of every part's bookmarks in order and the
   contents' links pointing at the appendices' pages.

What the merge cannot keep is the tagging. pypdf drops /StructTreeRoot and /MarkInfo; qpdf (and so pikepdf)
keeps the first file's structure tree only, with every later file's /StructParents clashing with it; neither
merges structure trees, and a hand-written structure-tree merger is not something to trust with PDF/UA. So the
merged file is an untagged preview: published revisions keep the single-pass render
(``services._render_pack``), which is tagged and checked, and nothing here writes a pack's file or a revision.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

# Celery task names (the tasks live in tasks.py, which imports this module).
LAYOUT_PART_TASK = "scrutiny.tasks.layout_pack_part"
MERGE_PARTS_TASK = "scrutiny.tasks.merge_pack_parts"

# The pack's appendices are the top-level elements with this class; each starts on a right-hand page (pdf.css).
APPENDIX_CLASS = "pdf-appendix"
# Two worker processes on two cores: one batch each.
DEFAULT_BATCHES = 2
# Placeholder page number for the front's first layout: as wide as any real one in a pack of under 1,000 pages.
PLACEHOLDER_NUMBER = 888
# A CSS pixel is 0.75 PDF points.
PT_PER_PX = 0.75

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_MARGIN_BOXES = [
    "top-left-corner",
    "top-left",
    "top-center",
    "top-right",
    "top-right-corner",
    "right-top",
    "right-middle",
    "right-bottom",
    "bottom-right-corner",
    "bottom-right",
    "bottom-center",
    "bottom-left",
    "bottom-left-corner",
    "left-bottom",
    "left-middle",
    "left-top",
]
# The parts print no margin boxes: the page sheet prints them for the whole pack, with its page numbers.
NO_MARGIN_BOXES_CSS = "@page { " + " ".join(f"@{box} {{ content: none !important; }}" for box in _MARGIN_BOXES) + " }"
# The page sheet prints nothing but margin boxes.
SHEET_CSS = "html, body { margin: 0; padding: 0; } .pdf-sheet-page { height: 0; margin: 0; padding: 0; border: 0; }"


# --- Splitting the built HTML -------------------------------------------------------------------------------


@dataclass
class PackSplit:
    """The built HTML in parts: ``head + body`` is a whole document for each part."""

    head: str  # from the start of the document to the end of the <body> start tag
    front: str  # the cover report and contents
    appendices: list[str]  # one HTML fragment per appendix, in order
    anchors: list[str]  # each appendix's first element id (its contents entry links to it)
    tail: str = "</body></html>"

    def document(self, body: str) -> str:
        return self.head + body + self.tail


class _TopLevelElements(HTMLParser):
    """Offsets of <body> and of its top-level elements (start offset, class list, id)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self._line_starts = [0]
        for line in html.splitlines(keepends=True):
            self._line_starts.append(self._line_starts[-1] + len(line))
        self.body_start: int | None = None
        self.body_end: int | None = None
        self.elements: list[tuple[int, list[str], str | None]] = []
        self._open: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.body_start is None:
            if tag == "body":
                self.body_start = self._offset() + len(self.get_starttag_text() or "")
            return
        if self.body_end is not None:
            return
        if not self._open:
            values = dict(attrs)
            self.elements.append((self._offset(), (values.get("class") or "").split(), values.get("id")))
        if tag not in _VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.body_start is not None and self.body_end is None and not self._open:
            values = dict(attrs)
            self.elements.append((self._offset(), (values.get("class") or "").split(), values.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if self.body_start is None or self.body_end is not None:
            return
        if tag == "body" and not self._open:
            self.body_end = self._offset()
        elif tag in self._open:
            # As browsers do: an end tag closes the elements left open inside it (an unclosed <p> or <li>).
            while self._open.pop() != tag:
                pass


def split_pack_html(html: str) -> PackSplit:
    """Split ``html`` (a pack built by documents.build_pack_document) into its front and its appendices."""
    parser = _TopLevelElements(html)
    parser.feed(html)
    parser.close()
    if parser.body_start is None:
        raise ValueError("The pack's HTML has no <body>.")
    body_end = parser.body_end if parser.body_end is not None else html.rindex("</body>")
    starts = [(offset, element_id) for offset, classes, element_id in parser.elements if APPENDIX_CLASS in classes]
    if not starts:
        raise ValueError("The pack's HTML has no appendix to lay out in parallel.")
    appendices, anchors = [], []
    for index, (offset, element_id) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else body_end
        fragment = html[offset:end]
        if not element_id:
            # The merge finds each appendix's first page by an anchor: give one to an element that has none.
            element_id = f"pack-part-{index + 1}"
            name_end = re.match(r"<[A-Za-z0-9]+", fragment)
            cut = name_end.end() if name_end else 0
            fragment = f'{fragment[:cut]} id="{element_id}"{fragment[cut:]}'
        appendices.append(fragment)
        anchors.append(element_id)
    return PackSplit(
        head=html[: parser.body_start],
        front=html[parser.body_start : starts[0][0]],
        appendices=appendices,
        anchors=anchors,
        tail=html[body_end:],
    )


def plan_batches(weights: Sequence[int], batches: int) -> list[list[int]]:
    """Indexes of ``weights`` in ``batches`` groups of about equal total weight (longest first, each to the
    lightest group; each group in document order). Fewer groups when there are fewer items."""
    groups: list[list[int]] = [[] for _ in range(max(1, min(batches, len(weights))))]
    totals = [0] * len(groups)
    for index in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        lightest = totals.index(min(totals))
        groups[lightest].append(index)
        totals[lightest] += weights[index]
    return [sorted(group) for group in groups if group]


# --- Laying out one part (in a worker) -----------------------------------------------------------------------


def _toc_css(stylesheets: Sequence[str | Path], numbers: dict[str, int]) -> str:
    """CSS giving each contents entry whose target is in another part its page number as text: the stylesheets'
    rules whose ``content`` uses ``target-counter(attr(href), page)``, with the number in place of the counter,
    for the link to each anchor in ``numbers``. The contents then reads as the single-pass render's."""
    counter = re.compile(r"target-counter\(\s*attr\(\s*href\s*\)\s*,\s*page\s*\)")
    rule = re.compile(r"([^{}]+)\{[^{}]*?content\s*:\s*([^;{}]*target-counter[^;{}]*)", re.S)
    css = []
    for path in stylesheets:
        text = re.sub(r"/\*.*?\*/", "", Path(path).read_text(), flags=re.S)
        for selectors, content in rule.findall(text):
            if not counter.search(content):
                continue
            for anchor, number in numbers.items():
                scoped = []
                for selector in selectors.split(","):
                    base, pseudo, rest = selector.strip().partition("::")
                    scoped.append(f'{base}[href="#{anchor}"]{pseudo}{rest}')
                value = counter.sub(f'"{number}"', content.strip())
                css.append(f"{', '.join(scoped)} {{ content: {value}; }}")
    return "\n".join(css)


def _page_info(page: Any) -> dict:
    page_type = page._page_box.page_type  # WeasyPrint's own: side, blank, name
    return {
        "width": page.width,
        "height": page.height,
        "blank": bool(page_type.blank),
        "name": page_type.name or "",
        "anchors": {name: list(box[:2]) for name, box in page.anchors.items()},
        "bookmarks": [[level, label, x, y, state] for level, label, (x, y), state in page.bookmarks],
    }


def layout_html(
    html: str, *, stylesheets: Sequence[str | Path], extra_css: str = "", keep_links: bool = True, tagged: bool = False
) -> dict:
    """Lay out one part as commissioning.pdf.html_to_pdf does (same fetcher, variant and identifier), and return
    its PDF (base64, for a task result) with what the merge needs of each page. Internal links to anchors the
    part does not hold are taken out of the PDF and returned as ``links`` (page, target, rectangle) to be made
    again in the merged file."""
    from weasyprint import CSS, HTML

    from commissioning.pdf import PDF_VARIANT, _local_only_fetcher

    started, cpu_started = time.perf_counter(), time.process_time()
    fetcher = _local_only_fetcher()
    sheets = [CSS(filename=str(path), url_fetcher=fetcher) for path in stylesheets]
    if extra_css:
        sheets.append(CSS(string=extra_css, url_fetcher=fetcher))
    base_url = str(Path(settings.BASE_DIR) / "static") + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=sheets, pdf_variant=PDF_VARIANT if tagged else None
    )
    held = {name for page in document.pages for name in page.anchors}
    links = []
    for number, page in enumerate(document.pages):
        kept = []
        for link in page.links:
            kind, target, rectangle = link[0], link[1], link[2]
            if kind == "internal" and target not in held:
                links.append([number, target, list(rectangle)])
            else:
                kept.append(link)
        page.links[:] = kept
    layout_seconds = time.perf_counter() - started
    content = document.write_pdf(pdf_variant=PDF_VARIANT if tagged else None, pdf_identifier=_identifier(html))
    return {
        "pdf": base64.b64encode(content).decode("ascii"),
        "pages": [_page_info(page) for page in document.pages],
        "links": links if keep_links else [],
        "layout_seconds": round(layout_seconds, 3),
        "seconds": round(time.perf_counter() - started, 3),
        "cpu_seconds": round(time.process_time() - cpu_started, 3),
    }


def _identifier(html: str) -> bytes:
    import hashlib

    return hashlib.md5(html.encode(), usedforsecurity=False).hexdigest().encode()


def layout_part(*, head: str, bodies: list[str], probe_front: str = "", stylesheets: list[str], anchors: list[str]):
    """Task body: one batch of appendices (``bodies`` in document order, ``anchors`` their first ids) as one
    locally numbered document; with ``probe_front``, the front too, with placeholder page numbers."""
    import pypdf  # noqa: F401 - loaded now, in every worker process, rather than inside the merge's timing

    split = PackSplit(head=head, front=probe_front, appendices=bodies, anchors=anchors)
    result: dict[str, Any] = {"anchors": anchors}
    if probe_front:
        placeholders = dict.fromkeys(_front_targets(probe_front), PLACEHOLDER_NUMBER)
        probe = layout_html(
            split.document(probe_front),
            stylesheets=stylesheets,
            extra_css=NO_MARGIN_BOXES_CSS + _toc_css(stylesheets, placeholders),
        )
        result["front_pages"] = len(probe["pages"])
        result["front_seconds"] = probe["seconds"]
    result.update(layout_html(split.document("".join(bodies)), stylesheets=stylesheets, extra_css=NO_MARGIN_BOXES_CSS))
    return result


def _front_targets(front: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'href="#([^"]+)"', front)))


# --- Placing the parts and merging (the chord's callback) ----------------------------------------------------


@dataclass
class PlacedPage:
    part: int  # index into the laid-out parts (-1: none, a blank page from the sheet)
    page: int  # page index inside that part
    info: dict = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        return self.part < 0 or bool(self.info.get("blank"))


def _appendix_ranges(part: dict) -> list[tuple[str, int, int]]:
    """Each appendix of a laid-out batch: (anchor, first page, end page), trailing blank pages left out (the
    merge puts them where the whole pack's numbering needs them)."""
    pages = part["pages"]
    first_page: dict[str, int] = {}
    for number, page in enumerate(pages):
        for name in page["anchors"]:
            first_page.setdefault(name, number)
    starts = [first_page[anchor] for anchor in part["anchors"]]
    ranges = []
    for index, anchor in enumerate(part["anchors"]):
        end = starts[index + 1] if index + 1 < len(starts) else len(pages)
        while end > starts[index] + 1 and pages[end - 1]["blank"]:
            end -= 1
        ranges.append((anchor, starts[index], end))
    return ranges


def place_pages(front: dict, batches: list[dict], order: list[str]) -> tuple[list[PlacedPage], dict[str, int]]:
    """The pack's pages in order (part 0 is the front, part i + 1 the batch ``batches[i]``), each appendix from
    a right-hand page, and the global page index of every anchor."""
    placed = [PlacedPage(0, number, info) for number, info in enumerate(front["pages"])]
    anchor_page = {name: number for number, info in enumerate(front["pages"]) for name in info["anchors"]}
    ranges = {}
    for index, batch in enumerate(batches):
        for anchor, start, end in _appendix_ranges(batch):
            ranges[anchor] = (index + 1, start, end)
    for anchor in order:
        part, start, end = ranges[anchor]
        if len(placed) % 2 == 1:  # the next page would be a left-hand (even) one
            placed.append(PlacedPage(-1, 0, {"blank": True, "name": ""}))
        for number in range(start, end):
            info = batches[part - 1]["pages"][number]
            for name in info["anchors"]:
                anchor_page.setdefault(name, len(placed))
            placed.append(PlacedPage(part, number, info))
    return placed, anchor_page


def sheet_html(head: str, placed: list[PlacedPage], tail: str = "</body></html>") -> str:
    """A document of the pack's pages with nothing on them but their margin boxes: a blank page where the pack
    has one (made as the pack makes it, by a break to the next right or left page), each other page named as the
    page it goes under (``landscape``)."""
    divs = []
    previous_blank = False
    for number, page in enumerate(placed, start=1):
        if page.blank:
            previous_blank = True
            continue
        if number == 1:
            brk = "auto"
        elif previous_blank:
            brk = "right" if number % 2 == 1 else "left"
        else:
            brk = "page"
        name = page.info.get("name") or "auto"
        divs.append(f'<div class="pdf-sheet-page" style="break-before: {brk}; page: {name}"></div>')
        previous_blank = False
    return head + "".join(divs) + tail


def _reader(part: dict):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(base64.b64decode(part["pdf"])))


def merge(front: dict, batches: list[dict], sheet: dict, placed: list[PlacedPage], anchor_page: dict) -> bytes:
    """The merged PDF: each placed page with its sheet page over it, /PageLabels 1..N, the parts' bookmarks as
    one outline, and the front's links to other parts pointing at their pages."""
    from pypdf import PdfWriter
    from pypdf.constants import PageLabelStyle
    from pypdf.generic import NameObject

    readers = [_reader(front)] + [_reader(batch) for batch in batches]
    sheet_reader = _reader(sheet)
    if len(sheet_reader.pages) != len(placed):
        raise RuntimeError(f"The page sheet has {len(sheet_reader.pages)} pages for a pack of {len(placed)}.")
    writer = PdfWriter()
    for number, page in enumerate(placed):
        if page.part < 0:
            writer.add_page(sheet_reader.pages[number])
            continue
        added = writer.add_page(readers[page.part].pages[page.page])
        _draw_over(writer, added, sheet_reader.pages[number], f"/PackSheet{number}")
    for added in writer.pages:
        # The parts' structure trees are not merged (see the module's docstring): no dangling references to them.
        for key in ("/StructParents", "/Tabs"):
            if key in added:
                del added[NameObject(key)]
    writer.set_page_label(0, len(placed) - 1, style=PageLabelStyle.DECIMAL, start=1)
    _add_outline(writer, placed)
    _add_front_links(writer, front, placed, anchor_page)
    writer.add_metadata({key: value for key, value in (readers[0].metadata or {}).items() if isinstance(value, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _draw_over(writer: Any, page: Any, sheet_page: Any, name: str) -> None:
    """Draw ``sheet_page`` over ``page`` as a form XObject: the page's own content is wrapped in q/Q and left as
    it is (not parsed again, unlike PageObject.merge_page), then the sheet is drawn, so its text comes last as in
    the single-pass render."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    form = DecodedStreamObject()
    form.set_data(sheet_page.get_contents().get_data())
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(sheet_page.mediabox)
    form[NameObject("/Resources")] = sheet_page["/Resources"].clone(writer)
    form_ref = writer._add_object(form)
    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    resources["/XObject"].get_object()[NameObject(name)] = form_ref
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(f"\nQ q {name} Do Q\n".encode())
    contents = page["/Contents"].get_object()
    streams = list(contents) if isinstance(contents, ArrayObject) else [page.raw_get("/Contents")]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *streams, writer._add_object(after)])


def _add_outline(writer: Any, placed: list[PlacedPage]) -> None:
    """Every part's bookmarks in page order, nested by level, as WeasyPrint nests them."""
    from pypdf.generic import Fit

    parents: list[tuple[int, Any]] = []
    for number, page in enumerate(placed):
        if page.part < 0:
            continue
        height = page.info["height"]
        for level, label, x, y, state in page.info["bookmarks"]:
            while parents and parents[-1][0] >= level:
                parents.pop()
            item = writer.add_outline_item(
                title=label,
                page_number=number,
                parent=parents[-1][1] if parents else None,
                fit=Fit.xyz(left=x * PT_PER_PX, top=(height - y) * PT_PER_PX),
                is_open=state != "closed",
            )
            parents.append((level, item))


def _add_front_links(writer: Any, front: dict, placed: list[PlacedPage], anchor_page: dict) -> None:
    """The front's links to anchors in other parts (the contents' entries), pointing at their pages."""
    from pypdf.annotations import Link

    front_pages = [number for number, page in enumerate(placed) if page.part == 0]
    for local, target, (x1, y1, x2, y2) in front["links"]:
        if target not in anchor_page:
            continue
        number = front_pages[local]
        page_height = placed[number].info["height"]
        rect = (x1 * PT_PER_PX, (page_height - y2) * PT_PER_PX, x2 * PT_PER_PX, (page_height - y1) * PT_PER_PX)
        writer.add_annotation(number, Link(rect=rect, target_page_index=anchor_page[target]))


def merge_parts(batches: list[dict], *, head: str, front: str, stylesheets: list[str], order: list[str]) -> dict:
    """Chord callback body: the front with its contents' real page numbers, the page sheet, the merge. Returns
    the merged PDF (base64) and the figures of the run."""
    started, cpu_started = time.perf_counter(), time.process_time()
    split = PackSplit(head=head, front=front, appendices=[], anchors=[])
    probe = next((batch["front_pages"] for batch in batches if "front_pages" in batch), None)
    targets = [anchor for anchor in _front_targets(front) if anchor in set(order)]
    front_pages = probe if probe is not None else 1
    laid_out: dict | None = None
    for _ in range(3):
        # The appendices' numbers depend on the front's length; its length (almost never) on their numbers.
        fake = {"pages": [{"anchors": {}, "blank": False, "name": "", "bookmarks": [], "height": 0}] * front_pages}
        _, anchor_page = place_pages(fake, batches, order)
        numbers = {anchor: anchor_page[anchor] + 1 for anchor in targets}
        laid_out = layout_html(
            split.document(front),
            stylesheets=stylesheets,
            extra_css=NO_MARGIN_BOXES_CSS + _toc_css(stylesheets, numbers),
        )
        if len(laid_out["pages"]) == front_pages:
            break
        front_pages = len(laid_out["pages"])
    assert laid_out is not None
    front_seconds = time.perf_counter() - started
    placed, anchor_page = place_pages(laid_out, batches, order)
    sheet_started = time.perf_counter()
    sheet = layout_html(sheet_html(head, placed), stylesheets=stylesheets, extra_css=SHEET_CSS, keep_links=False)
    merge_started = time.perf_counter()
    content = merge(laid_out, batches, sheet, placed, anchor_page)
    done = time.perf_counter()
    return {
        "pdf": base64.b64encode(content).decode("ascii"),
        "page_count": len(placed),
        "figures": {
            "batches": [
                {
                    "appendices": len(b["anchors"]),
                    "pages": len(b["pages"]),
                    "seconds": b["seconds"],
                    "cpu": b["cpu_seconds"],
                }
                for b in batches
            ],
            "probe_seconds": sum(b.get("front_seconds", 0.0) for b in batches),
            "front_seconds": round(front_seconds, 3),
            "sheet_seconds": round(merge_started - sheet_started, 3),
            "merge_seconds": round(done - merge_started, 3),
            "callback_seconds": round(done - started, 3),
            "callback_cpu_seconds": round(time.process_time() - cpu_started, 3),
        },
    }


# --- The chord -----------------------------------------------------------------------------------------------


def pack_chord(html: str, *, stylesheets: Sequence[str | Path], batches: int = DEFAULT_BATCHES, store_as: str = ""):
    """The Celery chord that lays out ``html`` (a built pack) in parts and merges them: a group of
    ``layout_pack_part`` tasks, one per batch, then ``merge_pack_parts``; with ``store_as``, the merged file is
    saved in storage under that name. Returns the (unsent) signature."""
    from celery import chord, current_app

    if LAYOUT_PART_TASK not in current_app.tasks:
        current_app.loader.import_default_modules()
    split = split_pack_html(html)
    paths = [str(path) for path in stylesheets]
    # The front's probe rides with the lightest batch, weighed in with it.
    weights = [len(fragment) for fragment in split.appendices]
    groups = plan_batches(weights, batches)
    loads = [sum(weights[i] for i in group) for group in groups]
    probe_group = loads.index(min(loads))
    layout = current_app.tasks[LAYOUT_PART_TASK]
    header = [
        layout.s(
            head=split.head,
            bodies=[split.appendices[i] for i in group],
            anchors=[split.anchors[i] for i in group],
            probe_front=split.front if number == probe_group else "",
            stylesheets=paths,
        )
        for number, group in enumerate(groups)
    ]
    callback = current_app.tasks[MERGE_PARTS_TASK].s(
        head=split.head, front=split.front, stylesheets=paths, order=split.anchors, store_as=store_as
    )
    return chord(header, callback)


def decode(result: dict) -> bytes:
    return base64.b64decode(result["pdf"])


# --- Where a preview is kept ---------------------------------------------------------------------------------

# Part of a preview's name: bump when the way parts are laid out or merged changes, so old previews are not served.
PREVIEW_VERSION = "1"
PREVIEW_FOLDER = "packs/previews"


def preview_name(pack_id: int, checksum: str) -> str:
    """The storage name of a pack's preview for the inputs whose checksum (documents.document_checksum) is given:
    one file per pack and inputs, never a pack's render nor a published revision (packs/published/)."""
    return f"{PREVIEW_FOLDER}/{pack_id}-{checksum[:20]}-v{PREVIEW_VERSION}.pdf"


def store_preview(name: str, content: bytes) -> str:
    """Save a merged preview under ``name`` (replacing a leftover) and remove the pack's older previews."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(content))
    prefix = Path(name).name.split("-", 1)[0] + "-"
    try:
        _, files = default_storage.listdir(PREVIEW_FOLDER)
    except (FileNotFoundError, NotImplementedError):
        files = []
    for other in files:
        if other.startswith(prefix) and f"{PREVIEW_FOLDER}/{other}" != saved:
            default_storage.delete(f"{PREVIEW_FOLDER}/{other}")
    return saved
