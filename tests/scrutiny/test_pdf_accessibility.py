"""PDF/UA-1 of the printed pack, read back from the PDF: a checker's verdict (outloud, its conformance rules),
the key contracts table's tag tree, the document's language, title, headings and figures, and what the local-only
URL fetcher lets a document load.

WeasyPrint 70 (requirements.txt) tags a table's header cells as TH with an /ID and gives every data cell
/Headers naming its headers (column headers, and row headers for <th scope="row">); it writes no /Scope
(Kozea/WeasyPrint#2508). ISO 14289-1 7.5 asks for /Scope only where Headers and IDs do not determine the
table's structure, so these tests check the Headers and IDs themselves."""

import datetime
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from pypdf.generic import BooleanObject

from commissioning.pdf import html_to_pdf, static_path
from scrutiny.models import PackRevision
from strategies.selectors import KEY_CONTRACT_COLUMNS, highlight_report_document
from tests.factories import (
    MeetingFactory,
    PackAppendixFactory,
    ScrutinyConclusionFactory,
    ScrutinyPackFactory,
)

from .pdfstruct import Element, StructTree
from .test_documents import _rendered
from .test_pdf_layout import SEED_CONTRACTS, printable_strategy

pytestmark = pytest.mark.django_db

STRATEGIES = [("Public Protection", 3), ("Carers", 2)]  # name, measures (each with a chart of eight quarters)


@pytest.fixture
def accessible_pack(db):
    """A pack of two strategies as the demo prints them: approved reports, the seed's key contracts, measures
    with eight quarters' results (charts), and a committee conclusion each."""
    meeting = MeetingFactory(date=datetime.date(2019, 5, 30))
    pack = ScrutinyPackFactory(meeting=meeting, title="Commissioning Strategies")
    earlier = MeetingFactory(committee=meeting.committee, date=datetime.date(2018, 9, 5))
    for order, (name, measures) in enumerate(STRATEGIES, start=1):
        strategy = printable_strategy(name, measures=measures)
        ScrutinyConclusionFactory(strategy=strategy, meeting=earlier, text=f"Members supported {name}.")
        PackAppendixFactory(pack=pack, strategy=strategy, order=order)
    return pack


_RENDERED: dict[str, tuple[bytes, StructTree]] = {}


@pytest.fixture
def pack_pdf(accessible_pack) -> tuple[bytes, StructTree]:
    """(the pack's PDF, its structure tree), rendered once for the module's read-only tests."""
    if "pack" not in _RENDERED:
        content = _rendered(accessible_pack)
        _RENDERED["pack"] = (content, StructTree(content))
    return _RENDERED["pack"]


def squash(text: str) -> str:
    """Text without any whitespace: a cell's words wrap differently in the PDF than in the source."""
    return "".join(text.split())


# --- The checker ------------------------------------------------------------------------------------------


