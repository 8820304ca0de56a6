"""A published revision read on screen: the HTML laid out with the PDF, a marker ("Page 27") before what each
page of the PDF begins with, so that a councillor on a phone cites the page the printed pack has.

One real render of a pack long enough to have landscape key contracts, tables running over pages and a blank
page before an appendix (rendering is slow: the first test renders, the others replay its files)."""

import datetime
import io
import re
import unicodedata

import pytest
import tinyhtml5  # type: ignore[import-untyped]  # WeasyPrint's HTML parser: no type stubs
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from commissioning import roles
from commissioning.pdf import PagedHtml, html_to_paged_pdf, html_to_pdf, lay_out_with_pages, paged_html
from scrutiny import documents, services
from scrutiny.models import PackRevision, ScrutinyPack
from tests.factories import (
    ApprovedHighlightReportFactory,
    CommitteeFactory,
    MeetingFactory,
    PackAppendixFactory,
    ScrutinyPackFactory,
    StrategyFactory,
    UserFactory,
)

from .test_pdf_layout import SEED_CONTRACTS, printable_strategy

pytestmark = pytest.mark.django_db

SECRET = "Negotiations with the preferred bidder value the lot at 4.2 million pounds."
SECRET_CONTRACT = "Confidential bidder framework lot"
WORD = re.compile(r"\d+|[^\W\d_]+")
# Words each page of the PDF prints outside the document's flow (static/css/pdf.css margin boxes).
BLANK_PAGE_HEADER = "This page is intentionally left blank"
HIDDEN = {"govuk-visually-hidden", "pdf-visually-hidden"}
COMPARED_WORDS = 10


def _councillor(username: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=roles.SCRUTINY_MEMBER))
    return user


@pytest.fixture
def reader():
    return _councillor("cllr.ashby")


@pytest.fixture
def conflicted():
    return _councillor("cllr.brant")


def _build_pack(committee) -> ScrutinyPack:
    """Three appendices: Public Protection (thirty measures over eight quarters and the seed's key contracts,
    so tables run over pages and contracts print landscape), Carers, and an exempt one whose content is
    secret."""
    pack = ScrutinyPackFactory(
        meeting=MeetingFactory(committee=committee, date=datetime.date(2019, 5, 30)),
        title="Commissioning Strategies",
        summary="This report invites the Board to consider the commissioning strategies.",
    )
    for order, (name, measures) in enumerate([("Public Protection", 30), ("Carers", 3), ("Secret Lot", 1)], 1):
        secret = name == "Secret Lot"
        strategy = printable_strategy(
            name,
            measures=measures,
            contracts=[{"title": SECRET_CONTRACT}] if secret else SEED_CONTRACTS,
            **({"summary": SECRET} if secret else {}),
        )
        PackAppendixFactory(pack=pack, strategy=strategy, order=order)
    return pack


def _mark_exempt(pack, administrator, conflicted) -> None:
    services.appendix_mark_exempt(
        appendix=pack.appendices.get(strategy__name="Secret Lot"),
        by=administrator,
        paragraph=3,
        public_interest_reasoning="Disclosure would prejudice the council's commercial position.",
        exclusion_resolution="That the press and public be excluded for the item.",
        excluded_members=[conflicted],
        exclusion_reasons="Cllr Brant declared a disclosable pecuniary interest.",
    )


_RENDERED: dict[str, bytes] = {}


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


@pytest.fixture
def rendered_pack(reader, conflicted, administrator):
    """The pack rendered (PDF and HTML copy from one layout) and ready to publish. The first test lays it out
    through the render service; later ones put the same files in place as that render left them."""
    committee = CommitteeFactory()
    committee.members.add(reader, conflicted)
    pack = _build_pack(committee)
    _mark_exempt(pack, administrator, conflicted)
    if not _RENDERED:
        outcome = services.run_pack_render(pack.pk)
        pack.refresh_from_db()
        assert not outcome.reused
        assert pack.render_status == ScrutinyPack.RenderStatus.READY
        _RENDERED.update(pdf=_read(pack.file.name), html=_read(pack.html_file.name))
        return pack
    pack.file.name = default_storage.save(f"packs/{pack.pk}-replay.pdf", ContentFile(_RENDERED["pdf"]))
    pack.html_file.name = default_storage.save(f"packs/{pack.pk}-replay.html", ContentFile(_RENDERED["html"]))
    pack.render_status = ScrutinyPack.RenderStatus.READY
    pack.checksum = documents.build_pack_document(pack).checksum
    pack.page_count = len(PdfReader(io.BytesIO(_RENDERED["pdf"])).pages)
    pack.save()
    return pack


