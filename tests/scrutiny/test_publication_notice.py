"""Five clear days (s.100B(3) Local Government Act 1972): a pack published later needs a recorded reason, and
the archive says so; late items record the chair's agreement beside the reasons for urgency (s.100B(4)(b))."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from scrutiny import documents, services
from scrutiny.models import PackSupplement
from scrutiny.services import clear_days_between
from tests.factories import CommitteeFactory, MeetingFactory, StrategyFactory
from tests.scrutiny.rendering import mark_rendered

pytestmark = pytest.mark.django_db

MEETING = datetime.date(2019, 5, 30)  # a Thursday
COVER = {
    "title": "Commissioning Strategies",
    "report_to": "Overview and Scrutiny Management Board",
    "report_date": MEETING,
    "subject": "Commissioning Strategies",
}


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC), tick=False)


@pytest.mark.parametrize(
    ("published", "meeting", "expected", "why"),
    [
        # Mon 20 May for Mon 27 May: Tue 21, Wed 22, Thu 23, Fri 24 (Sat, Sun left out; neither Monday counts).
        (datetime.date(2019, 5, 20), datetime.date(2019, 5, 27), 4, "a week ahead is four clear working days"),
        # Tue 21 May for Thu 30 May: Wed 22, Thu 23, Fri 24, Tue 28, Wed 29 (27 May was the spring bank holiday).
        (datetime.date(2019, 5, 21), MEETING, 5, "the demo pack's publication just makes it"),
        # Wed 22 May for Thu 30 May: Thu 23, Fri 24, Tue 28, Wed 29 (not the bank holiday Monday).
        (datetime.date(2019, 5, 22), MEETING, 4, "a day later is late, the bank holiday left out"),
        # Thu 23 May for Thu 30 May: Fri 24, Tue 28, Wed 29.
        (datetime.date(2019, 5, 23), MEETING, 3, "two days later"),
        # The day before, the day itself and after: none.
        (datetime.date(2019, 5, 29), MEETING, 0, "nothing lies between consecutive days"),
        (MEETING, MEETING, 0, "publishing on the day gives none"),
        (datetime.date(2019, 6, 3), MEETING, 0, "publishing after the meeting gives none, never negative"),
        # Fri 24 May for Mon 27 May: only the weekend lies between.
        (datetime.date(2019, 5, 24), datetime.date(2019, 5, 27), 0, "a weekend is not clear working days"),
    ],
)
def test_clear_days_leave_out_both_ends_and_weekends(published, meeting, expected, why):
    assert clear_days_between(published, meeting) == expected, why


@pytest.fixture
def committee(scrutiny_member):
    committee = CommitteeFactory(name="Overview and Scrutiny Management Board")
    committee.members.add(scrutiny_member)
    return committee


@pytest.fixture
def rendered_pack(committee, administrator):
    meeting = MeetingFactory(committee=committee, date=MEETING)
    services.agenda_item_add(
        meeting=meeting, by=administrator, data={"title": "Frailty", "strategy": StrategyFactory(name="Frailty")}
    )
    pack = services.pack_create(meeting=meeting, by=administrator, cover=COVER)
    return mark_rendered(pack, page_count=46)


def test_a_pack_published_in_time_needs_no_reason(rendered_pack, administrator):
    with _at(datetime.date(2019, 5, 21)):
        services.pack_publish(pack=rendered_pack, by=administrator)
    rendered_pack.refresh_from_db()
    assert (rendered_pack.published_clear_days, rendered_pack.late_publication_reason) == (5, "")


def test_a_late_pack_is_refused_without_a_reason_naming_the_field(rendered_pack, administrator):
    with _at(datetime.date(2019, 5, 27)), pytest.raises(ValidationError) as refused:
        services.pack_publish(pack=rendered_pack, by=administrator, late_publication_reason="  ")
    # Mon 27 May for Thu 30 May: Tue 28 and Wed 29.
    assert "2 clear days" in refused.value.message_dict["late_publication_reason"][0]
    rendered_pack.refresh_from_db()
    assert rendered_pack.status == rendered_pack.Status.DRAFT
    assert not rendered_pack.revisions.exists()


def test_a_late_pack_with_a_reason_is_published_and_flagged_in_the_archive(
    rendered_pack, administrator, client_as_admin
):
    reason = "The Q4 figures were confirmed on 24 May."
    with _at(datetime.date(2019, 5, 27)):
        services.pack_publish(pack=rendered_pack, by=administrator, late_publication_reason=reason)
    rendered_pack.refresh_from_db()
    assert (rendered_pack.published_clear_days, rendered_pack.late_publication_reason) == (2, reason)
    with _at(datetime.date(2019, 6, 10)):
        page = client_as_admin.get(reverse("scrutiny:archive")).content.decode()
    assert f"Published 2 clear days before the meeting: reason {reason}" in page


def _rendered_supplement(supplement: PackSupplement) -> PackSupplement:
    built = documents.build_supplement_document(supplement)
    supplement = PackSupplement.objects.get(pk=supplement.pk)
    supplement.file.name = default_storage.save(f"packs/supplements/s-{supplement.pk}.pdf", ContentFile(b"%PDF-1.7"))
    supplement.render_status = PackSupplement.RenderStatus.READY
    supplement.checksum = built.checksum
    supplement.page_count = 6
    supplement.first_page = built.first_page
    supplement.save()
    return supplement


def test_a_late_item_needs_the_chairs_agreement_and_the_archive_shows_it(rendered_pack, administrator, client_as_admin):
    with _at(datetime.date(2019, 5, 20)):
        services.pack_publish(pack=rendered_pack, by=administrator)
    with _at(datetime.date(2019, 5, 28)):
        supplement = services.supplement_create(
            pack=rendered_pack,
            by=administrator,
            reason_for_urgency="The Carers report was not ready when the agenda was published.",
            strategies=[StrategyFactory(name="Carers")],
        )
        supplement = _rendered_supplement(supplement)
        with pytest.raises(ValidationError) as refused:
            services.supplement_publish(supplement=supplement, by=administrator)
        assert set(refused.value.message_dict) == {"chair_agreed_by", "chair_agreed_on"}
        with pytest.raises(ValidationError) as refused:
            services.supplement_publish(
                supplement=supplement, by=administrator, chair_agreed_by="Cllr Smith", chair_agreed_on=MEETING
            )
        assert set(refused.value.message_dict) == {"chair_agreed_on"}  # 30 May is after today, 28 May
        services.supplement_publish(
            supplement=supplement,
            by=administrator,
            chair_agreed_by="Cllr Smith",
            chair_agreed_on=datetime.date(2019, 5, 28),
        )
    supplement.refresh_from_db()
    assert (supplement.chair_agreed_by, supplement.chair_agreed_on) == ("Cllr Smith", datetime.date(2019, 5, 28))
    with _at(datetime.date(2019, 6, 10)):
        page = client_as_admin.get(reverse("scrutiny:archive")).content.decode()
    assert "reasons for urgency The Carers report was not ready when the agenda was published." in page
    assert "agreed by Cllr Smith on 28 May 2019" in page
    assert "Late</strong> Published" not in page  # the pack itself was in time: 20 May gives 7 clear days
