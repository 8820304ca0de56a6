"""Issue 14, contract performance notices: with a contract's annual assessment complete (its three KPIs rated
for the year, each with the supplier's return attached as evidence), one contract officer drafts the notice; a
second officer approves it (the regulation 39 content is fixed) and publishes it; the published notice says it
can no longer change and offers no more changes, and its Central Digital Platform identifier is recorded once."""

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, assert_no_csp_violations, log_in

pytestmark = pytest.mark.e2e

# A contract under the Act in the officers' directorate with an assessment completed, made in the served app's
# database: the KPIs, results and evidence are what the other journeys (and oversight.performance) enter.
MAKE_ASSESSED = """
from datetime import date
from decimal import Decimal
from django.contrib.contenttypes.models import ContentType
from commissioning.models import Directorate, Document, User
from contracts.models import Contract
from oversight.models import ContractKpi, KpiResult, PerformanceAssessment
officer = User.objects.get(username="officer")
contract, _ = Contract.objects.get_or_create(
    reference="E2E-UK9-1",
    defaults=dict(
        title="Reablement service (notice journey)",
        directorate=officer.directorate or Directorate.objects.order_by("pk").first(),
        lead_provider_id=Contract.objects.exclude(lead_provider=None).values_list("lead_provider", flat=True).first(),
        category=Contract.Category.STRATEGIC,
        contract_type=Contract.ContractType.BLOCK,
        status=Contract.Status.LIVE,
        regime=Contract.Regime.PROCUREMENT_ACT_2023,
        estimated_value=Decimal("6500000"),
        total_value=Decimal("6500000"),
        annual_value=Decimal("1300000"),
        start_date=date(2025, 4, 1),
        end_date=date(2030, 3, 31),
    ),
)
for position, (name, value, rating) in enumerate(
    [("Visits on time", "97", "good"), ("Reablement goals met", "88", "approaching_target"),
     ("Complaints resolved in 20 days", "99", "good")]
):
    kpi, _ = ContractKpi.objects.get_or_create(
        contract=contract, name=name,
        defaults=dict(measure=name, unit="%", target=Decimal("90"), frequency="annually", position=position,
                      frozen_on=date(2025, 4, 1)),
    )
    result, _ = KpiResult.objects.get_or_create(
        kpi=kpi, period_start=date(2025, 4, 1),
        defaults=dict(period_end=date(2026, 3, 31), value=Decimal(value), suggested_rating=rating, rating=rating,
                      recorded_by=officer),
    )
    Document.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(KpiResult), object_id=result.pk,
        defaults=dict(file="documents/e2e-return.pdf", title="Supplier return 2025/26",
                      original_filename="return.pdf", mime_type="application/pdf", size=10, sha256="0" * 64,
                      uploaded_by=officer),
    )
assessment, _ = PerformanceAssessment.objects.get_or_create(
    contract=contract, period_start=date(2025, 4, 1),
    defaults=dict(period_end=date(2026, 3, 31), due_on=date(2026, 4, 30), status="complete",
                  assessed_on=date(2026, 4, 15), assessed_by=officer, summary="Good overall."),
)
print(assessment.pk)
"""


def make_assessed(env: dict) -> int:
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "shell", "-c", MAKE_ASSESSED], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.strip().splitlines()[-1])


def test_an_officer_drafts_a_second_approves_and_publishes_and_it_can_no_longer_change(new_page, e2e_env, live_app):
    assessment = make_assessed(e2e_env)

    author = new_page()
    log_in(author, "officer")
    author.goto(f"/oversight/assessments/{assessment}/notice/new/")
    expect(author.get_by_role("heading", level=1)).to_have_text("Draft a contract performance notice")
    author.get_by_role("button", name="Draft the notice").click()
    expect(author.locator(".govuk-notification-banner--success")).to_contain_text("notice drafted")
    notice_url = author.url
    expect(author.get_by_text("Reablement goals met")).to_be_visible()
    # The author may not approve their own notice: the service says so on the page.
    author.get_by_role("link", name="Approve").click()
    author.get_by_role("button", name="Approve the notice").click()
    expect(author.locator(".govuk-error-summary")).to_contain_text("another officer must approve")

    approver = new_page()
    log_in(approver, "officer.lee")
    approver.goto(notice_url)
    approver.get_by_role("link", name="Approve").click()
    approver.get_by_role("button", name="Approve the notice").click()
    expect(approver.locator(".govuk-notification-banner--success")).to_contain_text("its content is now fixed")
    approver.get_by_role("link", name="Publish").click()
    approver.get_by_role("button", name="Publish the notice").click()
    expect(approver.locator(".govuk-notification-banner--success")).to_contain_text("can no longer change")

    expect(approver.locator("#notice-fixed")).to_contain_text("A published notice can no longer change")
    expect(approver.get_by_role("link", name="Approve")).to_have_count(0)
    expect(approver.get_by_role("link", name="Publish")).to_have_count(0)
    row = approver.get_by_role("row", name="Reablement goals met")
    expect(row).to_contain_text("Approaching target")

    approver.get_by_role("link", name="Record the Central Digital Platform identifier").click()
    approver.get_by_label("Central Digital Platform notice identifier").fill("UK9-E2E-0001")
    approver.get_by_role("button", name="Record identifier").click()
    expect(approver.locator(".govuk-summary-list").first).to_contain_text("UK9-E2E-0001")
    expect(approver.get_by_role("link", name="Record the Central Digital Platform identifier")).to_have_count(0)

    # Publishing again is refused: the notice is fixed.
    approver.goto(notice_url.rstrip("/") + "/publish/")
    approver.get_by_role("button", name="Publish the notice").click()
    expect(approver.locator(".govuk-error-summary")).to_contain_text("can no longer change")

    approver.goto("/oversight/notices/")
    expect(approver.locator("#notices-published")).to_contain_text("E2E-UK9-1")
    assert_no_csp_violations(new_page)