@pytest.fixture
def published(rendered_pack, administrator) -> PackRevision:
    return services.pack_publish(pack=rendered_pack, by=administrator)


def _words(text: str) -> list[str]:
    # A word hyphenated at a line's end in the PDF ("meas‐" "ures") is one word.
    text = re.sub(r"[\u2010\u00ad]\s*\n\s*", "", unicodedata.normalize("NFKC", text))
    return [word.casefold() for word in WORD.findall(text)]


def _pdf_pages(content: bytes) -> list[list[str]]:
    """Each PDF page's words in pypdf's reading order, less the page-number footer and the blank-page header."""
    pages = []
    for number, page in enumerate(PdfReader(io.BytesIO(content)).pages, start=1):
        text = (page.extract_text() or "").strip()
        text = re.sub(rf"Page {number}\s*$", "", text).replace(BLANK_PAGE_HEADER, "")
        pages.append(_words(text))
    return pages


def _html_pages(document: str) -> dict[int, list[str]]:
    """The words that follow each page marker of the HTML copy, up to the next marker, in document order;
    visually hidden text left out (the PDF prints it off the page, where pypdf reads it last)."""
    root = tinyhtml5.parse(document, namespace_html_elements=False)
    texts: dict[int, list[str]] = {}
    current: list[int] = []

    def add(text: str | None) -> None:
        if current and text:
            texts[current[0]].append(text)

    def visit(element) -> None:
        classes = set((element.get("class") or "").split())
        if "app-page-marker" in classes:
            number = int(element.get("id").removeprefix("page-"))
            current[:] = [number]
            texts[number] = []
        elif "app-paged-contents" not in classes and not classes & HIDDEN:
            add(element.text)
            for child in element:
                visit(child)
        add(element.tail)

    visit(root)
    return {number: _words(" ".join(parts)) for number, parts in texts.items()}


def _marker_ids(document: str) -> list[str]:
    return re.findall(r'<div class="app-page-marker" id="(page-\d+)">', document)


# --- The copy and its page markers ---------------------------------------------------------------------


def test_rendering_writes_the_html_copy_beside_the_pdf(rendered_pack):
    document = _read(rendered_pack.html_file.name).decode()
    page_count = len(PdfReader(io.BytesIO(_read(rendered_pack.file.name))).pages)

    assert page_count == rendered_pack.page_count >= 10
    assert _marker_ids(document) == [f"page-{n}" for n in range(1, page_count + 1)]
    assert re.findall(r'<a class="govuk-link" href="#(page-\d+)">', document) == _marker_ids(document)
    assert document.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    assert f"<title>{rendered_pack.title}</title>" in document


def test_each_marker_is_followed_by_the_words_its_pdf_page_begins_with(rendered_pack):
    pdf = _read(rendered_pack.file.name)
    document = _read(rendered_pack.html_file.name).decode()
    pdf_pages = _pdf_pages(pdf)
    html_pages = _html_pages(document)
    readers_pages = PdfReader(io.BytesIO(pdf)).pages
    landscape = [n for n, page in enumerate(readers_pages, 1) if page.mediabox.width > page.mediabox.height]

    assert sorted(html_pages) == list(range(1, len(pdf_pages) + 1))
    mismatched = {
        number: (html_pages[number][:COMPARED_WORDS], words[:COMPARED_WORDS])
        for number, words in enumerate(pdf_pages, start=1)
        if html_pages[number][:COMPARED_WORDS] != words[:COMPARED_WORDS]
    }
    assert not mismatched
    blank = [number for number, words in enumerate(pdf_pages, start=1) if not words]
    assert blank, "the pack has no blank page: an appendix should start on a right-hand page"
    assert len(blank) < len(pdf_pages) // 3
    assert landscape, "no landscape key contracts page"
    for number in blank:
        assert "This page of the PDF is left blank." in document.split(f'id="page-{number}"', 1)[1][:800]


def test_a_table_running_over_pages_is_cut_where_the_page_turns_with_its_header_repeated(rendered_pack):
    document = _read(rendered_pack.html_file.name).decode()

    continued = re.findall(r'<table [^>]*aria-label="([^"]+) \(continued\)"', document)
    assert continued, "no table ran over a page"
    for match in re.finditer(r'<table [^>]*aria-label="[^"]+ \(continued\)"[^>]*>(.*?)</table>', document, re.S):
        assert "<thead" in match.group(1)
    # Every table scrolls sideways in a focusable, named container of its own.
    assert document.count("<table") == document.count('class="app-table-wrap app-paged__table" role="region"')


