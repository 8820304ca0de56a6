"""Exempt items (Schedule 12A to the Local Government Act 1972): recorded with the paragraph, the public interest
test and the resolution to exclude the press and public; the published pack prints only the item's title and
paragraph; the content is a restricted document that councillors (except those excluded from the item) and
administrators read, and nobody else."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from commissioning import roles
from scrutiny import documents, services
from scrutiny.models import ExemptDocument, ScrutinyPack
from tests.factories import (
    ApprovedHighlightReportFactory,
    CommitteeFactory,
    MeetingFactory,
    PackAppendixFactory,
    ScrutinyPackFactory,
    StrategyFactory,
    UserFactory,
)
from tests.scrutiny.rendering import mark_rendered

pytestmark = pytest.mark.django_db

SECRET = "Negotiations with the preferred bidder value the lot at 4.2 million pounds."
OPEN = "Carers were supported across the county this quarter."
REASONING = "Disclosure while negotiations continue would prejudice the council's commercial position."
RESOLUTION = "That the press and public be excluded for the item under section 100A(4) of the 1972 Act."


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


@pytest.fixture
def pack(reader, conflicted):
    committee = CommitteeFactory()
    committee.members.add(reader, conflicted)
    pack = ScrutinyPackFactory(meeting=MeetingFactory(committee=committee, date=datetime.date(2019, 5, 30)))
    for name, summary in (("Carers", OPEN), ("Specialist Adult Services", SECRET)):
        strategy = StrategyFactory(name=name)
        ApprovedHighlightReportFactory(strategy=strategy, report_date=datetime.date(2018, 12, 5), summary=summary)
        PackAppendixFactory(pack=pack, strategy=strategy)
    return pack


def _exempt_appendix(pack):
    return pack.appendices.get(strategy__name="Specialist Adult Services")


def _mark(pack, administrator, conflicted, **changes):
    arguments = {
        "appendix": _exempt_appendix(pack),
        "by": administrator,
        "paragraph": 3,
        "public_interest_reasoning": REASONING,
        "exclusion_resolution": RESOLUTION,
        "excluded_members": [conflicted],
        "exclusion_reasons": "Cllr Brant declared a disclosable pecuniary interest: a director of a bidder.",
    }
    return services.appendix_mark_exempt(**{**arguments, **changes})


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _published(pack, administrator, conflicted) -> ExemptDocument:
    _mark(pack, administrator, conflicted)
    mark_rendered(ScrutinyPack.objects.get(pk=pack.pk))
    revision = services.pack_publish(pack=pack, by=administrator)
    return revision.exempt_documents.get()


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_an_exempt_item_records_the_paragraph_the_test_and_the_resolution(pack, administrator, conflicted):
    appendix = _mark(pack, administrator, conflicted)

    assert (appendix.exempt_paragraph, appendix.is_exempt) == (3, True)
    assert appendix.public_interest_reasoning == REASONING
    assert list(appendix.excluded_members.all()) == [conflicted]


def test_the_public_interest_test_and_the_resolution_must_be_recorded(pack, administrator, conflicted):
    with pytest.raises(ValidationError) as refused:
        _mark(pack, administrator, conflicted, public_interest_reasoning=" ", exclusion_resolution="", paragraph=9)

    assert set(refused.value.message_dict) == {"paragraph", "public_interest_reasoning", "exclusion_resolution"}
    assert not _exempt_appendix(pack).is_exempt


def test_only_councillors_are_excluded_and_each_exclusion_says_why(pack, administrator, conflicted, commissioner):
    with pytest.raises(ValidationError) as refused:
        _mark(pack, administrator, conflicted, excluded_members=[commissioner])
    assert "excluded_members" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _mark(pack, administrator, conflicted, exclusion_reasons="")
    assert "exclusion_reasons" in refused.value.message_dict


def test_only_those_who_prepare_packs_record_exemptions(pack, commissioner, conflicted):
    with pytest.raises(PermissionDenied):
        _mark(pack, commissioner, conflicted)
    url = reverse("scrutiny:appendix_exempt", args=[pack.pk, _exempt_appendix(pack).pk])
    assert _client(commissioner).post(url, {"paragraph": "3"}).status_code == 403


def test_the_page_records_an_exemption_and_names_a_missing_field(pack, administrator, conflicted):
    url = reverse("scrutiny:appendix_exempt", args=[pack.pk, _exempt_appendix(pack).pk])
    admin = _client(administrator)

    missing = admin.post(url, {"paragraph": "3", "exclusion_resolution": RESOLUTION})
    saved = admin.post(
        url, {"paragraph": "3", "public_interest_reasoning": REASONING, "exclusion_resolution": RESOLUTION}
    )

    assert missing.status_code == 200
    assert "public_interest_reasoning" in missing.context["form"].errors
    assert saved.status_code == 302
    assert _exempt_appendix(pack).exempt_paragraph == 3


def test_an_exemption_survives_a_change_to_the_pack(pack, administrator, conflicted):
    _mark(pack, administrator, conflicted)
    strategies = [a.strategy for a in pack.appendices.order_by("-order")]  # the same appendices, reordered

    services.pack_update(pack=pack, by=administrator, cover={}, strategies=strategies)

    appendix = _exempt_appendix(pack)
    assert (appendix.order, appendix.exempt_paragraph) == (1, 3)


def test_the_public_pack_prints_the_title_and_paragraph_only(pack, administrator, conflicted):
    _mark(pack, administrator, conflicted)

    html = documents.build_pack_document(pack).html

    assert "Appendix 2: Specialist Adult Services" in html
    assert "paragraph 3 of Part 1 of Schedule 12A" in html
    assert SECRET not in html
    assert OPEN in html


def test_publishing_makes_the_restricted_document_with_the_content(pack, administrator, conflicted):
    document = _published(pack, administrator, conflicted)

    with document.file.open("rb") as stored:
        text = _pdf_text(stored.read())
    assert "4.2 million" in text
    assert "Not for publication" in text
    assert OPEN not in text
    assert (document.appendix_number, document.exempt_paragraph) == (2, 3)
    assert list(document.excluded_members.all()) == [conflicted]


def test_who_reads_the_restricted_document(pack, administrator, conflicted, reader, commissioner, contract_officer):
    document = _published(pack, administrator, conflicted)
    url = reverse("scrutiny:exempt_download", args=[document.pk])

    assert _client(reader).get(url).status_code == 200
    assert _client(administrator).get(url).status_code == 200
    assert _client(conflicted).get(url).status_code == 404  # excluded from the item
    assert _client(commissioner).get(url).status_code == 404
    assert _client(contract_officer).get(url).status_code == 404
    assert Client().get(url).status_code in (302, 401, 404)
    for user in (reader, administrator, commissioner):
        assert _client(user).get(f"/media/{document.file.name}").status_code == 404


def test_the_api_shows_no_exempt_content(pack, administrator, conflicted, reader):
    _published(pack, administrator, conflicted)

    body = _client(reader).get(f"/api/v1/scrutiny-packs/{pack.pk}/").content.decode()

    assert SECRET not in body


def test_the_pack_page_lists_the_restricted_document_only_to_those_who_may_read_it(
    pack, administrator, conflicted, reader
):
    document = _published(pack, administrator, conflicted)

    assert document.get_download_url() in _client(reader).get(pack.get_absolute_url()).content.decode()
    assert document.get_download_url() not in _client(conflicted).get(pack.get_absolute_url()).content.decode()


def test_the_cover_carries_the_council_the_consultation_and_the_background_papers(pack, settings):
    settings.COUNCIL_NAME = "Fenland County Council"
    pack.risks_analysed = True
    pack.on_behalf_of = "Helen Marsh, Executive Director - Commercial"
    pack.author = "Tom Ashworth, Scrutiny Officer"
    pack.save()

    html = documents.build_pack_document(pack).html

    assert "Fenland County Council" in html
    assert "Open report on behalf of Helen Marsh, Executive Director - Commercial" in html
    assert "This report was written by Tom Ashworth, Scrutiny Officer" in html
    assert "a) Have Risks and Impact Analysis been carried out?" in html
    assert "carried out?</strong> Yes</p>" in html
    assert "5. Background Papers" in html
    assert "Part VA of the Local Government Act 1972" in html


def test_the_cover_carries_the_councils_logo(pack, settings):
    from commissioning.pdf import html_to_pdf

    settings.COUNCIL_LOGO = "img/council-logo.png"
    html = documents.build_pack_document(pack).html
    assert 'src="img/council-logo.png"' in html

    first_page = PdfReader(io.BytesIO(html_to_pdf(html, stylesheets=documents.stylesheet_paths()).content)).pages[0]
    images = [
        o for o in first_page["/Resources"].get("/XObject", {}).values() if o.get_object()["/Subtype"] == "/Image"
    ]
    assert len(images) == 1
