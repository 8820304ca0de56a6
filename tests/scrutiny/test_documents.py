"""The printed pack and report: read back with pypdf, as a councillor's PDF reader would."""

import re

import pytest
from django.core.files.storage import default_storage

from scrutiny import documents, services
from scrutiny.models import ReportRender, ScrutinyPack
from tests.factories import MeetingFactory, ScrutinyConclusionFactory

from .conftest import STRATEGY_NAMES, page_texts, pdf_reader

pytestmark = pytest.mark.django_db

BLANK = "This page is intentionally left blank"


def _rendered(pack) -> bytes:
    services.run_pack_render(pack.pk)
    pack.refresh_from_db()
    assert pack.render_status == ScrutinyPack.RenderStatus.READY
    with default_storage.open(pack.file.name, "rb") as handle:
        return handle.read()


_RENDERED: dict[str, bytes] = {}


@pytest.fixture
def pack_pdf(pack_with_appendices):
    """The fixture pack's PDF. Layout takes seconds, and the same data gives the same document,
    so the read-only tests share one render."""
    if "pack" not in _RENDERED:
        _RENDERED["pack"] = _rendered(pack_with_appendices)
    return _RENDERED["pack"]


LONG_BACKGROUND = "\n\n".join(
    f"1.{n}. The Executive approved a number of commissioning strategies considered by scrutiny." for n in range(45)
)


def _appendix_start_pages(texts: list[str]) -> dict[int, int]:
    starts: dict[int, int] = {}
    for page_number, text in enumerate(texts, start=1):
        for number, name in enumerate(STRATEGY_NAMES, start=1):
            if text.startswith(f"Appendix {number}: {name}"):
                starts.setdefault(number, page_number)
    return starts


def test_cover_report_is_on_page_one(pack_pdf):
    first = page_texts(pack_pdf)[0]

    for expected in [
        "Overview and Scrutiny Management Board",
        "30 May 2019",
        "Commissioning Strategies",
        "This report invites the Board to consider the commissioning strategies.",
        "Actions Required",
        "1. Background",
        "2. Conclusion",
        "3. Consultation",
        "4. Appendices",
        "Appendix 3",
        "Senior Commercial Officer",
        "01522 000000",
    ]:
        assert expected in first


def test_every_page_is_numbered_continuously(pack_pdf):
    texts = page_texts(pack_pdf)

    assert len(texts) == pdf_reader(pack_pdf).get_num_pages()
    for number, text in enumerate(texts, start=1):
        assert text.rstrip().endswith(f"Page {number}"), f"page {number} footer: {text[-40:]!r}"


def test_each_appendix_starts_on_an_odd_page_listed_in_the_contents(pack_pdf):
    texts = page_texts(pack_pdf)
    starts = _appendix_start_pages(texts)
    contents = texts[1]

    assert contents.startswith("Contents")  # the cover fits on page 1
    assert sorted(starts) == [1, 2, 3]
    for number, page in starts.items():
        assert page % 2 == 1, f"Appendix {number} starts on even page {page}"
        listed = re.search(rf"Appendix {number}: {STRATEGY_NAMES[number - 1]}.*?Page (\d+)", contents, re.S)
        assert listed
        assert int(listed.group(1)) == page


def test_left_over_even_pages_say_they_are_blank_on_purpose(pack_with_appendices):
    # A two-page cover puts the contents on page 3, so page 4 is left over before appendix 1.
    type(pack_with_appendices).objects.filter(pk=pack_with_appendices.pk).update(background=LONG_BACKGROUND)
    texts = page_texts(_rendered(pack_with_appendices))
    starts = set(_appendix_start_pages(texts).values())

    fillers = [n for n, text in enumerate(texts, start=1) if BLANK in text]
    assert fillers, "expected at least one filler page before an odd-page appendix"
    for page in fillers:
        assert page % 2 == 0
        assert page + 1 in starts
        assert texts[page - 1].replace(BLANK, "").strip() == f"Page {page}"


def test_bookmarks_name_each_appendix(pack_pdf):
    titles = [item.title for item in pdf_reader(pack_pdf).outline if not isinstance(item, list)]

    for number, name in enumerate(STRATEGY_NAMES, start=1):
        assert f"Appendix {number}: {name}" in titles


