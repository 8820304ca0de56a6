"""Supplements: late items added to a published agenda, as a document whose page numbers and appendix numbers
continue the pack's, published beside it and, once published, never changed.

Renders are stubbed (tests/scrutiny/rendering.py and ``_mark_rendered`` below) except in the tests that read the
printed page numbers and page labels with pypdf."""

import datetime
import hashlib
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from commissioning.models import Notification
from scrutiny import documents, services
from scrutiny.models import AgendaItem, Decision, PackSupplement, PublishedRevisionChanged, ScrutinyPack
from tests.factories import CommitteeFactory, MeetingFactory, StrategyFactory
from tests.scrutiny.conftest import make_strategy_with_report
from tests.scrutiny.pdfstruct import StructTree
from tests.scrutiny.rendering import mark_rendered

pytestmark = pytest.mark.django_db

COVER = {
    "title": "Commissioning Strategies",
    "report_to": "Overview and Scrutiny Management Board",
    "report_date": datetime.date(2019, 5, 30),
    "subject": "Commissioning Strategies",
}
REASON = "The Carers report was not available when the agenda was published; the Executive decides on 4 June 2019."
SUPPLEMENT_PDF = b"%PDF-1.7 supplement 1 as rendered"


@pytest.fixture
def committee(scrutiny_member):
    committee = CommitteeFactory(name="Overview and Scrutiny Management Board")
    committee.members.add(scrutiny_member)
    return committee


@pytest.fixture
def meeting(committee):
    return MeetingFactory(committee=committee, date=datetime.date(2019, 5, 30))


@pytest.fixture
def published_pack(meeting, administrator):
    """The meeting's pack, from its agenda (one strategy), published as a 46-page revision 1."""
    services.agenda_item_add(
        meeting=meeting, by=administrator, data={"title": "Frailty", "strategy": StrategyFactory(name="Frailty")}
    )
    pack = services.pack_create(meeting=meeting, by=administrator, cover=COVER)
    mark_rendered(pack, page_count=46)
    services.pack_publish(pack=pack, by=administrator)
    pack.refresh_from_db()
    return pack


@pytest.fixture
def carers():
    return StrategyFactory(name="Carers")


def _mark_rendered(supplement, content: bytes = SUPPLEMENT_PDF, *, page_count: int = 6) -> PackSupplement:
    """As a render leaves it: a file, the checksum of what it holds now, its page count and first page."""
    built = documents.build_supplement_document(supplement)
    supplement = PackSupplement.objects.get(pk=supplement.pk)
    supplement.file.name = default_storage.save(f"packs/supplements/stub-{supplement.pk}.pdf", ContentFile(content))
    supplement.render_status = PackSupplement.RenderStatus.READY
    supplement.checksum = built.checksum
    supplement.page_count = page_count
    supplement.first_page = built.first_page
    supplement.save()
    return supplement


def _create(pack, by, strategies, reason=REASON):
    return services.supplement_create(
        pack=pack,
        by=by,
        reason_for_urgency=reason,
        strategies=strategies,
        chair_agreed_by="Cllr Hanna Dale, Chair",
        chair_agreed_on=datetime.date(2019, 5, 29),
    )


def _bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


# --- Making a supplement -------------------------------------------------------------------------------------


def test_a_late_agenda_item_goes_in_supplement_1(published_pack, administrator, carers):
    late = services.agenda_item_add(
        meeting=published_pack.meeting, by=administrator, data={"title": "Carers report", "strategy": carers}
    )
    assert late.late
    supplement = _create(published_pack, administrator, [carers])
    late.refresh_from_db()
    assert (supplement.number, late.supplement) == (1, supplement)
    assert [i.strategy for i in supplement.items.all()] == [carers]
    assert supplement.status == PackSupplement.Status.DRAFT


def test_a_strategy_not_on_the_agenda_becomes_a_late_item_at_its_end(published_pack, administrator, carers):
    supplement = _create(published_pack, administrator, [carers])
    item = AgendaItem.objects.get(meeting=published_pack.meeting, strategy=carers)
    assert (item.number, item.late, item.supplement) == (2, True, supplement)
    assert item.title == "Carers Commissioning Highlight Report"


