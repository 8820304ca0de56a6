"""The page and the API are two doors to the same scrutiny services: the same forbidden actor is refused through
both, and the same bad input is refused through both with the same message, nothing saved."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from commissioning import roles
from scrutiny import services
from scrutiny.models import PackAppendix, ScrutinyConclusion, ScrutinyPack
from tests.factories import (
    DirectorateFactory,
    MeetingFactory,
    PackAppendixFactory,
    ScrutinyPackFactory,
    StrategyFactory,
    UserFactory,
)
from tests.scrutiny.rendering import mark_rendered
from tests.strategies.test_parity import assert_same_refusal, doors

pytestmark = pytest.mark.django_db

COVER_FORM = {
    "title": "Commissioning Strategies",
    "report_to": "Overview and Scrutiny Management Board",
    "report_date": "30/05/2019",
    "subject": "Commissioning Strategies",
}
COVER_JSON = {**COVER_FORM, "report_date": "2019-05-30"}


@pytest.fixture
def other_commissioner(db):
    user = UserFactory(username="other-commissioner", directorate=DirectorateFactory(name="Place", code="place"))
    user.groups.add(Group.objects.get(name=roles.COMMISSIONER))
    return user


@pytest.fixture(autouse=True)
def _no_render_queued(monkeypatch):
    monkeypatch.setattr(services, "_queue_on_commit", lambda *args, **kwargs: None)


# --- Conclusions ------------------------------------------------------------------------------------------


def test_empty_conclusions_are_refused_alike(commissioner, directorate):
    meeting, strategy = MeetingFactory(), StrategyFactory(directorate=directorate)
    page, api = doors(commissioner)

    on_page = page.post(reverse("scrutiny:conclusion_add", args=[meeting.pk]), {"strategy": strategy.pk, "text": " "})
    by_api = api.post(
        "/api/v1/scrutiny-conclusions/", {"meeting": meeting.pk, "strategy": strategy.pk, "text": " "}, format="json"
    )

    assert_same_refusal(on_page, by_api, "text")
    assert not ScrutinyConclusion.objects.exists()


@pytest.mark.parametrize("actor", ["contract_officer", "scrutiny_member", "other_commissioner"])
def test_conclusions_are_refused_to_the_same_actor_through_both_doors(request, directorate, actor):
    meeting, strategy = MeetingFactory(), StrategyFactory(directorate=directorate)
    page, api = doors(request.getfixturevalue(actor))
    data = {"meeting": meeting.pk, "strategy": strategy.pk, "text": "Supported."}

    assert page.post(reverse("scrutiny:conclusion_add", args=[meeting.pk]), data).status_code == 403
    assert api.post("/api/v1/scrutiny-conclusions/", data, format="json").status_code == 403
    assert not ScrutinyConclusion.objects.exists()


# --- Packs ------------------------------------------------------------------------------------------------


def test_a_pack_without_appendices_is_refused_alike(administrator):
    meeting = MeetingFactory()
    StrategyFactory()
    page, api = doors(administrator)

    on_page = page.post(reverse("scrutiny:pack_create", args=[meeting.pk]), COVER_FORM)
    by_api = api.post("/api/v1/scrutiny-packs/", {**COVER_JSON, "meeting": meeting.pk, "strategies": []}, format="json")

    assert_same_refusal(on_page, by_api, "strategies")
    assert by_api.json()["errors"]["strategies"] == [services.NO_APPENDIX]
    assert not ScrutinyPack.objects.exists()


def test_a_pack_without_a_title_is_refused_alike(administrator):
    meeting, strategy = MeetingFactory(), StrategyFactory()
    page, api = doors(administrator)

    form = {**COVER_FORM, "title": "", f"appendix_{strategy.pk}": "1"}
    on_page = page.post(reverse("scrutiny:pack_create", args=[meeting.pk]), form)
    body = {**COVER_JSON, "title": "", "meeting": meeting.pk, "strategies": [strategy.pk]}
    by_api = api.post("/api/v1/scrutiny-packs/", body, format="json")

    assert_same_refusal(on_page, by_api, "title")
    assert not ScrutinyPack.objects.exists()


@pytest.mark.parametrize("actor", ["commissioner", "contract_officer", "scrutiny_member"])
def test_packs_are_made_by_neither_door_for_anyone_but_administrators(request, actor):
    meeting, strategy = MeetingFactory(), StrategyFactory()
    page, api = doors(request.getfixturevalue(actor))

    form = {**COVER_FORM, f"appendix_{strategy.pk}": "1"}
    assert page.post(reverse("scrutiny:pack_create", args=[meeting.pk]), form).status_code == 403
    body = {**COVER_JSON, "meeting": meeting.pk, "strategies": [strategy.pk]}
    assert api.post("/api/v1/scrutiny-packs/", body, format="json").status_code == 403
    assert not ScrutinyPack.objects.exists()


def test_a_pack_change_leaving_no_appendix_is_refused_alike(administrator):
    pack = ScrutinyPackFactory()
    appendix = PackAppendixFactory(pack=pack)
    page, api = doors(administrator)

    form = {**COVER_FORM, f"appendix_{appendix.strategy_id}": ""}
    on_page = page.post(reverse("scrutiny:pack_edit", args=[pack.pk]), form)
    by_api = api.patch(f"/api/v1/scrutiny-packs/{pack.pk}/", {"strategies": []}, format="json")

    assert_same_refusal(on_page, by_api, "strategies")
    assert list(PackAppendix.objects.all()) == [appendix]


@pytest.mark.parametrize("actor", ["commissioner", "contract_officer", "scrutiny_member"])
def test_packs_are_changed_by_neither_door_for_anyone_but_administrators(request, actor):
    pack = ScrutinyPackFactory(status=ScrutinyPack.Status.PUBLISHED)
    page, api = doors(request.getfixturevalue(actor))

    assert page.post(reverse("scrutiny:pack_edit", args=[pack.pk]), COVER_FORM).status_code == 403
    assert api.patch(f"/api/v1/scrutiny-packs/{pack.pk}/", {"title": "Changed"}, format="json").status_code == 403
    pack.refresh_from_db()
    assert pack.title == "Commissioning Strategies"


def test_a_published_pack_is_changed_by_neither_door(administrator):
    pack = mark_rendered(ScrutinyPackFactory(status=ScrutinyPack.Status.PUBLISHED))
    appendix = PackAppendixFactory(pack=pack)
    page, api = doors(administrator)

    form = {**COVER_FORM, "title": "Changed", f"appendix_{appendix.strategy_id}": "1"}
    on_page = page.post(reverse("scrutiny:pack_edit", args=[pack.pk]), form)
    by_api = api.patch(f"/api/v1/scrutiny-packs/{pack.pk}/", {"title": "Changed"}, format="json")

    message = by_api.json()["errors"]["non_field_errors"][0]
    assert message.startswith("This pack is published")
    assert message in on_page.context["form"].non_field_errors()
    pack.refresh_from_db()
    assert pack.title == "Commissioning Strategies"


def test_a_pack_not_yet_rendered_is_published_by_neither_door(administrator):
    pack = ScrutinyPackFactory()
    page, api = doors(administrator)

    on_page = page.post(reverse("scrutiny:pack_publish", args=[pack.pk]), follow=True)
    by_api = api.post(f"/api/v1/scrutiny-packs/{pack.pk}/publish/", format="json")

    message = "Render the pack before publishing it: members read the PDF."
    assert message in [str(m) for m in on_page.context["messages"]]
    assert by_api.status_code == 400
    assert by_api.json()["errors"]["non_field_errors"] == [message]
    pack.refresh_from_db()
    assert pack.status == ScrutinyPack.Status.DRAFT


@pytest.mark.parametrize("actor", ["commissioner", "contract_officer", "scrutiny_member"])
def test_packs_are_published_and_rendered_by_neither_door_for_anyone_but_administrators(request, actor):
    pack = mark_rendered(ScrutinyPackFactory())
    page, api = doors(request.getfixturevalue(actor))

    assert page.post(reverse("scrutiny:pack_publish", args=[pack.pk])).status_code == 403
    assert api.post(f"/api/v1/scrutiny-packs/{pack.pk}/publish/", format="json").status_code == 403
    assert page.post(reverse("scrutiny:pack_render", args=[pack.pk])).status_code == 403
    assert api.post(f"/api/v1/scrutiny-packs/{pack.pk}/render/", format="json").status_code == 403
    pack.refresh_from_db()
    assert (pack.status, pack.render_status) == (ScrutinyPack.Status.DRAFT, ScrutinyPack.RenderStatus.READY)


def test_both_doors_publish_a_rendered_pack(administrator):
    by_page, by_api = mark_rendered(ScrutinyPackFactory()), mark_rendered(ScrutinyPackFactory())
    page, api = doors(administrator)

    assert page.post(reverse("scrutiny:pack_publish", args=[by_page.pk])).status_code == 302
    response = api.post(f"/api/v1/scrutiny-packs/{by_api.pk}/publish/", format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert set(ScrutinyPack.objects.values_list("status", flat=True)) == {ScrutinyPack.Status.PUBLISHED}


def test_a_pack_being_rendered_is_queued_again_by_neither_door(administrator):
    pack = ScrutinyPackFactory(render_status=ScrutinyPack.RenderStatus.RENDERING)
    page, api = doors(administrator)

    on_page = page.post(reverse("scrutiny:pack_render", args=[pack.pk]), follow=True)
    by_api = api.post(f"/api/v1/scrutiny-packs/{pack.pk}/render/", format="json")

    message = "This pack is already being rendered."
    assert message in [str(m) for m in on_page.context["messages"]]
    assert by_api.status_code == 409
    assert by_api.json()["detail"] == message
