"""Issue 14, contract KPIs: a contract officer opens the performance page of a new contract under the
Procurement Act 2023 worth over £5 million, sees it flagged for missing KPIs, adds three, freezes them at award,
records last month's result below target, sees the rating suggested, overrides it with a reason, and sees
when the first assessment is due."""

import subprocess
import sys
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import Page, expect

from .conftest import ROOT, assert_no_csp_violations, log_in

pytestmark = pytest.mark.e2e

# A fresh contract in the officer's own directorate, made in the served app's database (the demo's Act
# contract already has its KPIs frozen).
MAKE_CONTRACT = """
from datetime import date
from decimal import Decimal
from commissioning.models import Directorate, User
from contracts.models import Contract
officer = User.objects.get(username="officer")
contract, _ = Contract.objects.get_or_create(
    reference="E2E-KPI-1",
    defaults=dict(
        title="Customer contact centre (journey)",
        directorate=officer.directorate or Directorate.objects.order_by("pk").first(),
        category=Contract.Category.STRATEGIC,
        contract_type=Contract.ContractType.BLOCK,
        regime=Contract.Regime.PROCUREMENT_ACT_2023,
        estimated_value=Decimal("7500000"),
        total_value=Decimal("7500000"),
        annual_value=Decimal("1500000"),
        start_date=date({start}),
        end_date=date({end}),
    ),
)
print(contract.pk)
"""


def make_contract(env: dict, start: date) -> int:
    code = MAKE_CONTRACT.format(
        start=f"{start.year}, {start.month}, {start.day}", end=f"{start.year + 5}, {start.month}, {start.day}"
    )
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.strip().splitlines()[-1])


def add_kpi(page: Page, pk: int, name: str, target: str) -> None:
    page.goto(f"/oversight/contracts/{pk}/kpis/new/")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("How it is measured").fill(f"{name}, from the supplier's monthly return")
    page.get_by_label("Unit").fill("%")
    page.get_by_label("Target", exact=True).fill(target)
    page.get_by_label("Tolerance (optional)").fill("2")
    page.get_by_role("radio", name="Monthly", exact=True).check()
    owner = page.locator("select[name=owner] option", has_text="Hallam").first.get_attribute("value")
    page.get_by_label("Owner").select_option(value=owner)
    page.get_by_role("button", name="Add KPI").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"KPI '{name}' added.")


def test_officer_sets_kpis_freezes_them_and_overrides_a_suggested_rating(new_page, e2e_env, live_app):
    today = timezone.localdate()
    pk = make_contract(e2e_env, date(today.year - 1, 4, 1))
    page = new_page()
    log_in(page, "officer")

    page.goto(f"/oversight/contracts/{pk}/performance/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Customer contact centre (journey)")
    expect(page.locator(".govuk-warning-text")).to_contain_text("at least 3 KPIs for this contract: it has 0")

    for name, target in (("Calls answered in 60 seconds", "95"), ("Complaints resolved in 10 days", "90"),
                         ("First-contact resolution", "80")):  # fmt: skip
        add_kpi(page, pk, name, target)
    expect(page.locator(".govuk-warning-text")).to_have_count(0)

    page.get_by_role("link", name="Freeze the KPIs at award").click()
    page.get_by_role("button", name="Freeze the KPIs").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("3 KPIs frozen.")
    expect(page.get_by_text("The KPIs were frozen at award")).to_be_visible()
    due = today + relativedelta(months=12)
    expect(page.locator("#next-assessment-due")).to_have_text(f"{due.day} {due:%B %Y}")

    # Last month's result, below target: 92 % against 95 % with a tolerance of 2.
    page.get_by_role("link", name="Record a result for Calls answered in 60 seconds").click()
    month_end = today.replace(day=1) - timedelta(days=1)
    page.get_by_label("Reporting period").select_option(
        label=f"1 {month_end:%B %Y} to {month_end.day} {month_end:%B %Y}"
    )
    page.get_by_label("Result").fill("92")
    page.get_by_role("button", name="Save result").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("rated Requires improvement")
    expect(page.locator("#suggested-rating")).to_have_text("Requires improvement")

    # Overridden with a reason: refused without one first.
    page.get_by_role("radio", name="Approaching target").check()
    page.get_by_role("button", name="Save rating").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("give the reason")
    page.get_by_role("radio", name="Approaching target").check()
    page.get_by_label("Reason for a rating different from the suggestion").fill(
        "A two-day telephony outage, the supplier's network provider's fault; service credits applied."
    )
    page.get_by_role("button", name="Save rating").click()
    expect(page.locator("#rating")).to_contain_text("Approaching target (overridden)")
    expect(page.locator("#suggested-rating")).to_have_text("Requires improvement")

    page.get_by_role("link", name="Back to the contract's performance").click()
    row = page.locator("tr", has_text="Calls answered in 60 seconds")
    expect(row).to_contain_text("overridden; suggested Requires improvement")
    expect(page.locator("#next-assessment-due")).to_have_text(f"{due.day} {due:%B %Y}")
    assert_no_csp_violations(new_page)
