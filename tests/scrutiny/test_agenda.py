"""A meeting's agenda: items in order, numbered 1, 2, 3… without gaps, kept by those who prepare packs; the pack
is built from it; once the agenda is published an item added is late, and goes in a supplement."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from scrutiny import services
from scrutiny.models import AgendaItem
from tests.factories import CommitteeFactory, MeetingFactory, StrategyFactory
from tests.scrutiny.rendering import mark_rendered

pytestmark = pytest.mark.django_db

COVER = {"title": "Commissioning Strategies", "report_to": "The Board", "report_date": datetime.date(2019, 5, 30)}
COVER = {**COVER, "subject": "Commissioning Strategies"}


@pytest.fixture
def meeting(scrutiny_member):
    committee = CommitteeFactory(name="Overview and Scrutiny Management Board")
    committee.members.add(scrutiny_member)
    return MeetingFactory(committee=committee, date=datetime.date(2019, 5, 30))


def _add(meeting, by, title, *, strategy=None, number=None):
    return services.agenda_item_add(meeting=meeting, by=by, data={"title": title, "strategy": strategy}, number=number)


def _numbers(meeting) -> list[tuple[int, str]]:
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("number").values_list("number", "title"))


def _publish_pack(meeting, by, strategies=None):
    pack = services.pack_create(meeting=meeting, by=by, cover=COVER, strategies=strategies)
    mark_rendered(pack, page_count=12)
    services.pack_publish(pack=pack, by=by)
    pack.refresh_from_db()
    return pack


def test_items_are_numbered_in_agenda_order_without_gaps(meeting, administrator):
    _add(meeting, administrator, "Apologies for absence")
    _add(meeting, administrator, "Minutes of the previous meeting")
    _add(meeting, administrator, "Declarations of interest", number=2)
    assert _numbers(meeting) == [
        (1, "Apologies for absence"),
        (2, "Declarations of interest"),
        (3, "Minutes of the previous meeting"),
    ]
    minutes = AgendaItem.objects.get(meeting=meeting, number=3)
    services.agenda_item_update(item=minutes, by=administrator, data={}, number=1)
    assert [t for _, t in _numbers(meeting)] == [
        "Minutes of the previous meeting",
        "Apologies for absence",
        "Declarations of interest",
    ]
    services.agenda_item_remove(item=AgendaItem.objects.get(meeting=meeting, number=2), by=administrator)
    assert _numbers(meeting) == [(1, "Minutes of the previous meeting"), (2, "Declarations of interest")]


def test_an_item_number_beyond_the_end_is_refused_on_its_field(meeting, administrator):
    _add(meeting, administrator, "Apologies for absence")
    with pytest.raises(ValidationError) as refused:
        _add(meeting, administrator, "Minutes", number=5)
    assert refused.value.message_dict == {"number": ["Enter an item number from 1 to 2."]}


def test_an_item_needs_a_title_and_a_strategy_is_on_the_agenda_once(meeting, administrator):
    carers = StrategyFactory(name="Carers")
    with pytest.raises(ValidationError) as refused:
        _add(meeting, administrator, "  ")
    assert refused.value.message_dict == {"title": ["Enter the item's title."]}
    _add(meeting, administrator, "Carers highlight report", strategy=carers)
    with pytest.raises(ValidationError) as refused:
        _add(meeting, administrator, "Carers again", strategy=carers)
    assert refused.value.message_dict == {"strategy": ["Carers is already on this agenda, as item 1."]}


@pytest.mark.parametrize("who", ["commissioner", "contract_officer", "scrutiny_member"])
def test_only_those_who_prepare_packs_keep_the_agenda(meeting, administrator, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        _add(meeting, user, "Apologies")
    item = _add(meeting, administrator, "Apologies")
    with pytest.raises(PermissionDenied):
        services.agenda_item_update(item=item, by=user, data={"title": "Changed"})
    with pytest.raises(PermissionDenied):
        services.agenda_item_remove(item=item, by=user)
    assert _numbers(meeting) == [(1, "Apologies")]


def test_the_pack_is_built_from_the_agenda_in_agenda_order(meeting, administrator):
    carers, adults, frailty = (StrategyFactory(name=n) for n in ("Carers", "Specialist Adult Services", "Frailty"))
    _add(meeting, administrator, "Apologies for absence")
    _add(meeting, administrator, "Frailty highlight report", strategy=frailty)
    _add(meeting, administrator, "Carers highlight report", strategy=carers)
    _add(meeting, administrator, "Adults highlight report", strategy=adults, number=2)
    pack = services.pack_create(meeting=meeting, by=administrator, cover=COVER)
    assert [a.strategy.name for a in pack.appendices.order_by("order")] == [
        "Specialist Adult Services",
        "Frailty",
        "Carers",
    ]


def test_a_pack_for_a_meeting_without_an_agenda_still_needs_its_appendices(meeting, administrator):
    with pytest.raises(ValidationError) as refused:
        services.pack_create(meeting=meeting, by=administrator, cover=COVER)
    assert refused.value.message_dict["strategies"] == [services.NO_APPENDIX]


def test_an_item_added_after_the_pack_is_published_is_late_and_not_in_the_pack(meeting, administrator):
    carers, adults = StrategyFactory(name="Carers"), StrategyFactory(name="Specialist Adult Services")
    on_time = _add(meeting, administrator, "Carers highlight report", strategy=carers)
    pack = _publish_pack(meeting, administrator)
    late = _add(meeting, administrator, "Adults highlight report", strategy=adults)
    assert (on_time.late, late.late) == (False, True)
    assert late.supplement is None
    assert [a.strategy_id for a in pack.appendices.all()] == [carers.pk]
    # Another pack built from the agenda would take neither: Carers is the pack's, the late item a supplement's.
    assert services.agenda_strategies(meeting=meeting) == []


def test_a_printed_item_stays_on_the_agenda_as_printed(meeting, administrator):
    carers = StrategyFactory(name="Carers")
    apologies = _add(meeting, administrator, "Apologies for absence")
    printed = _add(meeting, administrator, "Carers highlight report", strategy=carers)
    _publish_pack(meeting, administrator)
    with pytest.raises(ValidationError, match="printed in a published pack or supplement"):
        services.agenda_item_remove(item=printed, by=administrator)
    with pytest.raises(ValidationError) as refused:
        services.agenda_item_update(item=printed, by=administrator, data={"title": "Renamed"})
    assert "title" in refused.value.message_dict
    # Taking item 1 off would renumber the printed item 2.
    with pytest.raises(ValidationError) as refused:
        services.agenda_item_remove(item=apologies, by=administrator)
    assert "number" in refused.value.message_dict
    assert _numbers(meeting) == [(1, "Apologies for absence"), (2, "Carers highlight report")]
    # An unprinted item after it can go, and a late item is added at the end.
    late = _add(meeting, administrator, "Any other business")
    services.agenda_item_remove(item=late, by=administrator)
    assert _numbers(meeting) == [(1, "Apologies for absence"), (2, "Carers highlight report")]


def test_an_item_changes_history_names_who(meeting, administrator):
    item = _add(meeting, administrator, "Apologies")
    services.agenda_item_update(item=item, by=administrator, data={"title": "Apologies for absence"})
    assert [h.history_user for h in item.history.all()] == [administrator, administrator]


# --- Pages ---------------------------------------------------------------------------------------------------


def test_meeting_page_lists_the_agenda_and_marks_late_items(meeting, administrator, client_as_admin):
    carers, adults = StrategyFactory(name="Carers"), StrategyFactory(name="Specialist Adult Services")
    _add(meeting, administrator, "Carers highlight report", strategy=carers)
    pack = _publish_pack(meeting, administrator)
    _add(meeting, administrator, "Adults highlight report", strategy=adults)
    page = client_as_admin.get(meeting.get_absolute_url()).content.decode()
    assert "Carers highlight report" in page
    assert "Late item" in page
    services.supplement_create(
        pack=pack, by=administrator, reason_for_urgency="The report arrived late.", strategies=[adults]
    )
    page = client_as_admin.get(meeting.get_absolute_url()).content.decode()
    assert "Supplement 1" in page


def test_a_councillor_reads_the_agenda_once_published_and_late_items_once_their_supplement_is(
    meeting, administrator, client_as_scrutiny
):
    carers, adults = StrategyFactory(name="Carers"), StrategyFactory(name="Specialist Adult Services")
    _add(meeting, administrator, "Carers highlight report", strategy=carers)
    url = meeting.get_absolute_url()
    assert "Carers highlight report" not in client_as_scrutiny.get(url).content.decode()
    _publish_pack(meeting, administrator)
    _add(meeting, administrator, "Adults highlight report", strategy=adults)
    page = client_as_scrutiny.get(url).content.decode()
    assert "Carers highlight report" in page
    assert "Adults highlight report" not in page
    assert "Add an agenda item" not in page


def test_the_agenda_item_form_adds_moves_and_refuses_on_fields(meeting, administrator, client_as_admin):
    carers = StrategyFactory(name="Carers")
    url = reverse("scrutiny:agenda_item_add", args=[meeting.pk])
    assert client_as_admin.post(url, {"title": "Apologies"}).status_code == 302
    response = client_as_admin.post(url, {"title": "Carers report", "strategy": carers.pk, "number": "1"})
    assert response.status_code == 302
    assert _numbers(meeting) == [(1, "Carers report"), (2, "Apologies")]
    refused = client_as_admin.post(url, {"title": "", "number": "9"})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "title": ["Enter the item's title."],
        "number": ["Enter an item number from 1 to 3."],
    }
    item = AgendaItem.objects.get(meeting=meeting, number=2)
    edit = reverse("scrutiny:agenda_item_edit", args=[item.pk])
    assert client_as_admin.get(edit).status_code == 200
    assert client_as_admin.post(edit, {"title": "Apologies for absence", "number": "1"}).status_code == 302
    assert _numbers(meeting) == [(1, "Apologies for absence"), (2, "Carers report")]
    remove = reverse("scrutiny:agenda_item_remove", args=[item.pk])
    assert client_as_admin.post(remove).status_code == 302
    assert _numbers(meeting) == [(1, "Carers report")]


def test_the_new_pack_form_preselects_the_agenda_in_order(meeting, administrator, client_as_admin):
    carers, adults = StrategyFactory(name="Carers"), StrategyFactory(name="Specialist Adult Services")
    _add(meeting, administrator, "Carers report", strategy=carers)
    _add(meeting, administrator, "Adults report", strategy=adults)
    form = client_as_admin.get(reverse("scrutiny:pack_create", args=[meeting.pk])).context["form"]
    assert form.fields[f"appendix_{carers.pk}"].initial == 1
    assert form.fields[f"appendix_{adults.pk}"].initial == 2


def test_meeting_page_runs_bounded_queries_whatever_the_agenda(
    meeting, administrator, client_as_admin, django_assert_max_num_queries
):
    for number in range(12):
        _add(meeting, administrator, f"Item {number}", strategy=StrategyFactory(name=f"Strategy {number}"))
    with django_assert_max_num_queries(30):
        assert client_as_admin.get(meeting.get_absolute_url()).status_code == 200


def test_a_second_pack_for_the_meeting_does_not_take_the_first_ones_items(meeting, administrator, client_as_admin):
    carers, adults = StrategyFactory(name="Carers"), StrategyFactory(name="Specialist Adult Services")
    _add(meeting, administrator, "Carers report", strategy=carers)
    services.pack_create(meeting=meeting, by=administrator, cover=COVER)
    _add(meeting, administrator, "Adults report", strategy=adults)
    assert services.agenda_strategies(meeting=meeting) == [adults]
    form = client_as_admin.get(reverse("scrutiny:pack_create", args=[meeting.pk])).context["form"]
    assert form.fields[f"appendix_{carers.pk}"].initial is None
    assert form.fields[f"appendix_{adults.pk}"].initial == 1
