"""Contract performance notices (UK9) from assessments: drafting, the approval rules, publication and the
Central Digital Platform identifier, and what can never change once published."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from contracts.models import Contract
from oversight import notices
from oversight.models import ContractPerformanceNotice, KpiResult
from oversight.services import TransitionNotAllowed

from ..factories import ContractPerformanceNoticeFactory, PublishedNoticeFactory
from .notice_helpers import assessed_contract, attach_evidence, officer

pytestmark = pytest.mark.django_db

Status = ContractPerformanceNotice.Status


@pytest.fixture
def author():
    return officer("author")


@pytest.fixture
def approver():
    return officer("approver")


def _draft(author, **kwargs):
    contract, assessment, results = assessed_contract(by=author, **kwargs)
    return notices.performance_notice_create(by=author, assessment=assessment), results


# --- Drafting ------------------------------------------------------------------------------------------------


def test_a_notice_of_an_assessment_is_due_30_days_after_it_was_completed(author):
    notice, _ = _draft(author)

    assert notice.status == Status.DRAFT
    assert notice.due_on == datetime.date(2026, 5, 15)  # assessed 15 April 2026
    assert (notice.period_start, notice.period_end) == (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    assert notice.created_by == author
    assert notice.content == {}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"regime": Contract.Regime.PCR_2015}, "Public Contracts Regulations 2015"),
        ({"regime": Contract.Regime.LIGHT_TOUCH}, "light-touch"),
        ({"estimated_value": Decimal("4000000")}, "not over £5 million"),
        ({"is_concession": True}, "concession"),
        ({"kpi_exemption_reason": "Outcomes are not measurable by KPI."}, "could not fairly measure"),
    ],
)
def test_no_notice_for_a_contract_the_kpi_duty_does_not_cover_and_the_refusal_says_why(author, change, reason):
    _, assessment, _ = assessed_contract(by=author, **change)

    with pytest.raises(ValidationError) as refused:
        notices.performance_notice_create(by=author, assessment=assessment)

    assert reason in refused.value.message_dict["assessment"][0]
    assert not ContractPerformanceNotice.objects.exists()


def test_an_assessment_still_due_has_no_notice_yet(author):
    _, assessment, _ = assessed_contract(by=author)
    assessment.status, assessment.assessed_on = "due", None
    assessment.save()

    with pytest.raises(ValidationError, match="Complete the assessment"):
        notices.performance_notice_create(by=author, assessment=assessment)


def test_an_assessment_has_one_notice(author):
    notice, _ = _draft(author)

    with pytest.raises(ValidationError, match="already has"):
        notices.performance_notice_create(by=author, assessment=notice.assessment)


def test_a_commissioner_cannot_draft_a_notice(commissioner, author):
    _, assessment, _ = assessed_contract(by=author)

    with pytest.raises(PermissionDenied):
        notices.performance_notice_create(by=commissioner, assessment=assessment)


# --- Approval ------------------------------------------------------------------------------------------------


def test_approval_fixes_the_regulation_39_fields(author, approver, settings):
    settings.COUNCIL_ADDRESS = "County Offices, Lincoln"
    settings.COUNCIL_EMAIL = "procurement@council.example"
    notice, results = _draft(author)
    provider = notice.contract.lead_provider
    provider.address, provider.postcode, provider.contact_email, provider.ppon_id = (
        "1 High Street\nSleaford",
        "NG34 7AA",
        "contracts@provider.example",
        "PPON123",
    )
    provider.save()

    notice = notices.performance_notice_approve(by=approver, notice=notice)

    assert notice.status == Status.APPROVED
    assert notice.approved_by == approver
    assert notice.approved_at is not None
    content = notice.content
    assert content["contractingAuthority"]["name"] == settings.COUNCIL_NAME
    assert content["contractingAuthority"]["address"] == "County Offices, Lincoln"
    assert content["contractingAuthority"]["email"] == "procurement@council.example"
    assert content["contract"] == {"reference": notice.contract.reference, "title": notice.contract.title}
    assert content["supplier"]["name"] == provider.name
    assert content["supplier"]["address"] == "1 High Street, Sleaford"
    assert content["supplier"]["email"] == "contracts@provider.example"
    assert content["supplier"]["identifiers"]["ppon"] == "PPON123"
    assert content["period"] == {"startDate": "2025-04-01", "endDate": "2026-03-31"}
    assert [(k["name"], k["rating"], k["measureClassification"], k["target"], k["value"]) for k in content["kpis"]] == [
        ("KPI 1", "good", "met", "95", "96"),
        ("KPI 2", "good", "met", "95", "96"),
        ("KPI 3", "good", "met", "95", "96"),
    ]


def test_the_author_may_not_approve_their_own_notice(author):
    notice, _ = _draft(author)

    with pytest.raises(ValidationError, match="another officer must approve"):
        notices.performance_notice_approve(by=author, notice=notice)

    notice.refresh_from_db()
    assert notice.status == Status.DRAFT


def test_approval_needs_the_approval_right(author, commissioner):
    notice, _ = _draft(author)

    with pytest.raises(PermissionDenied):
        notices.performance_notice_approve(by=commissioner, notice=notice)


def test_approval_is_refused_naming_a_kpi_with_no_result(author, approver):
    notice, results = _draft(author)
    results[1].delete()

    with pytest.raises(ValidationError) as refused:
        notices.performance_notice_approve(by=approver, notice=notice)

    assert refused.value.messages == ["KPI 2: no result for 01/04/2025 to 31/03/2026."]
    notice.refresh_from_db()
    assert (notice.status, notice.content) == (Status.DRAFT, {})


def test_approval_is_refused_naming_a_kpi_whose_result_is_not_rated(author, approver):
    notice, results = _draft(author)
    KpiResult.objects.filter(pk=results[0].pk).update(rating="")

    with pytest.raises(ValidationError) as refused:
        notices.performance_notice_approve(by=approver, notice=notice)

    assert refused.value.messages == ["KPI 1: the result for 31/03/2026 is not rated."]


def test_approval_is_refused_naming_each_kpi_without_evidence(author, approver):
    notice, results = _draft(author, evidence=False)
    attach_evidence(results[0], author)

    with pytest.raises(ValidationError) as refused:
        notices.performance_notice_approve(by=approver, notice=notice)

    assert refused.value.messages == [
        "KPI 2: no evidence is attached to the result for 31/03/2026.",
        "KPI 3: no evidence is attached to the result for 31/03/2026.",
    ]


def test_a_kpi_retired_before_the_period_needs_no_result(author, approver):
    notice, results = _draft(author)
    kpi = results[2].kpi
    results[2].delete()
    kpi.retired_on = datetime.date(2025, 4, 1)
    kpi.save()

    notice = notices.performance_notice_approve(by=approver, notice=notice)

    assert [k["name"] for k in notice.content["kpis"]] == ["KPI 1", "KPI 2"]


def test_a_notice_of_a_contract_with_no_kpis_cannot_be_approved(author, approver):
    notice, _ = _draft(author, kpis=0)

    with pytest.raises(ValidationError, match="no KPIs in force"):
        notices.performance_notice_approve(by=approver, notice=notice)


# --- Publication and immutability ----------------------------------------------------------------------------


def _published(author, approver):
    notice, results = _draft(author)
    notices.performance_notice_approve(by=approver, notice=notice)
    return notices.performance_notice_publish(by=approver, notice=notice), results


def test_publishing_records_who_and_when(author, approver):
    notice, _ = _published(author, approver)

    assert notice.status == Status.PUBLISHED
    assert notice.published_by == approver
    assert notice.published_at is not None
    assert notice.history.count() == 3  # drafted, approved, published


def test_a_draft_cannot_be_published_before_approval(author, approver):
    notice, _ = _draft(author)

    with pytest.raises(TransitionNotAllowed):
        notices.performance_notice_publish(by=approver, notice=notice)


def test_a_published_notice_is_never_approved_or_published_again(author, approver):
    notice, _ = _published(author, approver)

    for service in (notices.performance_notice_approve, notices.performance_notice_publish):
        with pytest.raises(TransitionNotAllowed, match="can no longer change"):
            service(by=approver, notice=notice)


def test_a_published_notice_keeps_its_content_whatever_changes_later(author, approver):
    notice, results = _published(author, approver)
    before = dict(notice.content)
    KpiResult.objects.filter(pk=results[0].pk).update(rating="inadequate", value=Decimal("40"))
    notice.contract.lead_provider.name = "Renamed Ltd"
    notice.contract.lead_provider.save()

    notice.refresh_from_db()
    assert notice.content == before
    assert notice.content["kpis"][0]["rating"] == "good"


def test_a_published_notice_refuses_any_direct_change_or_deletion(author, approver):
    notice, _ = _published(author, approver)

    notice.content = {"tampered": True}
    with pytest.raises(TransitionNotAllowed, match="content"), transaction.atomic():
        notice.save()
    notice.refresh_from_db()
    notice.due_on = datetime.date(2030, 1, 1)
    with pytest.raises(TransitionNotAllowed), transaction.atomic():
        notice.save()
    notice.refresh_from_db()
    with pytest.raises(TransitionNotAllowed, match="cannot be deleted"), transaction.atomic():
        notice.delete()
    assert ContractPerformanceNotice.objects.get(pk=notice.pk).content != {"tampered": True}


def test_the_cdp_identifier_is_recorded_once_and_only_once_published(author, approver):
    notice, _ = _draft(author)
    with pytest.raises(TransitionNotAllowed, match="Publish the notice"):
        notices.performance_notice_record_cdp_id(by=approver, notice=notice, cdp_notice_id="UK9-001")
    notices.performance_notice_approve(by=approver, notice=notice)
    notices.performance_notice_publish(by=approver, notice=notice)

    with pytest.raises(ValidationError):
        notices.performance_notice_record_cdp_id(by=approver, notice=notice, cdp_notice_id="  ")
    notice = notices.performance_notice_record_cdp_id(by=approver, notice=notice, cdp_notice_id=" UK9-001 ")
    assert notice.cdp_notice_id == "UK9-001"

    with pytest.raises(TransitionNotAllowed, match="already recorded"):
        notices.performance_notice_record_cdp_id(by=approver, notice=notice, cdp_notice_id="UK9-002")
    notice.cdp_notice_id = "UK9-002"
    with pytest.raises(TransitionNotAllowed), transaction.atomic():
        notice.save()
    assert ContractPerformanceNotice.objects.get(pk=notice.pk).cdp_notice_id == "UK9-001"


# --- Reads ---------------------------------------------------------------------------------------------------


def test_notices_due_lists_drafts_and_assessments_without_a_notice_with_days_left(author, approver):
    notice, _ = _draft(author)
    _, waiting, _ = assessed_contract(by=author)
    PublishedNoticeFactory()

    rows = notices.notices_due(user=author, today=datetime.date(2026, 5, 20))

    assert [(row.notice, row.assessment, row.days_left) for row in rows] == [
        (notice, None, -5),
        (None, waiting, -5),
    ]
    assert rows[0].overdue
    assert rows[0].days_overdue == 5


def test_notice_alerts_are_due_within_14_days_or_overdue_and_keyed_on_what_the_notice_is_of(author):
    notice = ContractPerformanceNoticeFactory(due_on=datetime.date(2026, 5, 15))

    assert notices.notice_alerts_due(today=datetime.date(2026, 4, 30)) == []
    (alert,) = notices.notice_alerts_due(today=datetime.date(2026, 5, 1))
    assert alert == (
        notice.contract,
        "notice_due",
        datetime.date(2026, 5, 15),
        f"notice_due:assessment:{notice.assessment_id}:20260515",
    )
    assert notices.notice_alerts_due(today=datetime.date(2026, 6, 1))[0][3] == alert[3]


def test_an_assessment_awaiting_its_notice_keeps_its_alert_key_once_the_notice_is_drafted(author):
    _, assessment, _ = assessed_contract(by=author)
    before = notices.notice_alerts_due(today=datetime.date(2026, 5, 10))
    notices.performance_notice_create(by=author, assessment=assessment)

    assert [row[3] for row in notices.notice_alerts_due(today=datetime.date(2026, 5, 10))] == [row[3] for row in before]


# --- Pages ---------------------------------------------------------------------------------------------------


def test_the_published_page_says_the_notice_can_no_longer_change(client, author, approver):
    notice, _ = _published(author, approver)
    client.force_login(author)

    page = client.get(reverse("oversight:performance_notice", args=[notice.pk])).content.decode()

    assert "can no longer change" in page
    assert "KPI 1" in page
    assert reverse("oversight:performance_notice_approve", args=[notice.pk]) not in page


def test_the_approve_page_shows_the_services_refusal(client, author):
    notice, _ = _draft(author)
    client.force_login(author)

    response = client.post(reverse("oversight:performance_notice_approve", args=[notice.pk]))

    assert response.status_code == 200
    assert "another officer must approve" in response.content.decode()


def test_a_commissioner_reads_notices_but_may_not_approve(client, commissioner, author):
    notice, _ = _draft(author)
    client.force_login(commissioner)

    assert client.get(reverse("oversight:performance_notice", args=[notice.pk])).status_code == 200
    assert client.post(reverse("oversight:performance_notice_approve", args=[notice.pk])).status_code == 403


def test_a_councillor_sees_no_notices(client, scrutiny_member, author):
    notice, _ = _draft(author)
    client.force_login(scrutiny_member)

    assert client.get(reverse("oversight:performance_notice", args=[notice.pk])).status_code == 403
    assert client.get(reverse("oversight:performance_notices")).status_code == 403


def test_the_notices_page_runs_constant_queries(client, author, django_assert_max_num_queries):
    for _ in range(5):
        _draft(author)
        PublishedNoticeFactory()
    client.force_login(author)

    with django_assert_max_num_queries(14):
        assert client.get(reverse("oversight:performance_notices")).status_code == 200


def test_the_notice_page_runs_constant_queries(client, author, django_assert_max_num_queries):
    notice, _ = _draft(author, kpis=8)
    client.force_login(author)

    with django_assert_max_num_queries(16):
        assert client.get(reverse("oversight:performance_notice", args=[notice.pk])).status_code == 200
