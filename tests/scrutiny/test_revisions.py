"""What is published never changes: a pack's published revisions keep their bytes; a change after publication
is the next revision, with its note of what changed, and the members are told again.

Renders are stubbed (tests/scrutiny/rendering.py) except where the cover's own words are checked."""

import datetime
import hashlib
import threading
import time

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.models import Notification
from scrutiny import documents, services
from scrutiny.models import PackRevision, PublishedRevisionChanged, ScrutinyPack
from tests.factories import (
    CommitteeFactory,
    MeetingFactory,
    PackAppendixFactory,
    ScrutinyPackFactory,
    StrategyFactory,
    UserFactory,
)
from tests.scrutiny.rendering import mark_rendered

pytestmark = pytest.mark.django_db

FIRST = b"%PDF-1.7 the pack as first published"
SECOND = b"%PDF-1.7 the pack with the late correction"


@pytest.fixture
def councillors(scrutiny_member):
    committee = CommitteeFactory(name="Adults and Community Wellbeing Scrutiny Committee")
    other = UserFactory(username="cllr.brant", email="cllr.brant@council.example")
    from django.contrib.auth.models import Group

    from commissioning import roles

    other.groups.add(Group.objects.get(name=roles.SCRUTINY_MEMBER))
    committee.members.add(scrutiny_member, other)
    return committee


@pytest.fixture
def pack(councillors):
    pack = ScrutinyPackFactory(meeting=MeetingFactory(committee=councillors, date=datetime.date(2019, 5, 30)))
    PackAppendixFactory(pack=pack, strategy=StrategyFactory(name="Carers"))
    return mark_rendered(pack, FIRST, page_count=70)


def _bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _revise_and_republish(
    pack, administrator, *, note="Appendix 1 corrected: the Q3 figures for carers."
) -> PackRevision:
    services.pack_revise(pack=pack, by=administrator)
    services.pack_update(pack=pack, by=administrator, cover={"summary": "Corrected summary."})
    mark_rendered(ScrutinyPack.objects.get(pk=pack.pk), SECOND, page_count=71)
    return services.pack_publish(pack=pack, by=administrator, change_note=note)


def test_publishing_keeps_the_bytes_their_checksum_and_who_published_them(pack, administrator):
    revision = services.pack_publish(pack=pack, by=administrator)

    assert (revision.number, revision.page_count, revision.published_by) == (1, 70, administrator)
    assert _bytes(revision.file.name) == FIRST
    assert revision.sha256 == hashlib.sha256(FIRST).hexdigest()
    assert revision.file.name != pack.file.name  # a copy of its own: re-rendering the pack cannot replace it
    pack.refresh_from_db()
    assert pack.status == ScrutinyPack.Status.PUBLISHED


def test_a_published_revision_cannot_be_changed_or_deleted(pack, administrator):
    revision = services.pack_publish(pack=pack, by=administrator)

    revision.change_note = "Quietly edited"
    with pytest.raises(PublishedRevisionChanged):
        revision.save()
    with pytest.raises(PublishedRevisionChanged):
        revision.delete()
    assert PackRevision.objects.get().change_note == ""


def test_a_published_pack_is_rendered_again_by_no_path(pack, administrator):
    revision = services.pack_publish(pack=pack, by=administrator)

    with pytest.raises(services.RenderNotAllowed):
        services.pack_request_render(pack=pack, by=administrator, force=True)
    with pytest.raises(services.RenderNotAllowed):
        services.pack_render_now(pack_id=pack.pk, force=True)  # the render_pack command's path
    assert _bytes(revision.file.name) == FIRST


def test_a_change_after_publication_is_revision_two_and_revision_one_stays(pack, administrator):
    first = services.pack_publish(pack=pack, by=administrator)

    second = _revise_and_republish(pack, administrator)

    assert (second.number, second.page_count) == (2, 71)
    assert second.change_note == "Appendix 1 corrected: the Q3 figures for carers."
    assert _bytes(second.file.name) == SECOND
    assert _bytes(PackRevision.objects.get(pk=first.pk).file.name) == FIRST
    assert PackRevision.objects.filter(pack=pack).count() == 2


def test_a_revision_after_the_first_says_what_changed(pack, administrator):
    services.pack_publish(pack=pack, by=administrator)
    services.pack_revise(pack=pack, by=administrator)
    mark_rendered(ScrutinyPack.objects.get(pk=pack.pk), SECOND)

    with pytest.raises(services.ValidationError) as refused:
        services.pack_publish(pack=pack, by=administrator, change_note="  ")

    assert refused.value.message_dict == {"change_note": ["Say what has changed since revision 1."]}
    assert PackRevision.objects.count() == 1


