"""How the printed pack is laid out, read back from the PDF with pypdf: landscape key contracts, words broken
only at hyphenation points, each conclusion once, performance pages that are not half empty."""

import datetime
import html
import re
from decimal import Decimal
from typing import Any

import pytest

from contracts.models import Contract
from scrutiny import documents
from tests.factories import (
    ApprovedHighlightReportFactory,
    KeyContractFactory,
    MeasureFactory,
    MeasureResultFactory,
    MeetingFactory,
    OutcomeFactory,
    PackAppendixFactory,
    ScrutinyConclusionFactory,
    ScrutinyPackFactory,
    StrategyFactory,
)

from .conftest import pdf_reader
from .test_documents import _rendered

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
TOP_MARGIN, BOTTOM_MARGIN, SIDE_MARGIN = 18 * MM, 20 * MM, 16 * MM  # static/css/pdf.css @page margins
PERFORMANCE_HEADING = "Quarter 3 2018/19 Performance Information"
# The key contracts table's last column heads every page of it ("thead" repeats), in either layout.
CONTRACTS_HEADER = re.compile(r"Volume\s+sensitive\s+\(Y/N\)\?")

# Wordings from the council's key contracts table (seed 000): long words in narrow columns.
SEED_CONTRACTS: list[dict[str, Any]] = [
    {
        "title": "Community Safety Analysis, Coordination and Commissioning (including Police secondment)",
        "provider_summary": "Safer Communities LCC",
        "duration_note": "Contract start 01/04/16, contract end 31/03/19 (extensions available 1 + 1 years)",
        "corrective_measures": "Financial penalties in the form of service credits as set out in the contract",
        "payment_basis": Contract.PaymentBasis.BOTH,
        "performance": Contract.Performance.AVERAGE,
        "has_kpis": True,
    },
    {
        "title": "Independent Domestic Violence Advisory Service",
        "provider_summary": "EDAN Lincs Domestic Abuse Services",
        "duration_note": "3 years",
        "corrective_measures": "Action plan following service review in May 2017",
        "payment_basis": Contract.PaymentBasis.INDEPENDENT,
        "performance": Contract.Performance.GOOD,
        "volume_sensitive": Contract.VolumeSensitive.PARTIALLY,
    },
    {
        "title": "Appropriate Adult Service",
        "provider_summary": "Lincolnshire Appropriate Adult Service",
        "duration_note": "Ongoing",
        "payment_basis": Contract.PaymentBasis.PERFORMANCE_DRIVEN,
    },
]
QUARTERS = [(2016, 4), (2017, 1), (2017, 2), (2017, 3), (2017, 4), (2018, 1), (2018, 2), (2018, 3)]


def printable_strategy(name: str, *, measures: int, contracts: list[dict[str, Any]] = SEED_CONTRACTS, **report):
    """A strategy as the demo's Public Protection prints: an approved Q3 2018/19 report (``report``: more of its
    fields), seed-worded key contracts (titles suffixed with the strategy's name) and ``measures`` measures with
    eight quarters each."""
    strategy = StrategyFactory(name=name)
    ApprovedHighlightReportFactory(
        strategy=strategy,
        report_date=datetime.date(2018, 12, 5),
        **{"summary": f"{name} summary of the quarter.", **report},
    )
    for fields in contracts:
        KeyContractFactory(strategy=strategy, **{**fields, "title": f"{fields['title']} ({name})"})
    outcome = OutcomeFactory(strategy=strategy, title=f"{name} outcome")
    for number in range(measures):
        measure = MeasureFactory(strategy=strategy, outcome=outcome, name=f"{name} measure {number}")
        for index, (year, quarter) in enumerate(QUARTERS):
            MeasureResultFactory(
                measure=measure, year=year, quarter=quarter, value=Decimal(70 + index), target=Decimal(75)
            )
    return strategy


EARLY = "Members supported the strategy's focus on early help."
AT_REVIEW = "Members heard that some performance measures were still in draft."
SINCE = "Members asked for an annual update on scams."


@pytest.fixture
def layout_pack(db):
    """A pack of two strategies, like the demo's Public Protection: seed-worded key contracts, eleven measures
    with eight quarters each, and conclusions from before the report, from the later meeting that reviewed it
    (which the report itself prints) and from a meeting since."""
    meeting = MeetingFactory(date=datetime.date(2019, 5, 30))
    pack = ScrutinyPackFactory(meeting=meeting, title="Commissioning Strategies")
    committee = meeting.committee
    early = MeetingFactory(committee=committee, date=datetime.date(2018, 9, 5))
    review = MeetingFactory(committee=committee, date=datetime.date(2019, 3, 12))
    since = MeetingFactory(committee=committee, date=datetime.date(2019, 4, 20))
    for order, (name, measures) in enumerate([("Public Protection", 11), ("Carers", 3)], start=1):
        strategy = printable_strategy(name, measures=measures, scrutiny_meeting=review if order == 1 else None)
        ScrutinyConclusionFactory(strategy=strategy, meeting=early, text=f"{EARLY} ({name})")
        if order == 1:
            ScrutinyConclusionFactory(strategy=strategy, meeting=review, text=AT_REVIEW)
            ScrutinyConclusionFactory(strategy=strategy, meeting=since, text=SINCE)
        PackAppendixFactory(pack=pack, strategy=strategy, order=order)
    return pack