def test_the_copy_has_no_script_no_inline_style_and_no_remote_resource(rendered_pack):
    document = _read(rendered_pack.html_file.name).decode()

    assert "<script" not in document
    assert "<style" not in document
    assert " style=" not in document
    assert not re.search(r"\son[a-z]+=", document)
    assert not re.search(r'(src|href)="(https?:)?//', document)
    assert '<link rel="stylesheet" href="/static/css/paged-html.css">' in document
    assert "pdf-page-probe" not in document  # the layout's probes are not part of the copy
    # Headings sit under the showing page's own <h1>.
    assert "<h1" not in PagedHtml.body_of(document)


def test_the_contents_links_to_each_page_with_what_it_begins_with(rendered_pack):
    document = _read(rendered_pack.html_file.name).decode()

    contents = re.search(r'<nav class="app-paged-contents".*?</nav>', document, re.S).group(0)
    assert '<a class="govuk-link" href="#page-1">Page 1</a>' in contents
    assert re.search(r'href="#page-\d+">Page \d+</a><span class="app-paged-contents__label">: Appendix 1', contents)


def test_exempt_content_is_in_neither_the_copy_nor_the_page(published, reader, conflicted):
    stored = _read(published.html_file.name).decode()
    pages = [
        _client(user).get(reverse("scrutiny:revision_html", args=[published.pack_id, 1])).content.decode()
        for user in (reader, conflicted)
    ]

    for html in [stored, *pages]:
        assert "4.2 million" not in html
        assert "preferred bidder" not in html
        assert SECRET_CONTRACT not in html
        assert "Secret Lot measure" not in html
        assert "Secret Lot" in html  # the item's title and paragraph stay, as in the PDF
        assert "paragraph 3 of Part 1 of Schedule 12A" in html


# --- One layout, the PDF unchanged -----------------------------------------------------------------------

SMALL = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Small</title></head><body>
<h1 id="top">A title</h1><p>First paragraph, <a href="#later">a link to later</a>.</p>
<div style="break-before: page"><h2 id="later">Later</h2><p onclick="alert(1)">Second page.</p>
<script>document.write("no")</script><img src="img/council-logo.png" alt="Logo"></div></body></html>"""


def test_the_pdf_is_the_one_html_to_pdf_lays_out_and_the_same_input_gives_the_same_bytes():
    once, copy = html_to_paged_pdf(SMALL)
    again, copy_again = html_to_paged_pdf(SMALL)

    assert once.content == html_to_pdf(SMALL).content
    assert (once.content, copy.document) == (again.content, copy_again.document)
    assert once.page_count == copy.page_count == 2


def test_a_small_document_gets_its_markers_links_and_images_inline():
    layout = lay_out_with_pages(SMALL)
    starts = [element.tag for element in layout.starts]
    body = paged_html(layout, stylesheet_urls=["/static/x.css"]).body

    assert starts == ["h1", "div"]  # the <div> breaks before page 2
    assert (
        body.index('id="page-1"') < body.index("A title</h2>") < body.index('id="page-2"') < body.index(">Later</h3>")
    )
    assert '<a href="#later">a link to later<span class="app-paged__page-ref"> Page 2</span></a>' in body
    assert 'src="data:image/png;base64,' in body
    for dropped in ("alert", "document.write", "style=", "<h1"):
        assert dropped not in body
    assert "<h2" in body


# --- Publication keeps the copy -----------------------------------------------------------------------------


def test_publishing_copies_the_html_and_a_revision_never_changes(reader, conflicted, administrator):
    """Real renders of a one-appendix pack: revision 1's copy keeps its bytes when revision 2 is laid out
    and published; revision 2's copy says it is revised."""
    committee = CommitteeFactory()
    committee.members.add(reader)
    pack = ScrutinyPackFactory(meeting=MeetingFactory(committee=committee, date=datetime.date(2019, 5, 30)))
    strategy = StrategyFactory(name="Carers")
    ApprovedHighlightReportFactory(strategy=strategy, report_date=datetime.date(2018, 12, 5))
    PackAppendixFactory(pack=pack, strategy=strategy)
    services.run_pack_render(pack.pk)
    first = services.pack_publish(pack=ScrutinyPack.objects.get(pk=pack.pk), by=administrator)
    first_bytes = _read(first.html_file.name)
    pack.refresh_from_db()

    services.pack_revise(pack=pack, by=administrator)
    services.pack_update(pack=pack, by=administrator, cover={"summary": "Corrected summary of the quarter."})
    services.run_pack_render(pack.pk)
    second = services.pack_publish(pack=ScrutinyPack.objects.get(pk=pack.pk), by=administrator, change_note="Fix.")

    first = PackRevision.objects.get(pk=first.pk)
    assert first.html_file.name != second.html_file.name
    assert first.html_file.name.startswith(f"packs/published/html/{pack.pk}-r1-")
    assert _read(first.html_file.name) == first_bytes
    assert "Corrected summary" not in first_bytes.decode()
    second_text = _read(second.html_file.name).decode()
    assert "Corrected summary of the quarter." in second_text
    assert "revision 2" in second_text
    assert ScrutinyPack.objects.get(pk=pack.pk).html_file.name != first.html_file.name