def test_a_supplement_needs_a_published_pack(meeting, administrator, carers):
    pack = services.pack_create(meeting=meeting, by=administrator, cover=COVER, strategies=[StrategyFactory()])
    with pytest.raises(ValidationError, match="Publish the pack before adding a supplement"):
        _create(pack, administrator, [carers])


def test_a_supplement_needs_the_reasons_for_urgency_and_late_items_only(published_pack, administrator, carers):
    in_pack = published_pack.appendices.get().strategy
    with pytest.raises(ValidationError) as refused:
        _create(published_pack, administrator, [], reason="  ")
    assert set(refused.value.message_dict) == {"reason_for_urgency", "strategies"}
    assert "s.100B(4)(b)" in refused.value.message_dict["reason_for_urgency"][0]
    with pytest.raises(ValidationError) as refused:
        _create(published_pack, administrator, [in_pack])
    assert refused.value.message_dict == {
        "strategies": ["Already in the pack: Frailty. A supplement adds late items only."]
    }
    _create(published_pack, administrator, [carers])
    with pytest.raises(ValidationError) as refused:
        _create(published_pack, administrator, [carers])
    assert refused.value.message_dict == {"strategies": ["Already in another supplement to this pack: Carers."]}
    assert PackSupplement.objects.count() == 1