_RENDERED: dict[str, tuple[str, bytes]] = {}


@pytest.fixture
def layout_pdf(layout_pack):
    """(the pack's HTML, its PDF), rendered once for the module's read-only tests."""
    if "pack" not in _RENDERED:
        source = documents.build_pack_document(layout_pack).html
        _RENDERED["pack"] = (source, _rendered(layout_pack))
    return _RENDERED["pack"]


def _texts(content: bytes) -> list[str]:
    return [page.extract_text() or "" for page in pdf_reader(content).pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- Landscape key contracts -----------------------------------------------------------------------------


def test_key_contract_tables_print_on_landscape_pages_and_every_other_page_is_portrait(layout_pdf):
    _, content = layout_pdf
    pages = pdf_reader(content).pages

    landscape = {n for n, page in enumerate(pages, start=1) if page.mediabox.width > page.mediabox.height}
    with_contracts = {n for n, text in enumerate(_texts(content), start=1) if CONTRACTS_HEADER.search(text)}

    assert with_contracts, "no key contracts table found"
    assert landscape == with_contracts
    for n in landscape:
        assert round(float(pages[n - 1].mediabox.width)) == 842  # A4 turned: 297mm wide


def _text_starts(page) -> list[tuple[float, str]]:
    """(x from the page's left edge, text) of each run of HTML text (see _lowest_text for the matrix)."""
    found: list[tuple[tuple, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((tuple(round(v, 3) for v in cm), tm[4] * cm[0] + tm[5] * cm[2] + cm[4], text.strip()))

    page.extract_text(visitor_text=visit)
    matrices = [matrix for matrix, _, _ in found]
    common = max(set(matrices), key=matrices.count) if matrices else None
    return [(x, text) for matrix, x, text in found if matrix == common]


def test_no_text_starts_in_the_right_margin_or_beyond_the_page(layout_pdf):
    """The ten key-contract columns fit the landscape page: a column pushed past the text area (cell padding
    added to percentage widths) would start in the right margin and run off the paper."""
    _, content = layout_pdf
    for number, page in enumerate(pdf_reader(content).pages, start=1):
        right = float(page.mediabox.width) - SIDE_MARGIN
        outside = [text for x, text in _text_starts(page) if x > right]
        assert not outside, f"page {number}: text starts past the text area: {outside[:3]}"


# --- Words break only at hyphenation points -------------------------------------------------------------

HYPHENS = "-\u2010\u00ad"  # hyphen-minus, the hyphen WeasyPrint prints at a hyphenation point, soft hyphen
# Runs of letters or of digits: a word torn without a hyphen ("Performa" "nce") leaves a piece that is no word
# of the source; digits are split from letters because pypdf may join a chart's last axis label to its legend.
PIECE = re.compile(r"\d+|[^\W\d_]+")
GENERATED_WORDS = {"page", "this", "is", "intentionally", "left", "blank"}  # from pdf.css content:


def source_words(document_html: str) -> set[str]:
    """The pieces of every word of the HTML's text (what the PDF prints), case folded."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", document_html, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return {piece.casefold() for piece in PIECE.findall(text)} | GENERATED_WORDS


def torn_words(tokens: list[str], words: set[str]) -> list[str]:
    """Tokens (whitespace-separated, in reading order) that are no source word, with their neighbours.

    A token ending in a hyphen is first joined with the tokens after it ("Independ‐" + "ent?", and
    "(Ar‐" + "rears/Ad‐" + "vance)" for a word hyphenated twice); if the join is made of source words, the
    break was at a hyphenation point. Otherwise each token must be made of source words on its own: a real
    compound ("Co-" "commissioning") passes, a word cut without a hyphen ("contracte" "d") does not."""

    def known(token: str) -> bool:
        return all(piece.casefold() in words for piece in PIECE.findall(token))

    torn = []
    i = 0
    while i < len(tokens):
        joined, j = tokens[i], i
        while joined[-1:] in HYPHENS and j + 1 < len(tokens):
            j += 1
            joined = joined.rstrip(HYPHENS) + tokens[j]
        if j > i and known(joined):
            i = j + 1
            continue
        if not known(tokens[i]):
            torn.append(" ".join(tokens[max(i - 1, 0) : i + 2]))
        i += 1
    return torn


def test_the_check_finds_a_word_cut_without_a_hyphen_and_accepts_hyphenation_points():
    words = source_words("<p>Performance driven / independent? Co-commissioning (Arrears/Advance)</p>")

    assert torn_words(["Performa", "nce", "driven"], words) == ["Performa nce", "Performa nce driven"]
    assert torn_words(["contracte", "d"], words | {"contracted"}) == ["contracte d", "contracte d"]
    assert torn_words(["indepen\u2010", "dent?"], words) == []
    assert torn_words(["(Ar\u2010", "rears/Ad\u2010", "vance)"], words) == []
    assert torn_words(["Co-", "commissioning"], words) == []


def test_no_word_is_broken_except_at_a_hyphenation_point_with_a_hyphen(layout_pdf):
    source, content = layout_pdf
    page_numbers = {str(n) for n in range(1, len(pdf_reader(content).pages) + 1)}  # from counter(page)
    words = source_words(source) | page_numbers

    torn = {n: torn_words(text.split(), words) for n, text in enumerate(_texts(content), start=1)}

    assert {n: found for n, found in torn.items() if found} == {}
    assert any("\u2010" in text for text in _texts(content)), "expected some hyphenated words in the contracts"


# --- Each conclusion printed once ------------------------------------------------------------------------


def test_each_scrutiny_conclusion_is_printed_exactly_once(layout_pdf):
    _, content = layout_pdf
    text = _flat(" ".join(_texts(content)))

    for conclusion in [f"{EARLY} (Public Protection)", f"{EARLY} (Carers)", AT_REVIEW, SINCE]:
        assert text.count(conclusion) == 1, conclusion


# --- Performance pages are not half empty ----------------------------------------------------------------


def _lowest_text(page) -> float | None:
    """The y (from the page's bottom, in points) of the lowest line of HTML text above the footer.

    WeasyPrint draws all HTML text in one matrix (CSS px to PDF points); text inside an SVG chart is drawn in
    the chart's own coordinates, which pypdf's visitor does not report reliably, so only text in the page's
    common matrix counts. A measure's chart has its numbers in a table beside it, so the lowest text line
    is within a few lines of where the last block on the page ends."""
    found: list[tuple[tuple, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((tuple(round(v, 3) for v in cm), tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    if not found:
        return None
    matrices = [matrix for matrix, _ in found]
    common = max(set(matrices), key=matrices.count)
    heights = [y for matrix, y in found if matrix == common and y > BOTTOM_MARGIN]
    return min(heights) if heights else None


def used_fraction(page) -> float:
    """How much of the page's text area, from the top margin down, holds text."""
    top = float(page.mediabox.height) - TOP_MARGIN
    lowest = _lowest_text(page)
    return 0.0 if lowest is None else (top - lowest) / (top - BOTTOM_MARGIN)


def performance_sections(texts: list[str]) -> list[list[int]]:
    """The page numbers of each appendix's performance section: from its heading to the page before the next
    appendix (or its left-over blank page), or the end."""
    sections: list[list[int]] = []
    current: list[int] | None = None
    for number, text in enumerate(texts, start=1):
        if re.match(r"Appendix \d+: ", text) or "This page is intentionally left blank" in text:
            current = None
        if text.startswith(PERFORMANCE_HEADING):
            current = []
            sections.append(current)
        if current is not None:
            current.append(number)
    return sections


# Measures flow one after another and a page ends only when the next measure does not fit, so a page is
# empty at most by one measure block (about a fifth of a page). One measure per page, as before, left each
# page about 40% empty (0.59 to 0.67 used); two thirds separates the two with room to spare.
MIN_USED = 2 / 3


def test_performance_pages_are_two_thirds_full_except_each_sections_last(layout_pdf):
    _, content = layout_pdf
    pages = pdf_reader(content).pages
    sections = performance_sections(_texts(content))

    assert len(sections) == 2
    assert len(sections[0]) >= 2, "the eleven measures should need more than one page"
    for section in sections:
        for number in section[:-1]:
            assert used_fraction(pages[number - 1]) >= MIN_USED, f"page {number} is largely empty"


def test_contents_page_numbers_are_where_each_appendix_starts(layout_pdf):
    _, content = layout_pdf
    texts = _texts(content)
    listed = [int(n) for n in re.findall(r"Commissioning Highlight Report \.* *Page (\d+)", _flat(texts[1]))]

    starts = [n for n, text in enumerate(texts, start=1) if re.match(r"Appendix \d+: ", text)]
    assert listed == starts == sorted(starts)
    assert len(starts) == 2