def test_a_render_with_unchanged_inputs_but_no_html_copy_lays_out_again(rendered_pack):
    default_storage.delete(rendered_pack.html_file.name)

    outcome = services.run_pack_render(rendered_pack.pk)

    rendered_pack.refresh_from_db()
    assert not outcome.reused
    assert default_storage.exists(rendered_pack.html_file.name)
    assert services.run_pack_render(rendered_pack.pk).reused


# --- The page ------------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_councillor_reads_the_revision_on_screen_with_its_page_markers(published, reader):
    response = _client(reader).get(reverse("scrutiny:revision_html", args=[published.pack_id, 1]))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="app-page-marker"') == published.page_count
    assert 'href="/static/css/paged-html.css"' in page
    assert "Current" in page
    assert "Superseded" not in page
    assert published.get_download_url() in page


def test_the_pack_page_and_the_archive_link_to_the_revision_on_screen(published, reader):
    member = _client(reader)
    url = reverse("scrutiny:revision_html", args=[published.pack_id, 1])

    assert url in member.get(reverse("scrutiny:pack", args=[published.pack_id])).content.decode()
    archive = member.get(reverse("scrutiny:archive")).content.decode()
    assert url in archive
    assert "Read on screen (pages as in the PDF)" in archive


def test_a_superseded_revision_says_so_and_links_to_the_current_one(published, rendered_pack, administrator, reader):
    services.pack_revise(pack=rendered_pack, by=administrator)
    services.pack_update(pack=rendered_pack, by=administrator, cover={"summary": "Corrected."})
    pack = ScrutinyPack.objects.get(pk=rendered_pack.pk)
    pack.checksum = documents.build_pack_document(pack).checksum
    pack.save()
    services.pack_publish(pack=pack, by=administrator, change_note="Corrected the summary.")

    page = _client(reader).get(reverse("scrutiny:revision_html", args=[pack.pk, 1])).content.decode()

    assert "This is revision 1, superseded by revision 2" in page
    assert reverse("scrutiny:revision_html", args=[pack.pk, 2]) in page


def test_a_revision_published_before_html_copies_says_it_has_none(reader, administrator):
    committee = CommitteeFactory()
    committee.members.add(reader)
    pack = ScrutinyPackFactory(meeting=MeetingFactory(committee=committee), status=ScrutinyPack.Status.PUBLISHED)
    PackRevision(
        pack=pack,
        number=1,
        file=default_storage.save("packs/published/old-r1.pdf", ContentFile(b"%PDF-1.7 old")),
        sha256="0" * 64,
        page_count=12,
        published_at=datetime.datetime(2018, 9, 1, tzinfo=datetime.UTC),
    ).save()

    response = _client(reader).get(reverse("scrutiny:revision_html", args=[pack.pk, 1]))

    assert response.status_code == 200
    assert "Not available for this revision" in response.content.decode()


def test_who_reads_the_revision_on_screen(published, reader, conflicted, commissioner, contract_officer, administrator):
    url = reverse("scrutiny:revision_html", args=[published.pack_id, 1])
    missing = reverse("scrutiny:revision_html", args=[published.pack_id, 2])

    for user in (reader, conflicted, commissioner, contract_officer, administrator):
        assert _client(user).get(url).status_code == 200, user
        assert _client(user).get(missing).status_code == 404, user
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]


def test_a_draft_packs_revision_page_does_not_exist_for_readers(reader):
    draft = ScrutinyPackFactory()

    assert _client(reader).get(reverse("scrutiny:revision_html", args=[draft.pk, 1])).status_code == 404


def test_the_page_runs_a_bounded_number_of_queries(published, reader, django_assert_max_num_queries):
    member = _client(reader)
    url = reverse("scrutiny:revision_html", args=[published.pack_id, 1])
    member.get(url)

    with django_assert_max_num_queries(8):
        assert member.get(url).status_code == 200


def test_the_html_copy_is_read_through_its_page_never_as_a_media_url(published, reader, administrator, settings):
    for name in (published.html_file.name, published.pack.html_file.name):
        for user in (reader, administrator):
            assert _client(user).get(f"{settings.MEDIA_URL}{name}").status_code == 404, (name, user)