@pytest.mark.parametrize("who", ["commissioner", "contract_officer", "scrutiny_member"])
def test_only_those_who_prepare_packs_add_and_render_supplements(published_pack, administrator, carers, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        _create(published_pack, user, [carers])
    supplement = _create(published_pack, administrator, [carers])
    with pytest.raises(PermissionDenied):
        services.supplement_request_render(supplement=supplement, by=user)
    _mark_rendered(supplement)
    with pytest.raises(PermissionDenied):
        services.supplement_publish(supplement=supplement, by=user)


# --- Numbering ------------------------------------------------------------------------------------------------


def test_the_supplement_continues_the_packs_pages_and_appendices(published_pack, administrator, carers):
    supplement = _create(published_pack, administrator, [carers])
    built = documents.build_supplement_document(supplement)
    assert (built.first_page, built.first_appendix) == (47, 2)
    assert [part.number for part in built.appendices] == [2]
    assert "Appendix 2: Carers" in built.html
    assert built.page_css == "@page :first { counter-set: page 47; }"  # 47 is odd: a right-hand first page


def test_a_second_supplement_follows_the_first_once_it_is_published(published_pack, administrator, carers):
    first = _mark_rendered(_create(published_pack, administrator, [carers]), page_count=6)
    second = _create(published_pack, administrator, [StrategyFactory(name="Specialist Adult Services")])
    # Not before supplement 1 is out: its pages follow supplement 1's.
    _mark_rendered(second)
    with pytest.raises(ValidationError, match="Publish supplement 1 first"):
        services.supplement_publish(supplement=second, by=administrator)
    services.supplement_publish(supplement=first, by=administrator)
    built = documents.build_supplement_document(second)
    assert (built.first_page, built.first_appendix) == (53, 3)
    # Rendered before supplement 1 was published, its numbers are stale: publishing asks for a new render.
    with pytest.raises(ValidationError, match="render it again"):
        services.supplement_publish(supplement=second, by=administrator)


# --- Publishing -------------------------------------------------------------------------------------------------


def test_publishing_freezes_the_bytes_and_tells_the_members_once(
    published_pack, administrator, carers, scrutiny_member
):
    supplement = _mark_rendered(_create(published_pack, administrator, [carers]))
    Notification.objects.all().delete()
    published = services.supplement_publish(supplement=supplement, by=administrator)
    assert published.status == PackSupplement.Status.PUBLISHED
    assert (published.published_by, published.first_page, published.last_page) == (administrator, 47, 52)
    assert published.file.name.startswith("packs/supplements/published/")
    assert published.sha256 == hashlib.sha256(SUPPLEMENT_PDF).hexdigest()
    assert _bytes(published.file.name) == SUPPLEMENT_PDF
    told = list(Notification.objects.values_list("recipient", "kind", "link"))
    assert told == [(scrutiny_member.pk, "scrutiny.supplement_published", published.get_absolute_url())]
    with pytest.raises(ValidationError, match="already published"):
        services.supplement_publish(supplement=published, by=administrator)
    assert Notification.objects.count() == 1


def test_a_published_supplements_bytes_never_change(published_pack, administrator, carers):
    supplement = services.supplement_publish(
        supplement=_mark_rendered(_create(published_pack, administrator, [carers])), by=administrator
    )
    name, digest = supplement.file.name, supplement.sha256
    # Neither rendered again, edited, saved nor deleted: what the members were sent stays.
    with pytest.raises(services.RenderNotAllowed):
        services.supplement_request_render(supplement=supplement, by=administrator)
    with pytest.raises(services.RenderNotAllowed):
        services.run_supplement_render(supplement.pk, force=True)
    with pytest.raises(ValidationError, match="published"):
        services.supplement_update(supplement=supplement, by=administrator, reason_for_urgency="x", strategies=[carers])
    supplement.reason_for_urgency = "Rewritten"
    with pytest.raises(PublishedRevisionChanged):
        supplement.save()
    with pytest.raises(PublishedRevisionChanged):
        supplement.delete()
    # Its late item is printed: it stays on the agenda as printed.
    item = AgendaItem.objects.get(strategy=carers)
    with pytest.raises(ValidationError, match="printed"):
        services.agenda_item_remove(item=item, by=administrator)
    # A revision of the pack does not touch it.
    services.pack_revise(pack=published_pack, by=administrator)
    supplement = PackSupplement.objects.get(pk=supplement.pk)
    assert (supplement.file.name, supplement.sha256, supplement.reason_for_urgency) == (name, digest, REASON)
    assert hashlib.sha256(_bytes(name)).hexdigest() == digest


def test_publishing_needs_a_render_of_what_the_supplement_holds_now(published_pack, administrator, carers):
    supplement = _create(published_pack, administrator, [carers])
    with pytest.raises(ValidationError, match="Render the supplement"):
        services.supplement_publish(supplement=supplement, by=administrator)
    _mark_rendered(supplement)
    services.supplement_update(
        supplement=supplement, by=administrator, reason_for_urgency="Another reason.", strategies=[carers]
    )
    with pytest.raises(ValidationError, match="changed since it was rendered"):
        services.supplement_publish(supplement=supplement, by=administrator)


def test_a_render_request_is_queued_and_the_task_renders_it(
    published_pack, administrator, carers, django_capture_on_commit_callbacks, monkeypatch
):
    supplement = _create(published_pack, administrator, [carers])
    rendered = []

    def render(pk, force=False):
        rendered.append(pk)
        return services.RenderOutcome(False, 6, 0.0, 0.0, "packs/supplements/stub.pdf")

    monkeypatch.setattr(services, "run_supplement_render", render)
    with django_capture_on_commit_callbacks(execute=True):
        services.supplement_request_render(supplement=supplement, by=administrator)
    assert rendered == [supplement.pk]
    assert PackSupplement.objects.get(pk=supplement.pk).render_status == PackSupplement.RenderStatus.QUEUED
    with pytest.raises(services.RenderNotAllowed, match="already being rendered"):
        services.supplement_request_render(supplement=supplement, by=administrator)


# --- Printed page numbers and page labels (real renders) -----------------------------------------------------


def _footer_number(text: str) -> int:
    found = re.findall(r"Page (\d+)", text)
    assert found, text[-200:]
    return int(found[-1])


@pytest.fixture
def rendered_pack(meeting, administrator):
    """A real pack of one strategy, rendered and published."""
    strategy, _ = make_strategy_with_report("Specialist Adult Services", contracts=1, measures=1)
    services.agenda_item_add(meeting=meeting, by=administrator, data={"title": "Adults", "strategy": strategy})
    pack = services.pack_create(meeting=meeting, by=administrator, cover=COVER)
    services.pack_render_now(pack_id=pack.pk)
    services.pack_publish(pack=pack, by=administrator)
    pack.refresh_from_db()
    return pack


def _count_struct_elements(node, seen=None) -> int:
    seen = set() if seen is None else seen
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        return sum(_count_struct_elements(child, seen) for child in node)
    if not hasattr(node, "get") or id(node) in seen:
        return 0
    seen.add(id(node))
    return (1 if node.get("/S") else 0) + _count_struct_elements(node.get("/K", []), seen)


def test_the_supplements_printed_page_numbers_and_labels_follow_the_pack(rendered_pack, administrator):
    strategy, _ = make_strategy_with_report("Carers", contracts=1, measures=1)
    supplement = _create(rendered_pack, administrator, [strategy])
    outcome = services.run_supplement_render(supplement.pk)
    supplement.refresh_from_db()
    pack_pages = rendered_pack.revisions.get().page_count
    assert supplement.first_page == pack_pages + 1
    assert supplement.page_count == outcome.page_count
    reader = PdfReader(io.BytesIO(_bytes(supplement.file.name)))
    texts = [page.extract_text() or "" for page in reader.pages]
    assert _footer_number(texts[0]) == pack_pages + 1
    assert [_footer_number(t) for t in texts if "Page " in t] == [
        pack_pages + 1 + i for i, t in enumerate(texts) if "Page " in t
    ]
    assert reader.page_labels == [str(pack_pages + 1 + i) for i in range(len(reader.pages))]
    assert "Supplement 1 to the agenda for Overview and Scrutiny Management Board, 30 May 2019" in " ".join(
        texts[0].split()
    )
    body = " ".join(" ".join(texts).split())
    assert "Appendix 2: Carers" in body
    assert "Appendix 1:" not in body
    # Each appendix still starts on an odd, right-hand page.
    starts = [n for n, t in zip(reader.page_labels, texts, strict=True) if "Appendix 2: Carers" in t.split("\n")[0]]
    assert starts, texts
    assert all(int(n) % 2 == 1 for n in starts), starts
    # The labels are added without losing the accessibility tags.
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert _count_struct_elements(root["/StructTreeRoot"]) > 20


def test_page_labels_keep_the_whole_structure_tree(rendered_pack):
    original = _bytes(rendered_pack.file.name)
    labelled = documents.label_pages(original, first=48)
    before, after = PdfReader(io.BytesIO(original)), PdfReader(io.BytesIO(labelled))
    assert after.page_labels[0] == "48"
    assert after.page_labels[-1] == str(47 + len(before.pages))
    count = _count_struct_elements
    assert count(after.trailer["/Root"]["/StructTreeRoot"]) == count(before.trailer["/Root"]["/StructTreeRoot"])
    assert [p.get("/StructParents") for p in after.pages] == [p.get("/StructParents") for p in before.pages]
    assert after.outline
    assert len(after.outline) == len(before.outline)
    # What a screen reader reads: the same elements, in the same order, with the same text behind each.
    tagged_before, tagged_after = StructTree(original), StructTree(labelled)
    read_before = [(e.role, tagged_before.text(e)) for e in tagged_before.root.walk()]
    assert [(e.role, tagged_after.text(e)) for e in tagged_after.root.walk()] == read_before
    assert len(read_before) > 50
    assert after.metadata.title == before.metadata.title


# --- Pages, downloads and the API ------------------------------------------------------------------------------


@pytest.fixture
def published_supplement(published_pack, administrator, carers):
    return services.supplement_publish(
        supplement=_mark_rendered(_create(published_pack, administrator, [carers])), by=administrator
    )


def test_a_councillor_reads_published_supplements_only(published_pack, administrator, carers, client_as_scrutiny):
    draft = _mark_rendered(_create(published_pack, administrator, [carers]))
    page = reverse("scrutiny:supplement", args=[published_pack.pk, 1])
    download = reverse("scrutiny:supplement_download", args=[published_pack.pk, 1])
    assert client_as_scrutiny.get(page).status_code == 404
    assert client_as_scrutiny.get(download).status_code == 404
    assert "Supplement 1" not in client_as_scrutiny.get(published_pack.get_absolute_url()).content.decode()
    # Not through the media folder either: the draft's file is not a pack file anyone reads there.
    assert client_as_scrutiny.get(f"/media/{draft.file.name}").status_code == 404
    services.supplement_publish(supplement=draft, by=administrator)
    assert client_as_scrutiny.get(page).status_code == 200
    response = client_as_scrutiny.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SUPPLEMENT_PDF
    assert "supplement-1.pdf" in response["Content-Disposition"]


def test_the_pack_page_lists_supplements_with_their_actions(published_pack, administrator, carers, client_as_admin):
    page = client_as_admin.get(published_pack.get_absolute_url()).content.decode()
    assert "Add a supplement" in page
    supplement = _create(published_pack, administrator, [carers])
    page = client_as_admin.get(published_pack.get_absolute_url()).content.decode()
    assert "Supplement 1" in page
    assert "Carers" in page
    detail = client_as_admin.get(supplement.get_absolute_url()).content.decode()
    assert "Render the PDF" in detail
    assert "From page 47" in detail


def test_the_supplement_form_preselects_waiting_late_items_and_refuses_on_fields(
    published_pack, administrator, carers, client_as_admin
):
    services.agenda_item_add(
        meeting=published_pack.meeting, by=administrator, data={"title": "Carers", "strategy": carers}
    )
    url = reverse("scrutiny:supplement_create", args=[published_pack.pk])
    form = client_as_admin.get(url).context["form"]
    assert form.initial["strategies"] == [carers.pk]
    assert published_pack.appendices.get().strategy_id not in {s.pk for s in form.fields["strategies"].queryset}
    refused = client_as_admin.post(url, {"reason_for_urgency": ""})
    assert refused.status_code == 200
    assert set(refused.context["form"].errors) == {"reason_for_urgency", "strategies"}
    saved = client_as_admin.post(url, {"reason_for_urgency": REASON, "strategies": [carers.pk]})
    assert saved.status_code == 302
    assert saved["Location"] == reverse("scrutiny:supplement", args=[published_pack.pk, 1])


def test_publish_and_render_buttons(published_pack, administrator, carers, client_as_admin, monkeypatch):
    supplement = _create(published_pack, administrator, [carers])
    monkeypatch.setattr(services, "_queue_on_commit", lambda *args, **kwargs: None)
    render = reverse("scrutiny:supplement_render", args=[published_pack.pk, 1])
    assert client_as_admin.post(render).status_code == 302
    assert PackSupplement.objects.get(pk=supplement.pk).render_status == PackSupplement.RenderStatus.QUEUED
    _mark_rendered(supplement)
    publish = reverse("scrutiny:supplement_publish", args=[published_pack.pk, 1])
    assert client_as_admin.post(publish).status_code == 302
    assert PackSupplement.objects.get(pk=supplement.pk).is_frozen


def test_the_archive_shows_each_supplement_beside_its_pack(published_supplement, client_as_scrutiny):
    page = client_as_scrutiny.get(reverse("scrutiny:archive")).content.decode()
    assert "Supplement 1" in page
    assert "pages 47–52" in page
    assert published_supplement.get_download_url() in page


def test_the_archive_and_pack_page_run_bounded_queries(
    published_pack, administrator, client_as_scrutiny, django_assert_max_num_queries
):
    for number in range(4):
        supplement = _mark_rendered(_create(published_pack, administrator, [StrategyFactory(name=f"Late {number}")]))
        services.supplement_publish(supplement=supplement, by=administrator)
    with django_assert_max_num_queries(20):
        assert client_as_scrutiny.get(reverse("scrutiny:archive")).status_code == 200
    with django_assert_max_num_queries(30):
        assert client_as_scrutiny.get(published_pack.get_absolute_url()).status_code == 200


def test_the_api_lists_a_packs_supplements_and_a_meetings_agenda(
    published_pack, administrator, carers, scrutiny_member
):
    _create(published_pack, administrator, [StrategyFactory(name="Draft late item")])
    api = APIClient()
    api.force_authenticate(scrutiny_member)
    body = api.get(f"/api/v1/scrutiny-packs/{published_pack.pk}/").json()
    assert body["supplements"] == []  # a draft is not the councillor's
    supplement = services.supplement_publish(
        supplement=_mark_rendered(
            services.supplement_update(
                supplement=PackSupplement.objects.get(),
                by=administrator,
                reason_for_urgency=REASON,
                strategies=[carers],
            )
        ),
        by=administrator,
    )
    body = api.get(f"/api/v1/scrutiny-packs/{published_pack.pk}/").json()
    assert [(s["number"], s["first_page"], s["last_page"], s["strategies"]) for s in body["supplements"]] == [
        (1, 47, 52, [carers.pk])
    ]
    assert body["supplements"][0]["download_url"] == supplement.get_download_url()
    meeting = api.get(f"/api/v1/meetings/{published_pack.meeting_id}/").json()
    assert [(i["number"], i["late"], i["supplement"]) for i in meeting["agenda"]] == [(1, False, None), (3, True, 1)]


def test_a_revision_of_the_pack_does_not_print_a_supplements_late_item_again(published_pack, administrator, carers):
    _create(published_pack, administrator, [carers])
    services.pack_revise(pack=published_pack, by=administrator)
    frailty = published_pack.appendices.get().strategy
    with pytest.raises(ValidationError) as refused:
        services.pack_update(pack=published_pack, by=administrator, cover={}, strategies=[frailty, carers])
    assert refused.value.message_dict == {"strategies": ["In a supplement to this pack already: Carers."]}


def test_after_an_executive_report_the_late_items_go_on_from_its_appendix_a(published_pack, administrator, carers):
    decision = Decision.objects.create(
        reference="I017457", decision_maker="Executive", report_to="Executive", report_date=datetime.date(2019, 6, 4)
    )
    ScrutinyPack.objects.filter(pk=published_pack.pk).update(decision=decision)
    built = documents.build_supplement_document(_create(published_pack, administrator, [carers]))
    assert [part.label for part in built.appendices] == ["Appendix A2"]
    assert "Appendix A2: Carers" in built.html
    assert '<a href="#appendix-a2">Appendix A2: Carers Commissioning Highlight Report</a>' in built.html


def test_the_admin_lists_agenda_items_and_supplements_to_read_only(published_supplement, client_as_admin):
    item = AgendaItem.objects.get(supplement=published_supplement)
    for model, pk in (("agendaitem", item.pk), ("packsupplement", published_supplement.pk)):
        assert client_as_admin.get(reverse(f"admin:scrutiny_{model}_changelist")).status_code == 200
        page = client_as_admin.get(reverse(f"admin:scrutiny_{model}_change", args=[pk]))
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert (
            client_as_admin.post(reverse(f"admin:scrutiny_{model}_delete", args=[pk]), {"post": "yes"}).status_code
            == 403
        )
    assert client_as_admin.get(reverse("admin:scrutiny_agendaitem_add")).status_code == 403


def test_a_councillor_reads_the_report_a_published_supplement_prints_and_not_before(
    published_pack, administrator, carers, scrutiny_member
):
    """A report still short of scrutiny is readable by councillors once a published pack or supplement prints
    it: the supplement's own download and the report's page answer the same."""
    from strategies.models import HighlightReport
    from tests.factories import HighlightReportFactory

    reviewed = HighlightReportFactory(
        strategy=carers, report_date=datetime.date(2019, 3, 1), status=HighlightReport.Status.BOARD_REVIEWED
    )
    readable = HighlightReport.objects.visible_to(scrutiny_member)
    supplement = _mark_rendered(_create(published_pack, administrator, [carers]))
    assert reviewed not in readable
    services.supplement_publish(supplement=supplement, by=administrator)
    assert reviewed in HighlightReport.objects.visible_to(scrutiny_member)
