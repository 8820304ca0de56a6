"""The retention schedule: what is due, disposal through the owning apps' services, legal holds, the command, the
task and the pages (issue 20). Dates are worked out by hand: due the day after the period ends."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from contracts.models import Contract, ContractChange
from oversight.models import Concern
from oversight.services import ANONYMISED_TEXT
from records.models import DisposalRecord, LegalHold, RetentionRule
from records.retention import (
    legal_hold_place,
    legal_hold_release,
    retention_apply,
    retention_due,
    retention_rule_save,
)
from records.tasks import apply_retention_daily
from tests.factories import (
    ConcernFactory,
    ContractChangeFactory,
    ContractFactory,
    MeetingFactory,
    PublishedScrutinyPackFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

END = datetime.date(2019, 3, 31)
SIX_YEARS_AFTER = datetime.date(2025, 3, 31)  # the last day the contract must be kept
DAY_AFTER = datetime.date(2025, 4, 1)


@pytest.fixture(autouse=True)
def empty_schedule(db):
    """Each test here writes the rules it needs: the statutory defaults a migration loads are left out (their own
    tests read them), whether or not an earlier test's flush already removed them."""
    RetentionRule.objects.all().delete()


def _rule(record_type, trigger, action, years=6):
    return RetentionRule.objects.create(record_type=record_type, period_years=years, trigger=trigger, action=action)


@pytest.fixture
def contract_rule():
    return _rule("contracts.contract", "contract_end", "delete")


@pytest.fixture
def concern_rule():
    return _rule("oversight.concern", "closure", "anonymise")


def _closed_concern(closed_on, **kwargs):
    return ConcernFactory(
        status=Concern.Status.CLOSED,
        closed_on=closed_on,
        outcome="Mrs Smith's carer retrained.",
        summary="Mrs Smith's medication missed.",
        **kwargs,
    )


def test_a_contract_is_not_due_on_the_last_day_of_its_six_years(contract_rule):
    ContractFactory(end_date=END, status=Contract.Status.EXPIRED)

    assert retention_due(today=SIX_YEARS_AFTER) == []


def test_a_contract_is_due_the_day_after_six_years_from_its_end(contract_rule):
    contract = ContractFactory(end_date=END, status=Contract.Status.EXPIRED)

    [item] = retention_due(today=DAY_AFTER)

    assert (item.record_type, item.object_id, item.action) == ("contracts.contract", contract.pk, "delete")
    assert (item.trigger_date, item.due_date, item.held) == (END, DAY_AFTER, False)


def test_a_terminated_contract_counts_from_its_termination(contract_rule):
    ContractFactory(end_date=END, terminated_on=datetime.date(2018, 6, 30), status=Contract.Status.TERMINATED)

    [item] = retention_due(today=datetime.date(2024, 7, 1))

    assert item.due_date == datetime.date(2024, 7, 1)


def test_dry_run_lists_exactly_the_schedule_and_changes_nothing(contract_rule, concern_rule):
    due_contract = ContractFactory(end_date=END)
    ContractFactory(end_date=datetime.date(2019, 4, 1))  # due 2 April 2025
    ContractFactory(end_date=datetime.date(2017, 3, 31), status=Contract.Status.PIPELINE)  # never ended
    concern = _closed_concern(datetime.date(2019, 3, 31))
    ConcernFactory(raised_on=datetime.date(2010, 1, 1))  # open: never due
    VisitFactory(visited_on=datetime.date(2010, 1, 1))  # no rule for visits

    summary = retention_apply(today=DAY_AFTER, dry_run=True)

    assert {(i.record_type, i.object_id) for i in summary.due} == {
        ("contracts.contract", due_contract.pk),
        ("oversight.concern", concern.pk),
    }
    assert summary.applied_total == 2
    assert Contract.objects.filter(pk=due_contract.pk).exists()
    assert Concern.objects.get(pk=concern.pk).summary == "Mrs Smith's medication missed."
    assert not DisposalRecord.objects.exists()