def test_a_pack_changed_since_its_render_is_not_published(pack, administrator):
    services.pack_update(pack=pack, by=administrator, cover={"summary": "Changed after the render."})

    with pytest.raises(services.ValidationError, match="render it again"):
        services.pack_publish(pack=pack, by=administrator)
    assert not PackRevision.objects.exists()


def test_members_are_told_of_the_first_publication_and_of_each_revision(
    pack, administrator, councillors, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_publish(pack=pack, by=administrator)
        _revise_and_republish(pack, administrator)

    told = sorted(Notification.objects.values_list("recipient__username", "kind"))
    members = sorted(councillors.members.values_list("username", flat=True))
    assert told == sorted(
        [(name, "scrutiny.pack_published") for name in members] + [(name, "scrutiny.pack_revised") for name in members]
    )


def test_the_revised_cover_says_so(pack, administrator):
    services.pack_publish(pack=pack, by=administrator)
    services.pack_revise(pack=pack, by=administrator)

    html = documents.build_pack_document(pack).html

    assert "Revised" in html
    assert "revision 2" in html
    assert f"It replaces revision 1, published on {timezone.localdate():%-d %B %Y}." in html


# --- What readers get while a revision is prepared ------------------------------------------------------------


def test_while_a_revision_is_prepared_members_read_the_published_one(pack, administrator, scrutiny_member):
    first = services.pack_publish(pack=pack, by=administrator)
    services.pack_revise(pack=pack, by=administrator)
    mark_rendered(ScrutinyPack.objects.get(pk=pack.pk), SECOND)  # the working render, not yet published
    member = _client(scrutiny_member)

    page = member.get(reverse("scrutiny:pack", args=[pack.pk]))
    download = member.get(reverse("scrutiny:pack_download", args=[pack.pk]))
    working = member.get(f"/media/{ScrutinyPack.objects.get(pk=pack.pk).file.name}")
    published = member.get(f"/media/{first.file.name}")

    assert page.status_code == 200
    assert b"".join(download.streaming_content) == FIRST
    assert working.status_code == 404
    assert published.status_code == 200
    assert "Publish revision" not in page.content.decode()


def test_superseded_revisions_stay_downloadable_and_are_marked(pack, administrator, scrutiny_member):
    services.pack_publish(pack=pack, by=administrator)
    _revise_and_republish(pack, administrator)
    member = _client(scrutiny_member)

    page = member.get(reverse("scrutiny:pack", args=[pack.pk])).content.decode()
    one = member.get(reverse("scrutiny:revision_download", args=[pack.pk, 1]))
    two = member.get(reverse("scrutiny:revision_download", args=[pack.pk, 2]))
    latest = member.get(reverse("scrutiny:pack_download", args=[pack.pk]))

    assert "Superseded" in page
    assert "Current" in page
    assert "Appendix 1 corrected" in page
    assert b"".join(one.streaming_content) == FIRST
    assert b"".join(two.streaming_content) == SECOND
    assert b"".join(latest.streaming_content) == SECOND
    assert member.get(reverse("scrutiny:revision_download", args=[pack.pk, 3])).status_code == 404


def test_a_draft_packs_revisions_do_not_exist_for_readers(councillors, scrutiny_member):
    draft = mark_rendered(ScrutinyPackFactory(meeting=MeetingFactory(committee=councillors)))
    member = _client(scrutiny_member)

    assert member.get(reverse("scrutiny:pack", args=[draft.pk])).status_code == 404
    assert member.get(reverse("scrutiny:pack_download", args=[draft.pk])).status_code == 404


def test_the_page_and_the_api_publish_a_revision_alike(pack, administrator, scrutiny_member):
    services.pack_publish(pack=pack, by=administrator)
    admin = _client(administrator)

    assert admin.post(reverse("scrutiny:pack_revise", args=[pack.pk])).status_code == 302
    mark_rendered(ScrutinyPack.objects.get(pk=pack.pk), SECOND)
    refused = admin.post(f"/api/v1/scrutiny-packs/{pack.pk}/publish/", {}, content_type="application/json")
    page_refused = admin.post(reverse("scrutiny:pack_publish", args=[pack.pk]), follow=True)
    done = admin.post(
        f"/api/v1/scrutiny-packs/{pack.pk}/publish/",
        {"change_note": "Late item added."},
        content_type="application/json",
    )

    assert refused.status_code == 400
    assert refused.json()["errors"] == {"change_note": ["Say what has changed since revision 1."]}
    refused_page = page_refused.content.decode()
    assert "Say what has changed since revision 1." in refused_page
    assert 'id="change_note-error"' in refused_page  # on the field itself, with the error summary linking to it
    assert 'href="#change_note"' in refused_page
    assert done.status_code == 200
    body = _client(scrutiny_member).get(f"/api/v1/scrutiny-packs/{pack.pk}/").json()
    assert [(r["number"], r["superseded"]) for r in body["revisions"]] == [(2, False), (1, True)]
    assert body["file_url"] == reverse("scrutiny:revision_download", args=[pack.pk, 2])


def test_only_those_who_prepare_packs_start_a_revision(pack, administrator, commissioner, scrutiny_member):
    services.pack_publish(pack=pack, by=administrator)

    assert _client(commissioner).post(reverse("scrutiny:pack_revise", args=[pack.pk])).status_code == 403
    assert _client(scrutiny_member).post(reverse("scrutiny:pack_revise", args=[pack.pk])).status_code == 403
    pack.refresh_from_db()
    assert pack.status == ScrutinyPack.Status.PUBLISHED


# --- A render whose worker died ---------------------------------------------------------------------------------


def test_a_render_silent_for_a_minute_is_stale_and_retryable():
    now = timezone.now()
    rendering = ScrutinyPack.RenderStatus.RENDERING

    assert not services.is_stale(status=rendering, updated_at=now - datetime.timedelta(seconds=50), now=now)
    assert services.is_stale(status=rendering, updated_at=now - datetime.timedelta(seconds=61), now=now)
    assert services.can_request_render(status=rendering, updated_at=now - datetime.timedelta(seconds=61))


@pytest.mark.django_db(transaction=True)
def test_a_render_at_work_keeps_beating(monkeypatch):
    """In autocommit (a worker), the heartbeat touches the job while the layout runs, from its own thread."""
    monkeypatch.setattr(services, "HEARTBEAT", datetime.timedelta(seconds=0.05))
    beats = []
    main = threading.get_ident()

    with services._heartbeat(lambda: beats.append(threading.get_ident())):
        time.sleep(0.4)

    assert len(beats) >= 3
    assert main not in beats
    settled = len(beats)
    time.sleep(0.2)
    assert len(beats) == settled  # stopped with the block


def test_the_archive_marks_a_revised_pack_and_links_its_latest_revision(pack, administrator, scrutiny_member):
    services.pack_publish(pack=pack, by=administrator)
    _revise_and_republish(pack, administrator)
    services.pack_revise(pack=pack, by=administrator)  # a third in preparation: the archive keeps the second

    page = _client(scrutiny_member).get(reverse("scrutiny:archive")).content.decode()

    assert "Revised" in page
    assert reverse("scrutiny:revision_download", args=[pack.pk, 2]) in page
    assert "71 pages" in page


def test_the_pack_page_reads_its_revisions_in_constant_queries(
    pack, administrator, scrutiny_member, django_assert_max_num_queries
):
    services.pack_publish(pack=pack, by=administrator)
    member = _client(scrutiny_member)
    with django_assert_max_num_queries(16) as first:
        assert member.get(reverse("scrutiny:pack", args=[pack.pk])).status_code == 200
    for number in range(3):
        _revise_and_republish(pack, administrator, note=f"Correction {number}.")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert member.get(reverse("scrutiny:pack", args=[pack.pk])).status_code == 200


def test_the_meeting_page_shows_members_the_published_revision_while_the_next_is_prepared(
    pack, administrator, scrutiny_member
):
    services.pack_publish(pack=pack, by=administrator)
    services.pack_revise(pack=pack, by=administrator)
    services.pack_update(pack=pack, by=administrator, cover={"report_to": "A committee not yet told"})

    page = _client(scrutiny_member).get(reverse("scrutiny:meeting", args=[pack.meeting_id])).content.decode()

    assert reverse("scrutiny:revision_download", args=[pack.pk, 1]) in page
    assert "A committee not yet told" not in page
    assert "A new revision is being prepared" in page
    admin_page = _client(administrator).get(reverse("scrutiny:meeting", args=[pack.meeting_id])).content.decode()
    assert "A committee not yet told" in admin_page