def test_pdf_is_tagged_with_title_and_language(pack_pdf):
    reader = pdf_reader(pack_pdf)
    root = reader.trailer["/Root"]

    assert reader.metadata.title == "Commissioning Strategies"
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root


def _words(texts: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(texts))


def test_appendix_holds_report_contracts_performance_and_conclusions(pack_pdf):
    text = _words(page_texts(pack_pdf))

    assert "Carers summary of the quarter." in text
    assert "Carers key contract 0" in text
    assert "Quarter 3 2018/19 Performance Information" in text
    assert "Carers measure 1" in text
    assert "The Committee supported the Carers strategy." in text


def test_conclusions_made_after_the_report_appear_in_a_later_pack(pack_with_appendices):
    strategy = pack_with_appendices.appendices.get(order=1).strategy
    after_report = MeetingFactory(committee=pack_with_appendices.meeting.committee, date="2019-03-12")
    ScrutinyConclusionFactory(strategy=strategy, meeting=after_report, text="Members asked for an annual update.")
    at_this_meeting = MeetingFactory(committee=pack_with_appendices.meeting.committee, date="2019-05-30")
    ScrutinyConclusionFactory(strategy=strategy, meeting=at_this_meeting, text="Concluded at the pack's own meeting.")

    text = _words(page_texts(_rendered(pack_with_appendices)))

    assert "Members asked for an annual update." in text
    assert "Concluded at the pack's own meeting." not in text


def test_a_pack_uses_the_latest_non_draft_report_on_or_before_its_date(pack_with_appendices):
    from tests.factories import HighlightReportFactory, SubmittedHighlightReportFactory

    strategy = pack_with_appendices.appendices.get(order=1).strategy
    HighlightReportFactory(strategy=strategy, year=2018, quarter=4, report_date="2019-03-01")  # a draft
    SubmittedHighlightReportFactory(strategy=strategy, year=2019, quarter=1, report_date="2019-06-20")  # too late

    chosen = documents.report_for_pack(strategy=strategy, on_or_before=pack_with_appendices.report_date)

    assert (chosen.year, chosen.quarter) == (2018, 3)


def test_unchanged_pack_reuses_the_stored_file(pack_with_appendices):
    _rendered(pack_with_appendices)
    first_name = pack_with_appendices.file.name
    modified = default_storage.get_modified_time(first_name)

    outcome = services.run_pack_render(pack_with_appendices.pk)

    pack_with_appendices.refresh_from_db()
    assert outcome.reused
    assert pack_with_appendices.file.name == first_name
    assert default_storage.get_modified_time(first_name) == modified
    assert default_storage.listdir("packs")[1] == [first_name.rsplit("/", 1)[1]]


def test_changed_pack_gets_a_new_file_and_the_old_one_goes(pack_with_appendices, django_capture_on_commit_callbacks):
    _rendered(pack_with_appendices)
    first_name = pack_with_appendices.file.name
    type(pack_with_appendices).objects.filter(pk=pack_with_appendices.pk).update(summary="A different summary.")

    with django_capture_on_commit_callbacks(execute=True):
        content = _rendered(pack_with_appendices)

    assert pack_with_appendices.file.name != first_name
    assert default_storage.listdir("packs")[1] == [pack_with_appendices.file.name.rsplit("/", 1)[1]]
    assert "A different summary." in page_texts(content)[0]


def test_highlight_report_pdf_has_the_template_sections(pack_with_appendices):
    report = pack_with_appendices.appendices.get(order=3).strategy.highlight_reports.get()

    services.run_report_render(report.pk)

    job = ReportRender.objects.get(report=report)
    assert job.status == ReportRender.Status.READY
    with default_storage.open(job.file.name, "rb") as handle:
        content = handle.read()
    text = _words(page_texts(content))
    for expected in ["Carers Commissioning Highlight Report", "Sponsor", "Key contracts", "Carers key contract 0"]:
        assert expected in text
    assert "Performance Information" in text
    assert job.page_count == pdf_reader(content).get_num_pages()