def test_run_applies_what_is_due_and_a_second_run_does_nothing(contract_rule, concern_rule):
    contract = ContractFactory(end_date=END)
    ContractChangeFactory(contract=contract)
    kept = ContractFactory(end_date=datetime.date(2019, 4, 1))
    concern = _closed_concern(datetime.date(2019, 3, 31))

    first = retention_apply(today=DAY_AFTER, dry_run=False)
    second = retention_apply(today=DAY_AFTER, dry_run=False)

    assert dict(first.applied) == {"contracts.contract": 1, "oversight.concern": 1}
    assert second.due == []
    assert second.applied_total == 0
    assert list(Contract.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not ContractChange.objects.exists()
    assert not Contract.history.filter(id=contract.pk).exists()
    concern.refresh_from_db()
    assert (concern.summary, concern.outcome) == (ANONYMISED_TEXT, "")
    assert not concern.history.filter(summary__contains="Smith").exists()
    assert set(DisposalRecord.objects.values_list("record_type", "object_id", "action", "applied_by")) == {
        ("contracts.contract", contract.pk, "delete", None),
        ("oversight.concern", concern.pk, "anonymise", None),
    }


def test_a_visit_is_anonymised_six_years_after_it(administrator):
    _rule("oversight.visit", "visit_date", "anonymise")
    visit = VisitFactory(visited_on=datetime.date(2018, 9, 12), findings="Mr Jones was unwashed.")

    assert retention_apply(today=datetime.date(2024, 9, 12), dry_run=False).applied_total == 0
    retention_apply(today=datetime.date(2024, 9, 13), by=administrator, dry_run=False)

    visit.refresh_from_db()
    assert visit.findings == ANONYMISED_TEXT
    assert DisposalRecord.objects.get().applied_by == administrator


def test_a_legal_hold_stops_disposal_of_the_record_and_its_children(administrator, contract_rule, concern_rule):
    contract = ContractFactory(end_date=END)
    concern_under_it = _closed_concern(datetime.date(2018, 1, 1), contract=contract)
    other = _closed_concern(datetime.date(2018, 1, 1))
    hold = legal_hold_place(
        record_type="contracts.contract", object_id=contract.pk, reason="Claim by the provider", by=administrator
    )

    summary = retention_apply(today=DAY_AFTER, dry_run=False)

    assert dict(summary.held) == {"contracts.contract": 1, "oversight.concern": 1}
    assert Contract.objects.filter(pk=contract.pk).exists()
    assert Concern.objects.get(pk=concern_under_it.pk).summary == "Mrs Smith's medication missed."
    assert Concern.objects.get(pk=other.pk).summary == ANONYMISED_TEXT

    legal_hold_release(hold=hold, reason="Claim settled", by=administrator)
    released = retention_apply(today=DAY_AFTER, dry_run=False)

    assert dict(released.applied) == {"contracts.contract": 1, "oversight.concern": 1}
    assert not Contract.objects.filter(pk=contract.pk).exists()


def test_a_hold_on_a_contract_change_stops_deletion_of_its_contract(administrator, contract_rule):
    contract = ContractFactory(end_date=END)
    change = ContractChangeFactory(contract=contract)
    legal_hold_place(record_type="contracts.contractchange", object_id=change.pk, reason="Audit", by=administrator)

    [item] = retention_due(today=DAY_AFTER)
    retention_apply(today=DAY_AFTER, dry_run=False)

    assert item.held
    assert Contract.objects.filter(pk=contract.pk).exists()


def test_review_items_are_listed_but_never_applied():
    _rule("scrutiny.meeting", "meeting_date", "review")
    _rule("scrutiny.scrutinypack", "meeting_date", "review")
    meeting = MeetingFactory(date=datetime.date(2018, 9, 5))
    pack = PublishedScrutinyPackFactory(meeting=meeting)

    summary = retention_apply(today=datetime.date(2024, 9, 6), dry_run=False)

    assert {(i.record_type, i.object_id) for i in summary.due} == {
        ("scrutiny.meeting", meeting.pk),
        ("scrutiny.scrutinypack", pack.pk),
    }
    assert summary.applied_total == 0
    assert dict(summary.review) == {"scrutiny.meeting": 1, "scrutiny.scrutinypack": 1}
    assert not DisposalRecord.objects.exists()
    # Listed again on the next run: a person decides.
    assert len(retention_due(today=datetime.date(2024, 9, 6))) == 2


def test_applies_in_batches(concern_rule):
    _closed_concern(datetime.date(2018, 1, 1))
    for _ in range(4):
        _closed_concern(datetime.date(2018, 1, 1))

    summary = retention_apply(today=DAY_AFTER, dry_run=False, batch_size=2)

    assert summary.batches == 3
    assert summary.applied_total == 5
    assert Concern.objects.filter(summary=ANONYMISED_TEXT).count() == 5


def test_a_rule_names_the_field_at_fault(administrator):
    with pytest.raises(ValidationError) as error:
        retention_rule_save(
            by=administrator, record_type="scrutiny.scrutinypack", period_years=0, trigger="closure", action="delete"
        )

    assert set(error.value.message_dict) == {"period_years", "trigger", "action"}


def test_only_one_rule_per_record_type(administrator, contract_rule):
    with pytest.raises(ValidationError) as error:
        retention_rule_save(
            by=administrator,
            record_type="contracts.contract",
            period_years=12,
            trigger="contract_end",
            action="delete",
        )

    assert "record_type" in error.value.message_dict


def test_a_contract_officer_may_not_change_the_schedule(contract_officer):
    with pytest.raises(PermissionDenied):
        retention_rule_save(
            by=contract_officer,
            record_type="contracts.contract",
            period_years=6,
            trigger="contract_end",
            action="delete",
        )


def test_a_hold_needs_a_reason_and_a_real_record(administrator):
    contract = ContractFactory()
    with pytest.raises(ValidationError) as no_reason:
        legal_hold_place(record_type="contracts.contract", object_id=contract.pk, reason=" ", by=administrator)
    with pytest.raises(ValidationError) as no_record:
        legal_hold_place(record_type="contracts.contract", object_id=contract.pk + 99, reason="x", by=administrator)
    hold = legal_hold_place(record_type="contracts.contract", object_id=contract.pk, reason="x", by=administrator)
    with pytest.raises(ValidationError) as no_release_reason:
        legal_hold_release(hold=hold, reason="", by=administrator)

    assert "reason" in no_reason.value.message_dict
    assert "object_id" in no_record.value.message_dict
    assert "release_reason" in no_release_reason.value.message_dict
    assert LegalHold.objects.in_force().count() == 1


def test_a_disposal_record_is_never_changed(contract_rule):
    ContractFactory(end_date=END)
    retention_apply(today=DAY_AFTER, dry_run=False)
    record = DisposalRecord.objects.get()

    with pytest.raises(ValueError, match="never changed"):
        record.save()
    with pytest.raises(ValueError, match="never deleted"):
        record.delete()


def test_command_prints_the_list_then_what_was_done(contract_rule):
    contract = ContractFactory(end_date=END, reference="CON-RET-1")
    out = StringIO()

    call_command("apply_retention", "--dry-run", "--today", "2025-04-01", stdout=out)
    assert "CON-RET-1" in out.getvalue()
    assert "Would apply: 1" in out.getvalue()
    assert Contract.objects.filter(pk=contract.pk).exists()

    out = StringIO()
    call_command("apply_retention", "--today", "2025-04-01", "--type", "contracts.contract", stdout=out)
    assert "Applied: 1" in out.getvalue()
    assert not Contract.objects.filter(pk=contract.pk).exists()


def test_the_daily_task_applies_deletions_and_anonymisations_once_turned_on(concern_rule, settings):
    _closed_concern(datetime.date(2010, 1, 1))
    _rule("scrutiny.meeting", "meeting_date", "review")
    MeetingFactory(date=datetime.date(2010, 1, 1))

    settings.RETENTION_APPLY_AUTOMATICALLY = True
    assert apply_retention_daily.delay().get() == 1
    assert DisposalRecord.objects.get().action == "anonymise"


def test_the_daily_task_disposes_of_nothing_until_the_council_turns_it_on(concern_rule, settings):
    concern = _closed_concern(datetime.date(2010, 1, 1))

    settings.RETENTION_APPLY_AUTOMATICALLY = False
    assert apply_retention_daily.delay().get() == 0
    assert not DisposalRecord.objects.exists()
    concern.refresh_from_db()
    assert concern.summary == "Mrs Smith's medication missed."


def test_the_task_is_on_the_beat():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["records-apply-retention"]
    assert entry["task"] == "records.tasks.apply_retention_daily"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("records:retention", []),
        ("records:retention_due", []),
        ("records:retention_rule_edit", ["contracts.contract"]),
        ("records:holds", []),
        ("records:hold_place", []),
    ],
)
def test_a_contract_officer_is_refused_the_pages(client_as_officer, name, args):
    assert client_as_officer.get(reverse(name, args=args)).status_code == 403


