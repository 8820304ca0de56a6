"""The demo's published pack (the seed's 30 May 2019 Overview and Scrutiny Management Board pack, with the
Executive report for decision I017457), read back with pypdf as a councillor downloads it: the same layout
checks as test_pdf_layout's, on the real thing. Slow (load_demo renders it): run once, on the PostgreSQL pass."""

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage

from scrutiny import documents
from scrutiny.models import PackRevision, ScrutinyConclusion

from .conftest import pdf_reader
from .test_pdf_layout import (
    CONTRACTS_HEADER,
    SIDE_MARGIN,
    _flat,
    _text_starts,
    _texts,
    source_words,
    torn_words,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# A contents line: "Appendix A1: Specialist Adult Services Commissioning Highlight Report ...... Page 9".
CONTENTS_ENTRY = re.compile(r"^(Appendix A?\d+): .+?\.{2,}\s*Page (\d+)$", re.MULTILINE)
APPENDIX_HEADING = re.compile(r"(Appendix A?\d+): ")


def test_the_published_demo_pack_reads_as_the_council_would_print_it(demo_database):
    revision = PackRevision.objects.select_related("pack__meeting").get(pack__title="Commissioning Strategies")
    with default_storage.open(revision.file.name, "rb") as stored:
        content = stored.read()
    pack = revision.pack
    pages = pdf_reader(content).pages
    texts = _texts(content)
    assert len(pages) == revision.page_count

    # The cover report fits its page; the contents follow on page 2.
    assert texts[1].startswith("Contents"), texts[1][:80]

    # The contents' page numbers are where each part starts: the Executive report (Appendix 1), then its
    # Appendix A's highlight reports A1 to A6.
    listed = CONTENTS_ENTRY.findall(texts[1])
    starts = [(match.group(1), n) for n, text in enumerate(texts, start=1) if (match := APPENDIX_HEADING.match(text))]
    assert [label for label, _ in listed] == ["Appendix 1"] + [f"Appendix A{n}" for n in range(1, 7)]
    assert [(label, int(page)) for label, page in listed] == starts

    # Key contracts on landscape pages, and only they.
    landscape = {n for n, page in enumerate(pages, start=1) if page.mediabox.width > page.mediabox.height}
    assert landscape
    assert landscape == {n for n, text in enumerate(texts, start=1) if CONTRACTS_HEADER.search(text)}

    # Each scrutiny conclusion the committees made before the meeting is printed once.
    conclusions = ScrutinyConclusion.objects.filter(
        strategy__in=pack.strategies.all(), meeting__date__lte=pack.meeting.date - timedelta(days=1)
    )
    whole = _flat(" ".join(texts))
    assert conclusions.exists()
    for conclusion in conclusions:
        assert whole.count(_flat(conclusion.text)) == 1, conclusion.text

    # No word split across lines without a hyphen, anywhere (compared with the words of the source HTML).
    words = source_words(documents.build_pack_document(pack).html) | {str(n) for n in range(1, len(pages) + 1)}
    torn = {n: torn_words(text.split(), words) for n, text in enumerate(texts, start=1)}
    assert {n: found for n, found in torn.items() if found} == {}

    # Nothing runs into the right margin or off the paper.
    for number, page in enumerate(pages, start=1):
        right = float(page.mediabox.width) - SIDE_MARGIN
        assert not [text for x, text in _text_starts(page) if x > right], f"page {number}"