def run_checker(path: Path) -> dict:
    """outloud's conformance rules (the PDF/UA-1 requirements veraPDF also tests) on one file, as JSON."""
    report = path.with_suffix(".json")
    command = [str(Path(sys.executable).with_name("outloud")), str(path), "--layer", "conformance"]
    command += ["--fail-on", "never", "--json", str(report)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603 (our own arguments)
    (result,) = json.loads(report.read_text())["results"]
    return result


def header_ids(table: Element) -> dict[str, tuple[int, int]]:
    """Each TH's /ID in a table and its (row, column), counted as the rows of the grid (no spans in ours)."""
    positions = {}
    for row_number, row in enumerate(table.find("TR")):
        for column, cell in enumerate(row.children):
            if cell.role == "TH":
                assert cell.id, "a header cell without an /ID"
                positions[cell.id] = (row_number, column)
    return positions


def unreferenced_corner_headers(tree: StructTree) -> int:
    """Checks every table carries its structure in Headers and IDs (ISO 14289-1 7.5: then TH needs no /Scope):
    every data cell names at least one header, and only headers of its own table. Returns how many header cells
    no data cell names, after checking that each is a table's top-left cell (the heading over a column of row
    headers, such as "Quarter" in a chart's table): the one place a header has no data cell of its own."""
    corners = 0
    for table in tree.root.find("Table"):
        ids = header_ids(table)
        named: set[str] = set()
        for cell in table.find("TD"):
            headers = cell.attributes.get("/Headers")
            if ids:
                assert isinstance(headers, list), f"a data cell without /Headers: {tree.text(cell)!r}"
                assert headers, f"a data cell with no header: {tree.text(cell)!r}"
                assert set(headers) <= set(ids), f"a data cell names another table's header: {tree.text(cell)!r}"
                named.update(headers)
        for header, position in ids.items():
            if header not in named:
                assert position == (0, 0), f"header {header} at {position} labels no cell"
                corners += 1
    return corners


def assert_no_pdf_ua_failures(content: bytes, tree: StructTree, folder: Path) -> float:
    """Runs the checker on ``content`` and fails on any error it reports; returns the checker's seconds."""
    path = folder / "document.pdf"
    path.write_bytes(content)
    started = time.perf_counter()
    result = run_checker(path)
    seconds = time.perf_counter() - started

    assert result["error"] is None
    assert result["stats"]["tagged"]
    crashed = [run["rule"] for run in result.get("rules", []) if run.get("status") == "crashed"]
    assert crashed == []
    errors = [finding for finding in result["findings"] if finding["severity"] == "error"]
    # TBL-002 ("header cell has no /Scope and no data cell names it") is stricter than ISO 14289-1 7.5, which asks
    # for /Scope only where Headers and IDs do not determine the table (veraPDF-corpus#172: a header no cell
    # names is no failure). It is let through only for what unreferenced_corner_headers proves: tables whose
    # data cells all name their headers, and unnamed headers that are top-left corner cells, counted exactly.
    corner_findings = sum(finding["count"] for finding in errors if finding["rule"] == "TBL-002")
    assert corner_findings == unreferenced_corner_headers(tree)
    failures = [(f["rule"], f.get("page"), f["message"], f.get("location")) for f in errors if f["rule"] != "TBL-002"]
    assert failures == []
    return seconds


@pytest.mark.slow
def test_the_pack_has_no_pdf_ua_failures(pack_pdf, tmp_path):
    content, tree = pack_pdf

    assert assert_no_pdf_ua_failures(content, tree, tmp_path) < 60


@pytest.mark.slow
def test_the_demo_pack_as_published_has_no_pdf_ua_failures(demo_database, tmp_path):
    """The seed's 30 May 2019 pack, rendered and published by load_demo: what a councillor downloads."""
    revision = PackRevision.objects.order_by("pk").first()
    assert revision is not None
    with default_storage.open(revision.file.name, "rb") as handle:
        content = handle.read()

    assert assert_no_pdf_ua_failures(content, StructTree(content), tmp_path) < 60


# --- The key contracts table's tag tree ------------------------------------------------------------------

HEADINGS = [label for _key, label in KEY_CONTRACT_COLUMNS]


def key_contract_tables(tree: StructTree) -> list[Element]:
    """Every Table element headed by the key contracts' columns (one per strategy, more if one breaks across
    pages), in document order."""
    tables = []
    for table in tree.root.find("Table"):
        headers = [squash(tree.text(cell)) for cell in table.find("TH")]
        if headers[: len(HEADINGS)] == [squash(label) for label in HEADINGS]:
            tables.append(table)
    return tables


def test_key_contracts_tables_are_tagged_header_row_then_body_rows(pack_pdf):
    _, tree = pack_pdf
    tables = key_contract_tables(tree)

    assert len(tables) >= len(STRATEGIES)
    for table in tables:
        groups = [child.role for child in table.children]
        assert groups in (["THead", "TBody"], ["Caption", "THead", "TBody"]), groups
        head, body = table.children[-2:]
        (header_row,) = head.children
        assert header_row.role == "TR"
        assert [cell.role for cell in header_row.children] == ["TH"] * len(HEADINGS)
        assert [squash(tree.text(cell)) for cell in header_row.children] == [squash(label) for label in HEADINGS]
        assert body.children, "a key contracts table with no rows"
        for row in body.children:
            assert row.role == "TR"
            assert [cell.role for cell in row.children] == ["TD"] * len(HEADINGS)


def test_each_key_contract_cell_is_in_its_row_and_column_and_names_its_column_header(pack_pdf, accessible_pack):
    _, tree = pack_pdf
    expected = []
    for appendix in accessible_pack.appendices.order_by("order"):
        report = appendix.strategy.highlight_reports.get()
        expected += [
            [row[key] for key, _label in KEY_CONTRACT_COLUMNS]
            for row in highlight_report_document(report=report)["key_contracts"]
        ]

    printed = []
    for table in key_contract_tables(tree):
        head, body = table.children[-2:]
        headers = head.children[0].children
        assert len({header.id for header in headers}) == len(HEADINGS), "header cells need distinct /IDs"
        for row in body.children:
            for header, cell in zip(headers, row.children, strict=True):
                assert cell.attributes.get("/O") == "/Table"
                assert cell.attributes.get("/Headers") == [header.id], f"{tree.text(cell)!r} is not under its header"
                # WeasyPrint 70 writes no /Scope; should a later one, a column header's must say so.
                assert header.attributes.get("/Scope", "/Column") == "/Column"
            printed.append([tree.text(cell) for cell in row.children])

    assert len(expected) == len(STRATEGIES) * len(SEED_CONTRACTS)
    assert [[squash(text) for text in row] for row in printed] == [[squash(str(v)) for v in row] for row in expected]
    # Spot checks in the council's words: two contracts, each cell where the printed table shows it.
    by_service = {row[0]: row for row in printed}
    idva = by_service["Independent Domestic Violence Advisory Service (Carers)"]
    assert idva[1] == "EDAN Lincs Domestic Abuse Services"
    assert idva[2] == "3 years"
    assert idva[6] == "Action plan following service review in May 2017"
    safety = by_service[
        "Community Safety Analysis, Coordination and Commissioning (including Police secondment) (Public Protection)"
    ]
    assert safety[1] == "Safer Communities LCC"
    assert safety[4] == "Y"
    assert safety[6] == "Financial penalties in the form of service credits as set out in the contract"


# --- Language, title, headings, figures ------------------------------------------------------------------


def test_the_document_states_its_language_title_and_that_it_is_tagged(pack_pdf, accessible_pack):
    _, tree = pack_pdf
    catalog = tree.reader.trailer["/Root"]

    assert catalog["/Lang"] == "en-GB"
    assert tree.reader.metadata is not None
    assert tree.reader.metadata.title == accessible_pack.title
    # The title, not the file name, in the window's title bar.
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert tree.root.children[0].role == "Document"
    xmp = tree.reader.xmp_metadata
    assert xmp is not None
    assert "pdfuaid" in xmp.stream.get_data().decode()  # claims PDF/UA-1 in its metadata


def test_headings_start_at_level_one_and_never_skip_a_level(pack_pdf):
    _, tree = pack_pdf
    levels = [int(element.role[1]) for element in tree.root.walk() if element.role in {f"H{n}" for n in range(1, 7)}]

    assert levels[0] == 1
    skips = [(before, after) for before, after in zip(levels, levels[1:], strict=False) if after > before + 1]
    assert skips == []
    titles = [tree.text(element) for element in tree.root.find("H1")]
    assert titles[1] == "Contents"
    assert [t for t in titles if t.startswith("Appendix")] == [
        f"Appendix {n}: {name}" for n, (name, _) in enumerate(STRATEGIES, start=1)
    ]


def test_every_figure_has_alternative_text_and_each_chart_names_its_measure(pack_pdf):
    _, tree = pack_pdf
    figures = tree.root.find("Figure")

    assert figures
    assert all(figure.alt and figure.alt.strip() for figure in figures)
    alts = [figure.alt or "" for figure in figures]
    for name, measures in STRATEGIES:
        for number in range(measures):
            assert any(f"{name} measure {number}" in alt for alt in alts), f"no chart for {name} measure {number}"


# --- What the local-only URL fetcher lets a document load ----------------------------------------------
# tests/commissioning/test_pdf_fetcher.py has a static image printed, an absolute file: URL outside the static
# folders refused and http:// refused without a request; these add data: URIs, https://, a relative address
# and a ../ path out of the static folders, and the logo on the pack's own cover.

PAGE = '<!DOCTYPE html><html lang="en-GB"><head><title>Fetch</title></head><body><p>Fetch</p>{}</body></html>'


def image_count(content: bytes) -> int:
    """Image XObjects drawn on the document's pages."""
    reader = StructTree(content).reader
    count = 0
    for page in reader.pages:
        objects = (page.get("/Resources") or {}).get("/XObject") or {}
        count += sum(1 for ref in objects.values() if ref.get_object().get("/Subtype") == "/Image")
    return count


def test_the_pack_cover_prints_the_councils_logo_from_the_static_folder(pack_pdf, settings):
    content, tree = pack_pdf
    first_page = tree.reader.pages[0]
    objects = first_page["/Resources"]["/XObject"]

    assert settings.COUNCIL_LOGO
    assert any(ref.get_object()["/Subtype"] == "/Image" for ref in objects.values())
    assert tree.root.find("Figure")[0].alt == settings.COUNCIL_NAME


def test_a_data_uri_image_is_printed():
    import base64

    png = base64.b64encode(static_path("img/council-logo.png").read_bytes()).decode()
    rendered = html_to_pdf(PAGE.format(f'<img src="data:image/png;base64,{png}" alt="Inline logo">'))

    assert image_count(rendered.content) == 1


@pytest.fixture
def listener():
    """A TCP server on 127.0.0.1 that records every connection, whether an HTTP request or a TLS handshake."""
    connections: list[bytes] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def handle(self):
            connections.append(self.request.recv(64))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], connections
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_remote_images_and_stylesheets_are_refused_without_a_connection(listener, scheme):
    port, connections = listener
    base = f"{scheme}://127.0.0.1:{port}"
    html = PAGE.format(
        f'<img src="{base}/logo.png" alt="Remote"><link rel="stylesheet" href="{base}/style.css">'
        f'<div style="background: url({base}/back.png)">Background</div>'
    )

    rendered = html_to_pdf(html)

    assert connections == []
    assert image_count(rendered.content) == 0
    assert rendered.page_count == 1
    # The listener does hear a client that connects: its silence above was the fetcher's refusal.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(b"GET /probe HTTP/1.0\r\n\r\n")
    deadline = time.monotonic() + 5
    while not connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(connections) == 1
    assert connections[0].startswith(b"GET")


def test_files_outside_the_static_folders_are_refused_by_relative_and_dotted_paths(tmp_path, settings):
    private = tmp_path / "private.png"
    shutil.copy(static_path("img/council-logo.png"), private)
    static_root = Path(settings.BASE_DIR) / "static"
    dotted = f"file://{static_root}/img/{'../' * (len(static_root.parts) + 1)}{str(private).lstrip('/')}"

    from_relative = html_to_pdf(PAGE.format('<img src="private.png" alt="Private">'), base_url=tmp_path)
    from_dotted = html_to_pdf(PAGE.format(f'<img src="{dotted}" alt="Private">'))
    from_static = html_to_pdf(PAGE.format('<img src="img/../img/council-logo.png" alt="Logo">'))

    assert image_count(from_relative.content) == 0
    assert image_count(from_dotted.content) == 0
    assert image_count(from_static.content) == 1
