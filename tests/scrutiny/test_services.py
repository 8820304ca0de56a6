"""Every write of the scrutiny app, called as the pages, the API, the admin and the tasks call it: it does the job
and records who did it; it refuses the wrong role (and, for conclusions, another directorate's commissioner);
and bad input is refused naming the field, with nothing half-saved."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning import roles
from scrutiny import services
from scrutiny.models import Committee, Meeting, PackAppendix, ReportRender, ScrutinyConclusion, ScrutinyPack
from strategies.models import HighlightReport
from tests.factories import (
    CommitteeFactory,
    DirectorateFactory,
    HighlightReportFactory,
    MeetingFactory,
    PackAppendixFactory,
    PublishedScrutinyPackFactory,
    ScrutinyPackFactory,
    StrategyFactory,
    UserFactory,
)
from tests.scrutiny.rendering import mark_rendered

pytestmark = pytest.mark.django_db

NOT_PACK_MAKERS = ["commissioner", "contract_officer", "scrutiny_member", "other_commissioner"]
COVER = {
    "title": "Commissioning Strategies",
    "report_to": "Overview and Scrutiny Management Board",
    "report_date": datetime.date(2019, 5, 30),
    "subject": "Commissioning Strategies",
    "summary": "This report invites the Board to consider\r\nthe strategies.",
}


@pytest.fixture
def other_commissioner(db):
    user = UserFactory(username="other-commissioner", directorate=DirectorateFactory(name="Place", code="place"))
    user.groups.add(Group.objects.get(name=roles.COMMISSIONER))
    return user


@pytest.fixture
def strategy(directorate):
    return StrategyFactory(directorate=directorate, name="Carers")


@pytest.fixture(autouse=True)
def _no_render_queued(monkeypatch):
    """Queueing is tested in test_views; here a render request only marks the job."""
    monkeypatch.setattr(services, "_queue_on_commit", lambda *args, **kwargs: None)


# --- Committees and meetings ------------------------------------------------------------------------------


def test_an_administrator_keeps_committees_and_their_members(administrator, scrutiny_member):
    committee = services.committee_create(by=administrator, data={"name": "Health Scrutiny"}, members=[])
    services.committee_update(
        committee=committee, by=administrator, data={"name": "Health Scrutiny Committee"}, members=[scrutiny_member]
    )

    committee.refresh_from_db()
    assert committee.name == "Health Scrutiny Committee"
    assert list(committee.members.all()) == [scrutiny_member]
    assert committee.history.first().history_user == administrator


def test_an_administrator_keeps_meetings(administrator):
    committee = CommitteeFactory()
    meeting = services.meeting_create(
        by=administrator, data={"committee": committee, "date": datetime.date(2019, 5, 30), "venue": "Room 1"}
    )
    services.meeting_update(meeting=meeting, by=administrator, data={"venue": "Committee Room\r\nCounty Offices"})

    meeting.refresh_from_db()
    assert meeting.venue == "Committee Room\nCounty Offices"
    assert meeting.history.first().history_user == administrator


@pytest.mark.parametrize("actor", NOT_PACK_MAKERS)
def test_only_administrators_keep_committees_and_meetings(request, actor):
    user = request.getfixturevalue(actor)
    committee = CommitteeFactory()
    meeting = MeetingFactory(committee=committee)

    for write in [
        lambda: services.committee_create(by=user, data={"name": "New committee"}),
        lambda: services.committee_update(committee=committee, by=user, data={"name": "Renamed"}),
        lambda: services.meeting_create(by=user, data={"committee": committee, "date": datetime.date(2019, 1, 1)}),
        lambda: services.meeting_update(meeting=meeting, by=user, data={"venue": "Elsewhere"}),
    ]:
        with pytest.raises(PermissionDenied):
            write()

    assert list(Committee.objects.values_list("name", flat=True)) == [committee.name]
    assert list(Meeting.objects.values_list("venue", flat=True)) == [""]


def test_a_committee_needs_a_name_and_a_meeting_a_date(administrator):
    with pytest.raises(ValidationError) as refused:
        services.committee_create(by=administrator, data={"name": ""})
    assert "name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.meeting_create(by=administrator, data={"committee": CommitteeFactory(), "date": None})
    assert "date" in refused.value.message_dict

    assert Committee.objects.count() == 1
    assert not Meeting.objects.exists()


# --- Conclusions ------------------------------------------------------------------------------------------


def test_only_active_scrutiny_members_sit_on_a_committee(administrator, scrutiny_member, commissioner):
    with pytest.raises(ValidationError) as refused:
        services.committee_create(by=administrator, data={"name": "Health Scrutiny"}, members=[commissioner])
    assert list(refused.value.message_dict) == ["members"]
    assert not Committee.objects.filter(name="Health Scrutiny").exists()

    committee = services.committee_create(by=administrator, data={"name": "Health Scrutiny"}, members=[scrutiny_member])
    scrutiny_member.is_active = False
    scrutiny_member.save()
    # Renaming keeps a member who has since left; adding someone who is not a councillor is refused.
    services.committee_update(
        committee=committee, by=administrator, data={"name": "Health Scrutiny Committee"}, members=[scrutiny_member]
    )
    with pytest.raises(ValidationError, match="Only active scrutiny members"):
        services.committee_update(committee=committee, by=administrator, data={}, members=[commissioner])


def test_a_committee_meets_once_on_a_day(administrator):
    committee = CommitteeFactory()
    first = services.meeting_create(by=administrator, data={"committee": committee, "date": datetime.date(2019, 3, 12)})
    with pytest.raises(ValidationError) as refused:
        services.meeting_create(by=administrator, data={"committee": committee, "date": datetime.date(2019, 3, 12)})
    assert refused.value.message_dict == {"date": ["The committee already has a meeting on 12 March 2019."]}
    # The meeting itself may be saved again on its own date.
    services.meeting_update(meeting=first, by=administrator, data={"venue": "Committee Room One"})


def test_a_commissioner_records_a_committees_conclusions(commissioner, strategy):
    meeting = MeetingFactory()

    conclusion = services.conclusion_record(
        meeting=meeting, strategy=strategy, text="  Supported.\r\nAn annual update.  ", by=commissioner
    )

    assert conclusion.text == "Supported.\nAn annual update."
    assert conclusion.recorded_by == commissioner
    assert conclusion.history.get().history_user == commissioner


@pytest.mark.parametrize("actor", ["contract_officer", "scrutiny_member", "other_commissioner"])
def test_conclusions_are_recorded_by_the_strategys_directorate(request, strategy, actor):
    with pytest.raises(PermissionDenied):
        services.conclusion_record(
            meeting=MeetingFactory(), strategy=strategy, text="Supported.", by=request.getfixturevalue(actor)
        )

    assert not ScrutinyConclusion.objects.exists()


def test_empty_conclusions_are_refused(commissioner, strategy):
    with pytest.raises(ValidationError) as refused:
        services.conclusion_record(meeting=MeetingFactory(), strategy=strategy, text="\r\n ", by=commissioner)

    assert refused.value.message_dict == {"text": ["Enter the committee's conclusions."]}
    assert not ScrutinyConclusion.objects.exists()


# --- Packs ------------------------------------------------------------------------------------------------


def test_an_administrator_makes_a_pack_with_its_appendices_in_order(administrator):
    first, second = StrategyFactory(name="Carers"), StrategyFactory(name="Adult Frailty")

    pack = services.pack_create(meeting=MeetingFactory(), by=administrator, cover=COVER, strategies=[second, first])

    assert [a.strategy for a in pack.appendices.order_by("order")] == [second, first]
    assert pack.summary == "This report invites the Board to consider\nthe strategies."
    assert pack.history.get().history_user == administrator


@pytest.mark.parametrize("actor", NOT_PACK_MAKERS)
def test_only_administrators_make_packs(request, strategy, actor):
    with pytest.raises(PermissionDenied):
        services.pack_create(
            meeting=MeetingFactory(), by=request.getfixturevalue(actor), cover=COVER, strategies=[strategy]
        )

    assert not ScrutinyPack.objects.exists()


@pytest.mark.parametrize(
    ("strategies", "message"),
    [
        (lambda s: [], services.NO_APPENDIX),
        (lambda s: [s, s], "Append each strategy once."),
    ],
    ids=["no appendix", "twice"],
)
def test_a_pack_needs_its_appendices_and_nothing_is_saved_without(administrator, strategy, strategies, message):
    with pytest.raises(ValidationError) as refused:
        services.pack_create(meeting=MeetingFactory(), by=administrator, cover=COVER, strategies=strategies(strategy))

    assert refused.value.message_dict == {"strategies": [message]}
    assert not ScrutinyPack.objects.exists()
    assert not PackAppendix.objects.exists()


def test_a_pack_without_its_cover_fields_names_them(administrator, strategy):
    with pytest.raises(ValidationError) as refused:
        services.pack_create(meeting=MeetingFactory(), by=administrator, cover={}, strategies=[strategy])

    assert {"title", "report_to", "report_date", "subject"} <= set(refused.value.message_dict)
    assert not ScrutinyPack.objects.exists()


def test_an_administrator_changes_a_draft_pack(administrator, strategy):
    pack = ScrutinyPackFactory()
    PackAppendixFactory(pack=pack)

    services.pack_update(pack=pack, by=administrator, cover={"title": "May pack"}, strategies=[strategy])

    pack.refresh_from_db()
    assert pack.title == "May pack"
    assert [a.strategy for a in pack.appendices.all()] == [strategy]


@pytest.mark.parametrize("actor", NOT_PACK_MAKERS)
def test_only_administrators_change_packs(request, strategy, actor):
    pack = ScrutinyPackFactory()

    with pytest.raises(PermissionDenied):
        services.pack_update(pack=pack, by=request.getfixturevalue(actor), cover={"title": "Changed"})

    pack.refresh_from_db()
    assert pack.title == "Commissioning Strategies"


def test_a_bad_change_to_a_pack_saves_none_of_it(administrator, strategy):
    pack = ScrutinyPackFactory()
    PackAppendixFactory(pack=pack, strategy=strategy)

    with pytest.raises(ValidationError) as refused:
        services.pack_update(
            pack=pack, by=administrator, cover={"title": "Changed"}, strategies=[], meeting=MeetingFactory()
        )

    assert set(refused.value.message_dict) == {"strategies", "meeting"}
    pack.refresh_from_db()
    assert pack.title == "Commissioning Strategies"
    assert [a.strategy for a in pack.appendices.all()] == [strategy]


def test_a_published_pack_is_frozen(administrator, strategy):
    pack = mark_rendered(PublishedScrutinyPackFactory())

    with pytest.raises(ValidationError):
        services.pack_update(pack=pack, by=administrator, cover={"title": "Changed"})
    with pytest.raises(services.RenderNotAllowed):
        services.pack_request_render(pack=pack, by=administrator)
    with pytest.raises(ValidationError):
        services.pack_publish(pack=pack, by=administrator)

    pack.refresh_from_db()
    assert (pack.title, pack.render_status) == ("Commissioning Strategies", ScrutinyPack.RenderStatus.READY)


def test_an_administrator_publishes_a_rendered_pack(administrator):
    pack = mark_rendered(ScrutinyPackFactory())

    services.pack_publish(pack=pack, by=administrator)

    pack.refresh_from_db()
    assert pack.status == ScrutinyPack.Status.PUBLISHED
    assert pack.published_at is not None
    assert pack.history.first().history_user == administrator


@pytest.mark.parametrize("actor", NOT_PACK_MAKERS)
def test_only_administrators_publish_packs(request, actor):
    pack = mark_rendered(ScrutinyPackFactory())

    with pytest.raises(PermissionDenied):
        services.pack_publish(pack=pack, by=request.getfixturevalue(actor))

    pack.refresh_from_db()
    assert pack.status == ScrutinyPack.Status.DRAFT


def test_a_pack_is_published_only_once_rendered(administrator):
    pack = ScrutinyPackFactory()

    with pytest.raises(ValidationError) as refused:
        services.pack_publish(pack=pack, by=administrator)

    assert refused.value.messages == ["Render the pack before publishing it: members read the PDF."]
    pack.refresh_from_db()
    assert (pack.status, pack.published_at) == (ScrutinyPack.Status.DRAFT, None)


# --- Rendering --------------------------------------------------------------------------------------------


def test_an_administrator_asks_for_a_packs_pdf(administrator):
    pack = ScrutinyPackFactory()
    PackAppendixFactory.create_batch(2, pack=pack)

    services.pack_request_render(pack=pack, by=administrator)

    pack.refresh_from_db()
    assert (pack.render_status, pack.progress_total) == (ScrutinyPack.RenderStatus.QUEUED, 2)


@pytest.mark.parametrize("actor", NOT_PACK_MAKERS)
def test_only_administrators_render_packs(request, actor):
    pack = ScrutinyPackFactory()

    with pytest.raises(PermissionDenied):
        services.pack_request_render(pack=pack, by=request.getfixturevalue(actor))

    pack.refresh_from_db()
    assert pack.render_status == ScrutinyPack.RenderStatus.NOT_RENDERED


def test_a_pack_being_rendered_is_not_queued_again(administrator):
    pack = ScrutinyPackFactory(render_status=ScrutinyPack.RenderStatus.RENDERING)

    with pytest.raises(services.RenderNotAllowed):
        services.pack_request_render(pack=pack, by=administrator)


@pytest.mark.parametrize("actor", ["commissioner", "contract_officer", "other_commissioner", "administrator"])
def test_officers_ask_for_a_reports_pdf(request, strategy, actor):
    report = HighlightReportFactory(strategy=strategy)

    job = services.report_request_render(report=report, by=request.getfixturevalue(actor))

    assert job.status == ReportRender.Status.QUEUED


@pytest.mark.parametrize("status", [HighlightReport.Status.APPROVED, HighlightReport.Status.DRAFT])
def test_councillors_never_render_a_reports_pdf(scrutiny_member, strategy, status):
    report = HighlightReportFactory(strategy=strategy, status=status)

    with pytest.raises(PermissionDenied):
        services.report_request_render(report=report, by=scrutiny_member)

    assert not ReportRender.objects.exists()


def test_a_report_being_rendered_is_not_queued_again(commissioner, strategy):
    report = HighlightReportFactory(strategy=strategy)
    ReportRender.objects.create(report=report, status=ReportRender.Status.RENDERING)

    with pytest.raises(services.RenderNotAllowed):
        services.report_request_render(report=report, by=commissioner)
