"""Democratic services keep committees and meetings in the UI: adding and editing them, who may, bad input."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from commissioning import roles
from scrutiny.models import Committee, Meeting
from tests.factories import CommitteeFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db

BOARD = "Overview and Scrutiny Management Board"
REFUSED_ROLES = [roles.COMMISSIONER, roles.CONTRACT_OFFICER, roles.SCRUTINY_MEMBER]


def _councillor(username: str, **kwargs):
    user = UserFactory(username=username, **kwargs)
    user.groups.add(Group.objects.get(name=roles.SCRUTINY_MEMBER))
    return user


def _date(prefix: str, day: int | str, month: int | str, year: int | str) -> dict:
    return {f"{prefix}_0": str(day), f"{prefix}_1": str(month), f"{prefix}_2": str(year)}


def _errors(response) -> dict:
    return response.context["form"].errors


# --- Adding and editing a committee ----------------------------------------------------------------


def test_administrator_adds_a_committee_with_its_members(client_as_admin, administrator):
    first, second = _councillor("cllr-brown", last_name="Brown"), _councillor("cllr-smith", last_name="Smith")
    _councillor("cllr-not-chosen")

    response = client_as_admin.post(
        reverse("scrutiny:committee_create"), {"name": BOARD, "members": [first.pk, second.pk]}
    )

    committee = Committee.objects.get(name=BOARD)
    assert response.status_code == 302
    assert response["Location"] == committee.get_absolute_url()
    assert set(committee.members.all()) == {first, second}
    assert committee.history.get().history_user == administrator
    page = client_as_admin.get(response["Location"]).content.decode()
    assert f"{BOARD} added." in page
    assert first.get_full_name() in page
    assert second.get_full_name() in page


def test_the_add_form_offers_only_active_scrutiny_members(client_as_admin, commissioner):
    councillor = _councillor("cllr-active", first_name="Ada", last_name="Active")
    _councillor("cllr-gone", first_name="Gail", last_name="Gone", is_active=False)

    page = client_as_admin.get(reverse("scrutiny:committee_create")).content.decode()

    assert "Ada Active" in page
    assert f'value="{councillor.pk}"' in page
    assert "Gail Gone" not in page
    assert commissioner.get_full_name() not in page
    assert 'class="govuk-checkboxes__input"' in page


def test_administrator_renames_a_committee_and_changes_its_members(client_as_admin, administrator):
    leaving, staying, joining = _councillor("cllr-a"), _councillor("cllr-b"), _councillor("cllr-c")
    committee = CommitteeFactory(name="Adults Scrutiny")
    committee.members.set([leaving, staying])

    response = client_as_admin.post(
        reverse("scrutiny:committee_edit", args=[committee.pk]), {"name": BOARD, "members": [staying.pk, joining.pk]}
    )

    committee.refresh_from_db()
    assert response.status_code == 302
    assert committee.name == BOARD
    assert set(committee.members.all()) == {staying, joining}
    assert committee.history.first().history_user == administrator


def test_the_edit_form_ticks_the_current_members(client_as_admin):
    member, other = _councillor("cllr-member"), _councillor("cllr-other")
    committee = CommitteeFactory()
    committee.members.add(member)

    form = client_as_admin.get(reverse("scrutiny:committee_edit", args=[committee.pk])).context["form"]

    assert list(form["members"].value()) == [member.pk]
    assert {choice.data["value"].value for choice in form["members"]} == {member.pk, other.pk}


def test_renaming_keeps_a_member_who_no_longer_qualifies_in_view(client_as_admin):
    """A member whose account was closed is listed (and ticked) rather than dropped unseen by a rename."""
    gone = _councillor("cllr-gone", first_name="Gail", last_name="Gone")
    committee = CommitteeFactory()
    committee.members.add(gone)
    gone.is_active = False
    gone.save()
    url = reverse("scrutiny:committee_edit", args=[committee.pk])

    page = client_as_admin.get(url).content.decode()
    client_as_admin.post(url, {"name": "Renamed committee", "members": [gone.pk]})

    assert "Gail Gone (no longer an active scrutiny member)" in page
    assert list(Committee.objects.get(pk=committee.pk).members.all()) == [gone]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field cannot be blank."),
        ({"name": "   "}, "name", "This field cannot be blank."),
        ({"name": "Adults Scrutiny"}, "name", "Committee with this Name already exists."),
        ({"name": BOARD, "members": ["not-a-number"]}, "members", "Choose members from the scrutiny members listed."),
    ],
)
def test_a_committee_needs_a_name_of_its_own(client_as_admin, data, field, message):
    CommitteeFactory(name="Adults Scrutiny")

    response = client_as_admin.post(reverse("scrutiny:committee_create"), data)

    assert response.status_code == 200
    assert message in _errors(response)[field]
    assert Committee.objects.count() == 1


@pytest.mark.parametrize("who", ["commissioner", "inactive councillor", "nobody"])
def test_only_scrutiny_members_may_sit_on_a_committee(client_as_admin, commissioner, who):
    member_pk = {
        "commissioner": lambda: commissioner.pk,
        "inactive councillor": lambda: _councillor("cllr-gone", is_active=False).pk,
        "nobody": lambda: 999_999,
    }[who]()
    committee = CommitteeFactory(name="Adults Scrutiny")

    added = client_as_admin.post(reverse("scrutiny:committee_create"), {"name": BOARD, "members": [member_pk]})
    edited = client_as_admin.post(
        reverse("scrutiny:committee_edit", args=[committee.pk]), {"name": "Renamed", "members": [member_pk]}
    )

    for response in (added, edited):
        assert response.status_code == 200
        assert _errors(response)["members"] == ["Choose members from the scrutiny members listed."]
    assert list(Committee.objects.values_list("name", flat=True)) == ["Adults Scrutiny"]
    assert not committee.members.exists()


def test_renaming_to_another_committees_name_is_refused_and_changes_nothing(client_as_admin):
    member = _councillor("cllr-member")
    CommitteeFactory(name=BOARD)
    committee = CommitteeFactory(name="Adults Scrutiny")

    response = client_as_admin.post(
        reverse("scrutiny:committee_edit", args=[committee.pk]), {"name": BOARD, "members": [member.pk]}
    )

    assert response.status_code == 200
    assert _errors(response)["name"] == ["Committee with this Name already exists."]
    committee.refresh_from_db()
    assert committee.name == "Adults Scrutiny"
    assert not committee.members.exists()


# --- Adding and editing a meeting ------------------------------------------------------------------


def test_administrator_adds_a_meeting_on_the_committees_page(client_as_admin, administrator):
    committee = CommitteeFactory()

    response = client_as_admin.post(
        reverse("scrutiny:meeting_create", args=[committee.pk]),
        {**_date("date", 10, 7, 2019), "venue": "Committee Room One"},
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert (meeting.committee, meeting.date, meeting.venue) == (
        committee,
        datetime.date(2019, 7, 10),
        "Committee Room One",
    )
    assert meeting.history.get().history_user == administrator
    assert "Meeting of 10 July 2019 added." in client_as_admin.get(response["Location"]).content.decode()
    committee_page = client_as_admin.get(committee.get_absolute_url()).content.decode()
    assert "10 July 2019" in committee_page
    assert "Committee Room One" in committee_page


def test_administrator_moves_a_meeting_and_changes_its_venue(client_as_admin, administrator):
    meeting = MeetingFactory(date=datetime.date(2019, 7, 10), venue="Committee Room One")

    response = client_as_admin.post(
        reverse("scrutiny:meeting_edit", args=[meeting.pk]), {**_date("date", 17, 7, 2019), "venue": "Council Chamber"}
    )

    meeting.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert (meeting.date, meeting.venue) == (datetime.date(2019, 7, 17), "Council Chamber")
    assert meeting.history.first().history_user == administrator


def test_the_edit_meeting_form_shows_the_meeting_as_it_is(client_as_admin):
    meeting = MeetingFactory(date=datetime.date(2019, 7, 10), venue="Committee Room One")

    form = client_as_admin.get(reverse("scrutiny:meeting_edit", args=[meeting.pk])).context["form"]

    assert form["venue"].value() == "Committee Room One"
    assert form["date"].value() == datetime.date(2019, 7, 10)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the date of the meeting as day, month and year"),
        (_date("date", 31, 2, 2019), "The date of the meeting must be a real date, for example 5 9 2018"),
        # A box that is not a number: the same message, naming the date (not the library's "Enter a valid date").
        (_date("date", "ten", 7, 2019), "The date of the meeting must be a real date, for example 5 9 2018"),
        (_date("date", 10, 7, 19), "The date of the meeting must be a real date, for example 5 9 2018"),
    ],
)
def test_a_meeting_needs_a_real_date(client_as_admin, data, message):
    committee = CommitteeFactory()
    meeting = MeetingFactory(committee=committee, date=datetime.date(2019, 7, 10))

    added = client_as_admin.post(reverse("scrutiny:meeting_create", args=[committee.pk]), data)
    edited = client_as_admin.post(reverse("scrutiny:meeting_edit", args=[meeting.pk]), data)

    for response in (added, edited):
        assert response.status_code == 200
        assert _errors(response)["date"] == [message]
    meeting.refresh_from_db()
    assert Meeting.objects.count() == 1
    assert meeting.date == datetime.date(2019, 7, 10)


def test_a_venue_longer_than_the_field_is_a_field_error(client_as_admin):
    committee = CommitteeFactory()

    response = client_as_admin.post(
        reverse("scrutiny:meeting_create", args=[committee.pk]), {**_date("date", 10, 7, 2019), "venue": "x" * 201}
    )

    assert response.status_code == 200
    assert "venue" in _errors(response)
    assert not Meeting.objects.exists()


def test_a_meeting_is_added_to_an_existing_committee_only(client_as_admin):
    response = client_as_admin.post(reverse("scrutiny:meeting_create", args=[999_999]), _date("date", 10, 7, 2019))

    assert response.status_code == 404
    assert not Meeting.objects.exists()


# --- Who may -----------------------------------------------------------------------------------------


@pytest.fixture
def existing(db):
    committee = CommitteeFactory(name="Adults Scrutiny")
    meeting = MeetingFactory(committee=committee, date=datetime.date(2019, 7, 10), venue="Committee Room One")
    return committee, meeting


def _attempts(committee, meeting, councillor) -> list[tuple[str, dict]]:
    return [
        (reverse("scrutiny:committee_create"), {"name": BOARD, "members": [councillor.pk]}),
        (reverse("scrutiny:committee_edit", args=[committee.pk]), {"name": BOARD, "members": [councillor.pk]}),
        (reverse("scrutiny:meeting_create", args=[committee.pk]), {**_date("date", 1, 8, 2019), "venue": "Hall"}),
        (reverse("scrutiny:meeting_edit", args=[meeting.pk]), {**_date("date", 1, 8, 2019), "venue": "Hall"}),
    ]


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_only_democratic_services_keep_committees_and_meetings(client_for_role, existing, role):
    committee, meeting = existing
    client = client_for_role(role)

    for url, data in _attempts(committee, meeting, _councillor("cllr-x")):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url

    assert list(Committee.objects.values_list("name", flat=True)) == ["Adults Scrutiny"]
    assert not committee.members.exists()
    assert list(Meeting.objects.values_list("date", "venue")) == [(datetime.date(2019, 7, 10), "Committee Room One")]


def test_anonymous_visitors_are_sent_to_sign_in(client, existing):
    committee, meeting = existing

    for url, data in _attempts(committee, meeting, _councillor("cllr-x")):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert Committee.objects.count() == 1


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_the_pages_offer_the_links_only_to_those_who_may(client_for_role, client_as_admin, existing, role):
    committee, meeting = existing
    links = {
        reverse("scrutiny:committees"): reverse("scrutiny:committee_create"),
        committee.get_absolute_url(): reverse("scrutiny:committee_edit", args=[committee.pk]),
        reverse("scrutiny:committee", args=[committee.pk]): reverse("scrutiny:meeting_create", args=[committee.pk]),
        meeting.get_absolute_url(): reverse("scrutiny:meeting_edit", args=[meeting.pk]),
    }
    client = client_for_role(role)

    for page, link in links.items():
        assert link in client_as_admin.get(page).content.decode()
        assert link not in client.get(page).content.decode()


# --- Query bounds ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 30])
def test_committee_and_meeting_pages_run_constant_queries(client_as_admin, django_assert_max_num_queries, rows):
    committee = CommitteeFactory()
    committee.members.set([_councillor(f"cllr-{n}") for n in range(rows)])
    for day in range(rows):
        meeting = MeetingFactory(committee=committee, date=datetime.date(2018, 4, 1) + datetime.timedelta(days=day))

    for url in [
        reverse("scrutiny:committees"),
        committee.get_absolute_url(),
        meeting.get_absolute_url(),
        reverse("scrutiny:committee_create"),
        reverse("scrutiny:committee_edit", args=[committee.pk]),
        reverse("scrutiny:meeting_create", args=[committee.pk]),
        reverse("scrutiny:meeting_edit", args=[meeting.pk]),
    ]:
        with django_assert_max_num_queries(10):
            assert client_as_admin.get(url).status_code == 200, url