def test_a_contract_officer_is_refused_releasing_a_hold(client_as_officer, administrator):
    hold = legal_hold_place(
        record_type="contracts.contract", object_id=ContractFactory().pk, reason="x", by=administrator
    )
    url = reverse("records:hold_release", args=[hold.pk])
    assert client_as_officer.post(url, {"release_reason": "y"}).status_code == 403
    assert LegalHold.objects.in_force().count() == 1


def test_administrator_pages_answer(client_as_admin, contract_rule):
    for url in (
        reverse("records:retention"),
        reverse("records:holds"),
        reverse("records:hold_place"),
        reverse("records:retention_rule_edit", args=["oversight.visit"]),
    ):
        assert client_as_admin.get(url).status_code == 200


def test_administrator_changes_a_rule_on_its_page(client_as_admin, contract_rule):
    url = reverse("records:retention_rule_edit", args=["contracts.contract"])
    response = client_as_admin.post(
        url, {"period_years": "12", "trigger": "contract_end", "action": "delete", "note": "Deed", "active": "on"}
    )

    assert response.status_code == 302
    contract_rule.refresh_from_db()
    assert contract_rule.period_years == 12


def test_administrator_places_and_releases_a_hold_on_the_pages(client_as_admin):
    contract = ContractFactory()
    response = client_as_admin.post(
        reverse("records:hold_place"),
        {
            "record_type": "contracts.contract",
            "object_id": contract.pk,
            "reason": "Claim",
            "placed_on_0": "1",
            "placed_on_1": "4",
            "placed_on_2": "2025",
        },
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.placed_on == datetime.date(2025, 4, 1)

    response = client_as_admin.post(
        reverse("records:hold_release", args=[hold.pk]),
        {"release_reason": "Settled", "released_on_0": "2", "released_on_1": "4", "released_on_2": "2025"},
    )
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.released_on == datetime.date(2025, 4, 2)


def test_the_due_page_counts_per_type_and_downloads_csv(client_as_admin, contract_rule, concern_rule):
    ContractFactory(end_date=datetime.date(2017, 3, 31), reference="CON-OLD")
    _closed_concern(datetime.date(2010, 1, 1))

    page = client_as_admin.get(reverse("records:retention_due"))
    csv_response = client_as_admin.get(reverse("records:retention_due") + "?format=csv")

    assert page.status_code == 200
    assert [(row["record_type"], row["due"]) for row in page.context["counts"]] == [
        ("contracts.contract", 1),
        ("oversight.concern", 1),
    ]
    lines = csv_response.content.decode().strip().splitlines()
    assert len(lines) == 3
    assert "CON-OLD" in lines[1]


def test_the_due_page_runs_constant_queries(
    client_as_admin, contract_rule, concern_rule, django_assert_max_num_queries
):
    def build(n):
        for _ in range(n):
            ContractFactory(end_date=datetime.date(2017, 3, 31))
            _closed_concern(datetime.date(2010, 1, 1))

    build(2)
    client_as_admin.get(reverse("records:retention_due"))  # the first request also loads the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client_as_admin.get(reverse("records:retention_due"))
    build(20)
    with CaptureQueriesContext(connection) as many:
        response = client_as_admin.get(reverse("records:retention_due"))
    # 44 due, shown 25 a page, every one counted in the totals.
    assert len(response.context["items"]) == 25
    assert response.context["page_obj"].paginator.count == 44
    assert sum(row["due"] for row in response.context["counts"]) == 44
    assert len(many.captured_queries) == len(few.captured_queries)
