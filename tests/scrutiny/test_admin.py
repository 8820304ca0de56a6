"""The Django admin of scrutiny writes through the services: a pack's workflow and rendering fields are never typed
in, a published pack is frozen, conclusions are recorded and never rewritten, and nothing is deleted."""

import pytest
from django.urls import reverse

from scrutiny.models import Committee, Meeting, PackAppendix, ScrutinyConclusion, ScrutinyPack
from tests.factories import (
    CommitteeFactory,
    MeetingFactory,
    PackAppendixFactory,
    PublishedScrutinyPackFactory,
    ScrutinyConclusionFactory,
    ScrutinyPackFactory,
    StrategyFactory,
)
from tests.strategies.test_admin import admin_form, change_url

pytestmark = pytest.mark.django_db


def test_a_published_pack_cannot_be_changed_in_the_admin(client_as_admin):
    pack = PublishedScrutinyPackFactory(title="As published")
    PackAppendixFactory(pack=pack)

    page = client_as_admin.get(change_url(pack))
    response = client_as_admin.post(change_url(pack), {"title": "Rewritten", "status": ScrutinyPack.Status.DRAFT})

    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
    assert response.status_code == 403
    pack.refresh_from_db()
    assert (pack.title, pack.status) == ("As published", ScrutinyPack.Status.PUBLISHED)


def test_a_draft_packs_cover_is_saved_through_the_service_and_its_workflow_is_not_typed_in(
    client_as_admin, administrator
):
    pack = ScrutinyPackFactory()
    appendix = PackAppendixFactory(pack=pack)
    data = admin_form(client_as_admin, change_url(pack))
    for field in ["status", "published_at", "render_status", "file", "checksum", "page_count", "meeting"]:
        assert field not in data

    data.update(
        {
            "title": "May pack",
            "status": ScrutinyPack.Status.PUBLISHED,
            "render_status": ScrutinyPack.RenderStatus.READY,
            "checksum": "forged",
        }
    )
    response = client_as_admin.post(change_url(pack), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    pack.refresh_from_db()
    assert pack.title == "May pack"
    assert (pack.status, pack.render_status, pack.checksum) == (
        ScrutinyPack.Status.DRAFT,
        ScrutinyPack.RenderStatus.NOT_RENDERED,
        "",
    )
    assert pack.history.first().history_user == administrator
    assert list(PackAppendix.objects.all()) == [appendix]


def test_packs_are_neither_added_nor_deleted_in_the_admin(client_as_admin):
    pack = PublishedScrutinyPackFactory()

    assert client_as_admin.get(reverse("admin:scrutiny_scrutinypack_add")).status_code == 403
    delete = reverse("admin:scrutiny_scrutinypack_delete", args=[pack.pk])
    assert client_as_admin.post(delete, {"post": "yes"}).status_code == 403
    assert ScrutinyPack.objects.filter(pk=pack.pk).exists()


def test_a_conclusion_is_recorded_in_the_admin_and_never_rewritten(client_as_admin, administrator):
    conclusion = ScrutinyConclusionFactory(text="As the minutes record it.")
    meeting, strategy = MeetingFactory(), StrategyFactory()

    rewritten = client_as_admin.post(change_url(conclusion), {"text": "Rewritten."})
    data = admin_form(client_as_admin, reverse("admin:scrutiny_scrutinyconclusion_add"))
    data.update({"meeting": str(meeting.pk), "strategy": str(strategy.pk), "text": "Supported.\r\nWith thanks."})
    recorded = client_as_admin.post(reverse("admin:scrutiny_scrutinyconclusion_add"), data)

    assert rewritten.status_code == 403
    conclusion.refresh_from_db()
    assert conclusion.text == "As the minutes record it."
    assert recorded.status_code == 302, recorded.content.decode()[:2000]
    new = ScrutinyConclusion.objects.get(meeting=meeting)
    assert (new.text, new.recorded_by) == ("Supported.\nWith thanks.", administrator)


def test_committees_and_meetings_are_kept_in_the_admin_through_the_services(
    client_as_admin, administrator, scrutiny_member
):
    data = admin_form(client_as_admin, reverse("admin:scrutiny_committee_add"))
    data.update({"name": "Health Scrutiny Committee", "members": str(scrutiny_member.pk)})
    added = client_as_admin.post(reverse("admin:scrutiny_committee_add"), data)
    committee = Committee.objects.get(name="Health Scrutiny Committee")
    data = admin_form(client_as_admin, reverse("admin:scrutiny_meeting_add"))
    data.update({"committee": str(committee.pk), "date": "2019-05-30", "venue": "Committee Room One"})
    meeting_added = client_as_admin.post(reverse("admin:scrutiny_meeting_add"), data)

    assert added.status_code == 302
    assert list(committee.members.all()) == [scrutiny_member]
    assert committee.history.get().history_user == administrator
    assert meeting_added.status_code == 302
    assert Meeting.objects.get().history.get().history_user == administrator


def test_nothing_of_scrutiny_is_deleted_in_the_admin(client_as_admin):
    committee = CommitteeFactory()
    meeting = MeetingFactory(committee=committee)
    conclusion = ScrutinyConclusionFactory(meeting=meeting)

    for obj in (committee, meeting, conclusion):
        url = reverse(f"admin:scrutiny_{obj._meta.model_name}_delete", args=[obj.pk])
        assert client_as_admin.post(url, {"post": "yes"}).status_code == 403
    assert ScrutinyConclusion.objects.exists()
