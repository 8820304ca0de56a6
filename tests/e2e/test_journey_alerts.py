"""Issue 14, contract alerts: a contract officer opens My alerts, adds their own alert on a contract 60 days before
its end, the daily sweep runs, the alert is there to acknowledge, and once acknowledged it leaves the list; then
they attach the signed contract to the contract's record."""

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import ROOT, assert_no_csp_violations, log_in

pytestmark = pytest.mark.e2e

REFERENCE = "E2E-ALERT-1"
TITLE = "Community equipment service (alerts journey)"
# A live contract ending in 60 days, made in the served app's database.
MAKE_CONTRACT = """
from datetime import date
from decimal import Decimal
from commissioning.models import Directorate, User
from contracts.models import Contract
officer = User.objects.get(username="officer")
contract, _ = Contract.objects.update_or_create(
    reference="{reference}",
    defaults=dict(
        title="{title}",
        directorate=officer.directorate or Directorate.objects.order_by("pk").first(),
        category=Contract.Category.COMMUNITY,
        contract_type=Contract.ContractType.BLOCK,
        status=Contract.Status.LIVE,
        annual_value=Decimal("400000"),
        total_value=Decimal("1200000"),
        start_date=date(2024, 4, 1),
        end_date=date({end}),
    ),
)
print(contract.pk)
"""
SWEEP = "from oversight.alerts import contract_alerts_sweep; print(contract_alerts_sweep())"

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def shell(env: dict, code: str) -> str:
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_officer_adds_an_alert_sees_it_raised_acknowledges_it_and_attaches_a_document(
    new_page, e2e_env, live_app, tmp_path
):
    end = timezone.localdate() + timedelta(days=60)
    pk = int(
        shell(
            e2e_env, MAKE_CONTRACT.format(reference=REFERENCE, title=TITLE, end=f"{end.year}, {end.month}, {end.day}")
        )
    )
    page = new_page()
    log_in(page, "officer")

    page.goto("/oversight/alerts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My alerts")
    page.get_by_role("link", name="Add an alert").click()
    page.get_by_label("Contract", exact=True).select_option(label=f"{REFERENCE} {TITLE}")
    page.get_by_role("radio", name="End date", exact=True).check()
    page.get_by_label("How many days before").fill("60")
    page.get_by_label("Name (optional)").fill("Equipment service ending")
    page.get_by_role("button", name="Add alert").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Alert added: Equipment service ending")
    expect(page.locator("#own-alerts ~ .app-table-wrap")).to_contain_text("Equipment service ending")

    assert int(shell(e2e_env, SWEEP)) >= 1
    page.reload()
    row = page.locator("tr", has_text=REFERENCE).filter(has_text="Your own")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"{end.day} {end:%B %Y}")
    row.get_by_role("button", name=re.compile("^Acknowledge")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"alert on {REFERENCE}")
    expect(page.locator("tr", has_text=REFERENCE).filter(has_text="Your own")).to_have_count(0)

    # The contract's alerts page keeps it, acknowledged.
    page.goto(f"/oversight/contracts/{pk}/alerts/")
    expect(page.locator("tr", has_text="Your own")).to_contain_text("Acknowledged by")

    # The signed contract, attached to the contract's record and listed back on its page.
    signed = tmp_path / "signed-contract.pdf"
    signed.write_bytes(PDF)
    page.goto(f"/documents/attach/contracts/contract/{pk}/?next=/contracts/{pk}/")
    page.get_by_label("Title").fill("Signed contract")
    page.get_by_label("File").set_input_files(str(signed))
    page.get_by_role("button", name="Attach document").click()
    page.wait_for_url(re.compile(rf"/contracts/{pk}/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Document attached: Signed contract.")
    assert_no_csp_violations(new_page)
