"""Who sees which pack, rendering from the page, failures and retries, publishing, conclusions."""

import datetime

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from commissioning import roles
from scrutiny import documents
from scrutiny.models import ReportRender, ScrutinyConclusion, ScrutinyPack
from strategies.models import HighlightReport
from tests.factories import (
    CommitteeFactory,
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

READY = ScrutinyPack.RenderStatus.READY


@pytest.mark.parametrize(
    ("role", "published", "expected"),
    [
        (roles.SCRUTINY_MEMBER, True, 200),
        (roles.SCRUTINY_MEMBER, False, 404),
        (roles.COMMISSIONER, True, 200),
        (roles.COMMISSIONER, False, 404),
        (roles.CONTRACT_OFFICER, False, 404),
        (roles.ADMINISTRATOR, False, 200),
        (roles.ADMINISTRATOR, True, 200),
    ],
)
@pytest.mark.parametrize("url_name", ["scrutiny:pack", "scrutiny:pack_download", "scrutiny:pack_status"])
def test_drafts_are_for_the_officers_preparing_them(client_for_role, role, published, expected, url_name):
    factory = PublishedScrutinyPackFactory if published else ScrutinyPackFactory
    pack = mark_rendered(factory())

    response = client_for_role(role).get(reverse(url_name, args=[pack.pk]))

    assert response.status_code == expected


@pytest.mark.parametrize("url_name", ["scrutiny:pack", "scrutiny:pack_download", "scrutiny:pack_status"])
def test_anonymous_visitors_are_sent_to_log_in(client, url_name):
    pack = mark_rendered(PublishedScrutinyPackFactory())

    response = client.get(reverse(url_name, args=[pack.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_download_streams_the_stored_pdf_privately(client_as_scrutiny):
    pack = mark_rendered(PublishedScrutinyPackFactory(), content=b"%PDF-1.7 the pack")

    response = client_as_scrutiny.get(reverse("scrutiny:pack_download", args=[pack.pk]))

    assert b"".join(response.streaming_content) == b"%PDF-1.7 the pack"
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize(("published", "expected"), [(True, 200), (False, 404)])
def test_media_url_of_a_pack_follows_the_pack(client_as_scrutiny, published, expected):
    factory = PublishedScrutinyPackFactory if published else ScrutinyPackFactory
    pack = mark_rendered(factory())

    response = client_as_scrutiny.get(reverse("media", args=[pack.file.name]))

    assert response.status_code == expected


def test_members_see_published_packs_with_their_contents(client_as_scrutiny):
    meeting = MeetingFactory()
    published = mark_rendered(PublishedScrutinyPackFactory(meeting=meeting, title="May pack"))
    PackAppendixFactory(pack=published, strategy=StrategyFactory(name="Carers"), order=1)
    ScrutinyPackFactory(meeting=meeting, title="Draft in progress")

    page = client_as_scrutiny.get(reverse("scrutiny:meeting", args=[meeting.pk])).content.decode()

    assert "May pack" in page
    assert "Appendix 1: Carers Commissioning Highlight Report" in page
    assert reverse("scrutiny:pack_download", args=[published.pk]) in page
    assert "Draft in progress" not in page


@pytest.mark.parametrize("rows", [5, 40])
def test_committee_and_archive_pages_run_constant_queries(client_as_scrutiny, django_assert_max_num_queries, rows):
    committee = CommitteeFactory()
    for day in range(rows):
        meeting = MeetingFactory(committee=committee, date=datetime.date(2018, 4, 1) + datetime.timedelta(days=day))
        pack = mark_rendered(PublishedScrutinyPackFactory(meeting=meeting))
        PackAppendixFactory(pack=pack)

    for url in [
        reverse("scrutiny:committees"),
        reverse("scrutiny:committee", args=[committee.pk]),
        reverse("scrutiny:archive"),
        reverse("scrutiny:meeting", args=[meeting.pk]),
        reverse("scrutiny:pack", args=[pack.pk]),
    ]:
        with django_assert_max_num_queries(11):
            assert client_as_scrutiny.get(url).status_code == 200


def test_archive_lists_published_packs_of_past_meetings_only(client_as_scrutiny):
    past = mark_rendered(
        PublishedScrutinyPackFactory(title="Past pack", meeting=MeetingFactory(date=datetime.date(2019, 1, 1)))
    )
    ScrutinyPackFactory(title="Past draft", meeting=past.meeting)
    future = MeetingFactory(date=timezone.localdate() + datetime.timedelta(days=30))
    PublishedScrutinyPackFactory(title="Upcoming pack", meeting=future)

    page = client_as_scrutiny.get(reverse("scrutiny:archive")).content.decode()

    assert "Past pack" in page
    assert "Past draft" not in page
    assert "Upcoming pack" not in page


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.SCRUTINY_MEMBER, 403),
        (roles.COMMISSIONER, 403),
        (roles.CONTRACT_OFFICER, 403),
        (roles.ADMINISTRATOR, 302),
    ],
)
def test_only_officers_preparing_packs_may_render_them(client_for_role, role, expected, monkeypatch):
    monkeypatch.setattr("scrutiny.tasks.render_pack.delay", lambda *args, **kwargs: None)
    pack = PublishedScrutinyPackFactory()

    response = client_for_role(role).post(reverse("scrutiny:pack_render", args=[pack.pk]))

    assert response.status_code == expected


def test_render_request_queues_and_returns_at_once(client_as_admin, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("scrutiny.tasks.render_pack.delay", lambda pk, force=False: queued.append(pk))
    pack = ScrutinyPackFactory()
    PackAppendixFactory.create_batch(2, pack=pack)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as_admin.post(reverse("scrutiny:pack_render", args=[pack.pk]))

    assert response.status_code == 302
    assert queued == [pack.pk]
    status = client_as_admin.get(reverse("scrutiny:pack_status", args=[pack.pk])).json()
    assert status["status"] == "queued"
    assert status["progress_total"] == 2
    page = client_as_admin.get(reverse("scrutiny:pack", args=[pack.pk])).content.decode()
    assert 'aria-live="polite"' in page
    assert "js/scrutiny-render-status.js" in page
    assert "Refresh to see progress" in page


def test_a_failed_render_shows_its_reason_and_a_retry_produces_one_file(
    client_as_admin, pack_with_appendices, django_capture_on_commit_callbacks, monkeypatch
):
    real_build = documents.build_pack_document

    def broken(*args, **kwargs):
        raise ValueError("Appendix 2 has no highlight report template")

    monkeypatch.setattr(documents, "build_pack_document", broken)
    url = reverse("scrutiny:pack_render", args=[pack_with_appendices.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client_as_admin.post(url)

    status = client_as_admin.get(reverse("scrutiny:pack_status", args=[pack_with_appendices.pk])).json()
    assert status["status"] == "failed"
    assert "Appendix 2 has no highlight report template" in status["error"]
    assert status["can_retry"] is True
    page = client_as_admin.get(reverse("scrutiny:pack", args=[pack_with_appendices.pk])).content.decode()
    assert "Appendix 2 has no highlight report template" in page
    assert "Try again" in page

    monkeypatch.setattr(documents, "build_pack_document", real_build)
    with django_capture_on_commit_callbacks(execute=True):
        client_as_admin.post(url)

    status = client_as_admin.get(reverse("scrutiny:pack_status", args=[pack_with_appendices.pk])).json()
    assert status["status"] == "ready"
    assert status["error"] == ""
    assert status["progress_done"] == status["progress_total"] == 3
    assert status["download_url"] == reverse("scrutiny:pack_download", args=[pack_with_appendices.pk])
    assert len(default_storage.listdir("packs")[1]) == 1


def test_a_render_interrupted_mid_way_is_not_served_and_can_be_retried(client_as_admin, monkeypatch):
    pack = ScrutinyPackFactory(render_status=ScrutinyPack.RenderStatus.RENDERING)
    ScrutinyPack.objects.filter(pk=pack.pk).update(updated_at=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC))

    assert client_as_admin.get(reverse("scrutiny:pack_download", args=[pack.pk])).status_code == 404
    status = client_as_admin.get(reverse("scrutiny:pack_status", args=[pack.pk])).json()
    assert status["can_retry"] is True
    page = client_as_admin.get(reverse("scrutiny:pack", args=[pack.pk])).content.decode()
    assert "has stopped reporting back" in page


def test_a_render_in_progress_is_not_queued_twice(client_as_admin, monkeypatch):
    queued = []
    monkeypatch.setattr("scrutiny.tasks.render_pack.delay", lambda pk, force=False: queued.append(pk))
    pack = ScrutinyPackFactory(render_status=ScrutinyPack.RenderStatus.RENDERING)

    client_as_admin.post(reverse("scrutiny:pack_render", args=[pack.pk]))

    assert queued == []


def test_publishing_emails_the_committee_members(client_as_admin, django_capture_on_commit_callbacks):
    committee = CommitteeFactory()
    committee.members.add(UserFactory(email="cllr.a@council.example"), UserFactory(email="cllr.b@council.example"))
    pack = mark_rendered(ScrutinyPackFactory(meeting=MeetingFactory(committee=committee)))

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as_admin.post(reverse("scrutiny:pack_publish", args=[pack.pk]))

    assert response.status_code == 302
    pack.refresh_from_db()
    assert pack.status == ScrutinyPack.Status.PUBLISHED
    # One e-mail each, carrying the pack's link (not its text), and a notification in the app for each.
    assert sorted(m.to[0] for m in mail.outbox) == ["cllr.a@council.example", "cllr.b@council.example"]
    assert all(pack.get_absolute_url() in m.body for m in mail.outbox)
    assert sorted(
        committee.members.filter(notifications__kind="scrutiny.pack_published").values_list("email", flat=True)
    ) == ["cllr.a@council.example", "cllr.b@council.example"]


def test_publishing_asks_first_what_will_happen_and_whom_it_emails(client_as_admin):
    committee = CommitteeFactory(name="Adults and Community Wellbeing Scrutiny Committee")
    committee.members.add(
        UserFactory(first_name="Ann", last_name="Ashby", email="cllr.a@council.example"),
        UserFactory(first_name="Bob", last_name="Brant", email="cllr.b@council.example"),
        UserFactory(first_name="Cy", last_name="Gone", is_active=False),
    )
    pack = mark_rendered(ScrutinyPackFactory(meeting=MeetingFactory(committee=committee)))
    pack_page = client_as_admin.get(pack.get_absolute_url()).content.decode()
    confirm_url = reverse("scrutiny:pack_publish_confirm", args=[pack.pk])
    assert f'action="{confirm_url}"' in pack_page

    response = client_as_admin.post(confirm_url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 members of Adults and Community Wellbeing Scrutiny Committee will be told" in page
    assert "Ann Ashby" in page
    assert "Bob Brant" in page
    assert "Cy Gone" not in page
    assert "Publish and tell 2 members" in page
    assert f'action="{reverse("scrutiny:pack_publish", args=[pack.pk])}"' in page
    # Nothing happened yet.
    pack.refresh_from_db()
    assert pack.status == ScrutinyPack.Status.DRAFT
    assert not pack.revisions.exists()
    assert mail.outbox == []


def test_a_revision_without_its_change_note_is_refused_before_the_confirmation(client_as_admin, administrator):
    from scrutiny import services

    pack = mark_rendered(ScrutinyPackFactory())
    services.pack_publish(pack=pack, by=administrator)
    services.pack_revise(pack=pack, by=administrator)
    pack = mark_rendered(ScrutinyPack.objects.get(pk=pack.pk))

    response = client_as_admin.post(reverse("scrutiny:pack_publish_confirm", args=[pack.pk]), {"change_note": " "})

    page = response.content.decode()
    assert "Say what has changed since revision 1." in page
    assert 'id="change_note-error"' in page

    response = client_as_admin.post(
        reverse("scrutiny:pack_publish_confirm", args=[pack.pk]), {"change_note": "Appendix 3's figures corrected."}
    )
    page = response.content.decode()
    assert "Publish revision 2 of" in page
    assert 'name="change_note" value="Appendix 3&#x27;s figures corrected."' in page


def test_a_pack_cannot_be_published_before_it_is_rendered(client_as_admin):
    pack = ScrutinyPackFactory()

    response = client_as_admin.post(reverse("scrutiny:pack_publish", args=[pack.pk]), follow=True)

    pack.refresh_from_db()
    assert pack.status == ScrutinyPack.Status.DRAFT
    assert "Render the pack before publishing it" in response.content.decode()


def test_officer_creates_a_pack_choosing_strategies_and_their_order(client_as_admin):
    meeting = MeetingFactory()
    carers, frailty, unused = StrategyFactory(name="Carers"), StrategyFactory(name="Adult Frailty"), StrategyFactory()
    data = {
        "title": "Commissioning Strategies",
        "report_to": "Overview and Scrutiny Management Board",
        "report_date": "30/05/2019",
        "subject": "Commissioning Strategies",
        f"appendix_{carers.pk}": "1",
        f"appendix_{frailty.pk}": "2",
        f"appendix_{unused.pk}": "",
    }

    response = client_as_admin.post(reverse("scrutiny:pack_create", args=[meeting.pk]), data)

    pack = ScrutinyPack.objects.get()
    assert response.status_code == 302
    assert [a.strategy for a in pack.appendices.order_by("order")] == [carers, frailty]


def test_two_strategies_cannot_share_an_appendix_number(client_as_admin):
    meeting = MeetingFactory()
    carers, frailty = StrategyFactory(name="Carers"), StrategyFactory(name="Adult Frailty")
    data = {
        "title": "Pack",
        "report_to": "Board",
        "report_date": "30/05/2019",
        "subject": "Strategies",
        f"appendix_{carers.pk}": "1",
        f"appendix_{frailty.pk}": "1",
    }

    response = client_as_admin.post(reverse("scrutiny:pack_create", args=[meeting.pk]), data)

    assert response.status_code == 200
    assert "Appendix 1 is already given to" in response.content.decode()
    assert not ScrutinyPack.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.SCRUTINY_MEMBER, 403),
        (roles.CONTRACT_OFFICER, 403),
        (roles.COMMISSIONER, 302),
        (roles.ADMINISTRATOR, 302),
    ],
)
def test_officers_record_a_committees_conclusions(client_for_role, directorate, role, expected):
    meeting = MeetingFactory()
    strategy = StrategyFactory(directorate=directorate)

    response = client_for_role(role).post(
        reverse("scrutiny:conclusion_add", args=[meeting.pk]),
        {"strategy": strategy.pk, "text": "The Committee supported the strategy."},
    )

    assert response.status_code == expected
    assert ScrutinyConclusion.objects.filter(meeting=meeting, strategy=strategy).exists() == (expected == 302)


def test_empty_conclusion_is_refused_naming_the_field(client_as_commissioner):
    meeting = MeetingFactory()

    response = client_as_commissioner.post(
        reverse("scrutiny:conclusion_add", args=[meeting.pk]), {"strategy": StrategyFactory().pk, "text": ""}
    )

    assert response.status_code == 200
    assert "Enter the committee&#x27;s conclusions." in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        (roles.SCRUTINY_MEMBER, HighlightReport.Status.SCRUTINY_CONSIDERED, 200),
        (roles.SCRUTINY_MEMBER, HighlightReport.Status.SUBMITTED, 404),
        (roles.SCRUTINY_MEMBER, HighlightReport.Status.DRAFT, 404),
        (roles.COMMISSIONER, HighlightReport.Status.DRAFT, 200),
        (None, HighlightReport.Status.SCRUTINY_CONSIDERED, 302),
    ],
)
@pytest.mark.parametrize("url_name", ["scrutiny:report_pdf", "scrutiny:report_pdf_status"])
def test_highlight_report_pdf_page_follows_report_visibility(client_for_role, role, status, expected, url_name):
    report = HighlightReportFactory(status=status)

    response = client_for_role(role).get(reverse(url_name, args=[report.pk]))

    assert response.status_code == expected


def test_officers_render_a_reports_pdf_that_councillors_then_read(
    client_as_officer, client_as_scrutiny, django_capture_on_commit_callbacks
):
    report = HighlightReportFactory(strategy=StrategyFactory(name="Carers"), status=HighlightReport.Status.APPROVED)
    url = reverse("scrutiny:report_pdf", args=[report.pk])
    assert url == f"/scrutiny/reports/{report.pk}/pdf/"
    assert "Render the PDF" not in client_as_scrutiny.get(url).content.decode()

    assert client_as_scrutiny.post(url).status_code == 403
    assert not ReportRender.objects.filter(report=report).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client_as_officer.post(url).status_code == 302

    job = ReportRender.objects.get(report=report)
    assert job.status == ReportRender.Status.READY
    status = client_as_scrutiny.get(reverse("scrutiny:report_pdf_status", args=[report.pk])).json()
    assert status["download_url"]
    assert status["can_retry"] is False
    response = client_as_scrutiny.get(status["download_url"])
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_as_scrutiny.get(reverse("media", args=[job.file.name])).status_code == 200
