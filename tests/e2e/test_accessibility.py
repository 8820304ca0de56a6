"""axe-core (WCAG 2.2 AA rules) on every main page, as the role that uses it: zero serious or critical
violations. Detail pages are reached by following the first matching link on their list page, so the test
needs no knowledge of the demo data's primary keys. Forms are also checked showing their errors."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from . import axe
from .conftest import ARTIFACTS, CSP_MARKERS, PASSWORD, fill_date

pytestmark = pytest.mark.e2e


def follow(list_path: str, href: str, within: str = "main") -> Callable[[Page], None]:
    """Open ``list_path`` and then the first link in it whose href matches the regular expression ``href``."""

    def go(page: Page) -> None:
        page.goto(list_path)
        links = page.locator(f"{within} a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
        matching = [link for link in links if link and re.fullmatch(href + r"(\?.*)?", link)]
        assert matching, f"No link matching {href} on {list_path}"
        page.goto(matching[0])

    return go


def draft_report(page: Page) -> None:
    """The Carers draft highlight report of the demo data (Q4 2018/19); no journey uses it, so the checks
    below may leave it changed (a section emptied)."""
    page.goto("/strategies/")
    page.locator("main").get_by_role("link", name="Carers", exact=True).click()
    page.get_by_role("link", name="Q4 2018/19").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Carers highlight report")


def editor(page: Page) -> None:
    draft_report(page)
    page.get_by_role("link", name="Edit report").click()


def editor_with_errors(page: Page) -> None:
    editor(page)
    page.get_by_role("radio", name="Amber").check()
    page.get_by_label("Supporting comment if Red or Amber").fill("")
    fill_date(page, "Report date", 31, 2, 2019)
    page.get_by_role("button", name="Save report").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def approved_report(then: str = "") -> Callable[[Page], None]:
    def go(page: Page) -> None:
        page.goto("/strategies/")
        page.locator("main").get_by_role("link", name="Safeguarding Adults", exact=True).click()
        page.get_by_role("link", name="Q3 2018/19").click()
        if then:
            page.get_by_role("link", name=then).click()

    return go


def results_grid(page: Page) -> None:
    follow("/performance/", r"/performance/strategies/\d+/")(page)
    follow(page.url, r"/performance/strategies/\d+/results/\d{4}-Q\d/")(page)


def with_errors(path: str, button: str) -> Callable[[Page], None]:
    """Open a form and send it empty, to check the page that shows the errors."""

    def go(page: Page) -> None:
        page.goto(path)
        page.locator("main").get_by_role("button", name=button).click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    return go


def provider_link(link: str) -> Callable[[Page], None]:
    def go(page: Page) -> None:
        follow("/providers/", r"/providers/\d+/")(page)
        page.locator("main").get_by_role("link", name=link).click()

    return go


def provider_form_with_errors(link: str, button: str) -> Callable[[Page], None]:
    """A provider's visit or concern form, sent empty."""

    def go(page: Page) -> None:
        follow("/providers/", r"/providers/\d+/")(page)
        page.locator("main").get_by_role("link", name=link).click()
        page.locator("main").get_by_role("button", name=button).click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    return go


def meeting_form_with_errors(link: str, button: str) -> Callable[[Page], None]:
    """A form reached from the July meeting of the adult care committee, sent empty."""

    def go(page: Page) -> None:
        page.goto("/scrutiny/committees/1/")
        page.get_by_role("link", name="10 July 2019").click()
        page.locator("main").get_by_role("link", name=link).click()
        for textarea in page.locator("main textarea").all():
            textarea.fill("")
        for text_input in page.locator("main input[type=text]").all():
            text_input.fill("")
        page.locator("main").get_by_role("button", name=button).click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    return go


def published_pack(page: Page) -> None:
    """The seed pack the demo data publishes for the Board's meeting of 30 May 2019: its page lists the
    published revisions (and, for an administrator, offers to start the next)."""
    page.goto("/scrutiny/")
    page.locator("main").get_by_role("link", name="Overview and Scrutiny Management Board", exact=True).click()
    page.get_by_role("link", name="30 May 2019").click()
    page.locator("main").get_by_role("link", name="Commissioning Strategies", exact=True).click()
    expect(page.get_by_role("table", name="Published revisions")).to_be_visible()


def revision_on_screen(page: Page) -> None:
    """The seed pack's published revision read on screen: its HTML copy marked with the PDF's pages."""
    published_pack(page)
    page.locator("main").get_by_role("link", name=re.compile("Read on screen")).first.click()
    expect(page.locator("#page-1")).to_be_attached()


def exempt_item_form(with_errors: bool = False) -> Callable[[Page], None]:
    """The exempt-item form of appendix 1 of the draft pack for the July meeting of the adult care committee
    (the demo's draft pack, which no journey publishes). With errors: a paragraph and a councillor chosen and
    nothing written, which the service refuses, so nothing is saved."""

    def go(page: Page) -> None:
        page.goto("/scrutiny/committees/1/")
        page.get_by_role("link", name="10 July 2019").click()
        draft_pack = "Commissioning Strategies – quarter 4 2018/19 highlight reports"
        page.locator("main").get_by_role("link", name=draft_pack, exact=True).click()
        page.locator("main").get_by_role("link", name="Mark appendix 1 as exempt").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Exempt item: appendix 1")
        if with_errors:
            page.get_by_label("Paragraph of Part 1 of Schedule 12A").select_option("3")
            page.get_by_role("group", name="Councillors excluded from the item").get_by_role("checkbox").first.check()
            page.locator("main").get_by_role("button", name="Save as an exempt item").click()
            expect(page.locator(".govuk-error-summary")).to_be_visible()

    return go


def board_meeting(page: Page) -> None:
    """The Board's meeting of 30 May 2019: its agenda (the seed's), with the pack built from it."""
    page.goto("/scrutiny/")
    page.locator("main").get_by_role("link", name="Overview and Scrutiny Management Board", exact=True).click()
    page.get_by_role("link", name="30 May 2019").click()
    expect(page.get_by_role("table", name="The meeting's agenda")).to_be_visible()


def supplement_form(with_errors: bool = False) -> Callable[[Page], None]:
    """The supplement form of the seed's published pack; with errors: sent empty, so nothing is saved."""

    def go(page: Page) -> None:
        published_pack(page)
        page.locator("main").get_by_role("link", name="Add a supplement").click()
        if with_errors:
            for box in page.locator("main input[type=checkbox]").all():
                box.uncheck()
            page.locator("main").get_by_role("button", name="Save supplement").click()
            expect(page.locator(".govuk-error-summary")).to_be_visible()

    return go


def submit_with_errors(page: Page) -> None:
    """A workflow move refused: submitting the Carers draft with a section left empty."""
    editor(page)
    page.get_by_label("Completed by").fill("")
    page.get_by_role("button", name="Save report").click()
    page.locator("main").get_by_role("link", name="Submit to the board").click()
    page.locator("main").get_by_role("button", name="Submit to the board").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def sign_in_with_errors(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("commissioner")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


COMMISSIONER, OFFICER, COUNCILLOR, ADMIN = "commissioner", "officer", "councillor", "admin"


def decision_edit_form(page: Page) -> None:
    """The edit form of the demo's decision I017457 (printed in the published pack: the form warns so)."""
    follow("/scrutiny/decisions/", r"/scrutiny/decisions/\d+/")(page)
    page.locator("main").get_by_role("link", name=re.compile("Edit decision")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit decision")


def then_open(suffix: str, list_path: str, href: str) -> Callable[[Page], None]:
    """Follow the first matching link of ``list_path`` and open ``suffix`` below the page reached."""

    def go(page: Page) -> None:
        follow(list_path, href)(page)
        page.goto(page.url.split("?")[0] + suffix)

    return go


def act_contract(*hrefs: str, suffix: str = "", button: str = "") -> Callable[[Page], None]:
    """The demo's contract under the Procurement Act 2023 (ACCW-0108), then each link matching ``hrefs`` in turn
    from the page reached, then ``suffix`` below the last page; with ``button``, that form sent empty."""

    def go(page: Page) -> None:
        follow("/contracts/?q=ACCW-0108", r"/contracts/\d+/")(page)
        for href in hrefs:
            follow(page.url, href)(page)
        if suffix:
            page.goto(page.url.split("?")[0] + suffix)
        if button:
            page.locator("main").get_by_role("button", name=button).click()
            expect(page.locator(".govuk-error-summary")).to_be_visible()

    return go


def breach_form_with_errors(page: Page) -> None:
    """The breach form of the demo's Act contract (the form asks which contract first), sent empty."""
    act_contract()(page)
    contract = re.search(r"/contracts/(\d+)/", page.url)
    assert contract, page.url
    with_errors(f"/oversight/breaches/new/?contract={contract.group(1)}", "Save breach")(page)


def somerset_plan(page: Page) -> None:
    """The demo's Somerset plan (seed 003): intentions by strategic theme on the council's cycle."""
    page.goto("/strategies/")
    page.locator("main").get_by_role("link", name=re.compile("Somerset adult social care")).first.click()
    page.goto(page.url.split("?")[0] + "plan/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


# Issue 13: imports, CQC files and alerts, open data.
HSCA_CHECK_FILE = (
    b"Location ID,Location Name,Location Latest Overall Rating,Publication Date,Location Postal Code,Provider Name\r\n"
    b"1-999000222,Quarry Lane Care Home (not ours),Good,01/06/2018,BA1 1AA,Quarry Lane Care Ltd\r\n"
)
HSCA_BAD_FILE = (
    b"Location ID,Location Name,Location Latest Overall Rating,Publication Date,Location Postal Code\r\n"
    b"1-999000333,Mill House,Excellent,01/06/2018,BA1 1AA\r\n"
)
CONTRACTS_BAD_FILE = (
    b"Reference,Service contracted,Directorate,Category,Type,Start date,End date\r\n"
    b"E2E-AXE-0001,Day opportunities,ACCW,Community based,Block,31/02/2019,31/03/2022\r\n"
)


def cqc_upload(content: bytes, shows: str) -> Callable[[Page], None]:
    """The CQC import page after checking a small HSCA extract (nothing saved): its outcome or its errors
    (``shows``: the heading the page must then show)."""

    def go(page: Page) -> None:
        page.goto("/providers/cqc-import/")
        page.get_by_role("radio", name="HSCA active locations").check()
        page.get_by_label("CQC file").set_input_files({"name": "hsca.csv", "mimeType": "text/csv", "buffer": content})
        page.get_by_role("checkbox", name=re.compile("^This is CQC's whole file")).uncheck()
        page.get_by_role("checkbox", name="Check the file only, do not save").check()
        page.locator("main").get_by_role("button", name="Upload and check").click()
        expect(page.locator("main")).to_contain_text(shows)

    return go


def contracts_import_with_errors(page: Page) -> None:
    """The contracts import page after a file with a bad row (nothing imported)."""
    page.goto("/contracts/import/")
    page.get_by_label("Contract register file").set_input_files(
        {"name": "contracts.csv", "mimeType": "text/csv", "buffer": CONTRACTS_BAD_FILE}
    )
    page.locator("main").get_by_role("button", name="Upload").click()
    expect(page.get_by_role("table", name="Problems in the file")).to_be_visible()


def import_job_with_errors(page: Page) -> None:
    """The page of the import job a file with a bad row leaves (reached from its error report's address)."""
    contracts_import_with_errors(page)
    link = page.get_by_role("link", name=re.compile("^Download every problem as a CSV file"))
    href = link.get_attribute("href") or ""
    assert href.endswith("errors.csv"), href
    page.goto(href.removesuffix("errors.csv"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of contracts.csv")


def contract_grading(page: Page) -> None:
    """A seed contract's grade history, reached from its page on the register."""
    follow("/contracts/?q=CUR-0001", r"/contracts/\d+/")(page)
    page.locator("main").get_by_role("link", name="Grading and returns").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


PAGES: list[tuple[str, str | None, str | Callable[[Page], None]]] = [
    ("sign-in", None, "/accounts/login/"),
    ("sign-in-errors", None, sign_in_with_errors),
    ("home-commissioner", COMMISSIONER, "/"),
    ("home-officer", OFFICER, "/"),
    ("home-councillor", COUNCILLOR, "/"),
    ("home-admin", ADMIN, "/"),
    # Strategies and highlight reports.
    ("strategy-list", COMMISSIONER, "/strategies/"),
    ("strategy-detail", COMMISSIONER, follow("/strategies/", r"/strategies/\d+/")),
    ("strategy-form-errors", COMMISSIONER, with_errors("/strategies/new/", "Save strategy")),
    ("report-draft", COMMISSIONER, draft_report),
    ("report-editor", COMMISSIONER, editor),
    ("report-editor-errors", COMMISSIONER, editor_with_errors),
    ("report-approved-councillor", COUNCILLOR, approved_report()),
    ("report-print", COUNCILLOR, approved_report("Print view")),
    ("report-history", COMMISSIONER, approved_report("Version history")),
    ("reports-this-quarter", COMMISSIONER, "/strategies/reports/this-quarter/?quarter=2018-Q4"),
    # Performance.
    ("performance-dashboard", COMMISSIONER, "/performance/"),
    ("strategy-performance", COMMISSIONER, follow("/performance/", r"/performance/strategies/\d+/")),
    ("results-grid", COMMISSIONER, results_grid),
    ("late-results", COMMISSIONER, "/performance/late/"),
    # Contracts and providers.
    ("contract-register", OFFICER, "/contracts/"),
    ("contract-detail", OFFICER, follow("/contracts/", r"/contracts/\d+/")),
    ("contracts-needs-decision", OFFICER, "/contracts/needs-decision/?within=18"),
    ("contract-statistics", OFFICER, "/oversight/statistics/"),
    ("visit-form", OFFICER, "/oversight/visits/new/"),
    ("visit-form-errors", OFFICER, provider_form_with_errors("Record a visit", "Save visit")),
    ("concern-form-errors", OFFICER, provider_form_with_errors("Record a concern", "Save concern")),
    ("risk-assessment-form", OFFICER, provider_link("New risk assessment")),
    ("provider-list", OFFICER, "/providers/"),
    ("provider-detail", OFFICER, follow("/providers/", r"/providers/\d+/")),
    ("provider-risk-overview", OFFICER, "/providers/risk/"),
    ("escalation", OFFICER, "/oversight/escalation/"),
    # Scrutiny.
    ("scrutiny-committees", COUNCILLOR, "/scrutiny/"),
    ("scrutiny-committee", COUNCILLOR, follow("/scrutiny/", r"/scrutiny/committees/\d+/")),
    ("scrutiny-meeting", COUNCILLOR, follow("/scrutiny/committees/1/", r"/scrutiny/meetings/\d+/")),
    ("scrutiny-pack", COUNCILLOR, follow("/scrutiny/archive/", r"/scrutiny/packs/\d+/")),
    ("scrutiny-archive", COUNCILLOR, "/scrutiny/archive/"),
    ("scrutiny-meeting-admin", ADMIN, follow("/scrutiny/committees/1/", r"/scrutiny/meetings/\d+/")),
    ("scrutiny-pack-admin", ADMIN, follow("/scrutiny/archive/", r"/scrutiny/packs/\d+/")),
    ("scrutiny-pack-revisions", COUNCILLOR, published_pack),
    ("scrutiny-pack-revisions-admin", ADMIN, published_pack),
    ("scrutiny-revision-html", COUNCILLOR, revision_on_screen),
    ("pack-form-errors", ADMIN, meeting_form_with_errors("Prepare a report pack", "Save pack")),
    ("exempt-item-form", ADMIN, exempt_item_form()),
    ("scrutiny-meeting-agenda", COUNCILLOR, board_meeting),
    ("scrutiny-meeting-agenda-admin", ADMIN, board_meeting),
    ("agenda-item-form-errors", ADMIN, meeting_form_with_errors("Add an agenda item", "Save agenda item")),
    ("supplement-form", ADMIN, supplement_form()),
    ("supplement-form-errors", ADMIN, supplement_form(with_errors=True)),
    ("exempt-item-form-errors", ADMIN, exempt_item_form(with_errors=True)),
    (
        "conclusion-form-errors",
        ADMIN,
        meeting_form_with_errors("Record the committee's conclusions", "Record conclusions"),
    ),
    # Decision records (the Executive reports packs carry).
    ("decision-list", COUNCILLOR, "/scrutiny/decisions/"),
    ("decision-detail", COUNCILLOR, follow("/scrutiny/decisions/", r"/scrutiny/decisions/\d+/")),
    ("decision-detail-commissioner", COMMISSIONER, follow("/scrutiny/decisions/", r"/scrutiny/decisions/\d+/")),
    ("decision-form", COMMISSIONER, "/scrutiny/decisions/new/"),
    ("decision-form-errors", COMMISSIONER, with_errors("/scrutiny/decisions/new/", "Save decision")),
    ("decision-edit-form", COMMISSIONER, decision_edit_form),
    # Committees and meetings, kept by democratic services.
    ("scrutiny-committee-admin", ADMIN, "/scrutiny/committees/1/"),
    ("committee-form", ADMIN, "/scrutiny/committees/new/"),
    ("committee-form-errors", ADMIN, with_errors("/scrutiny/committees/new/", "Save committee")),
    ("committee-edit-form", ADMIN, "/scrutiny/committees/1/edit/"),
    ("meeting-form", ADMIN, "/scrutiny/committees/1/meetings/new/"),
    ("meeting-form-errors", ADMIN, with_errors("/scrutiny/committees/1/meetings/new/", "Save meeting")),
    ("meeting-edit-form-errors", ADMIN, meeting_form_with_errors("Edit meeting", "Save meeting")),
    # Plans and decisions: the procurement work plan, the forward plan, two-stage scrutiny and recommendations,
    # commissioning plans on the council's cycle, and savings.
    ("procurement-work-plan", OFFICER, "/contracts/procurement/"),
    ("procurement-project", OFFICER, follow("/contracts/procurement/?stage=delivered", r"/contracts/procurement/\d+/")),
    ("procurement-project-form-errors", ADMIN, with_errors("/contracts/procurement/add/", "Save project")),
    (
        "procurement-project-stage",
        ADMIN,
        then_open("stage/", "/contracts/procurement/?stage=planned", r"/contracts/procurement/\d+/"),
    ),
    ("pipeline-notice", OFFICER, "/contracts/procurement/pipeline-notice/"),
    ("forward-plan", COUNCILLOR, "/scrutiny/forward-plan/"),
    (
        "forward-plan-entry",
        COUNCILLOR,
        follow("/scrutiny/forward-plan/?status=decided", r"/scrutiny/forward-plan/\d+/"),
    ),
    ("forward-plan-form-errors", ADMIN, with_errors("/scrutiny/forward-plan/new/", "Save entry")),
    ("recommendations", COUNCILLOR, "/scrutiny/recommendations/"),
    ("recommendation", COUNCILLOR, follow("/scrutiny/recommendations/", r"/scrutiny/recommendations/\d+/")),
    (
        "recommendation-respond-form",
        ADMIN,
        then_open("respond/", "/scrutiny/recommendations/?status=awaiting_response", r"/scrutiny/recommendations/\d+/"),
    ),
    ("recommendation-tracker", COUNCILLOR, "/scrutiny/committees/1/tracker/?quarter=2018-Q3"),
    ("recommendation-form-errors", ADMIN, with_errors("/scrutiny/recommendations/new/", "Save recommendation")),
    ("commissioning-plan", COUNCILLOR, somerset_plan),
    ("cycle-stages", ADMIN, "/strategies/cycle-stages/"),
    ("cycle-stage-form-errors", ADMIN, with_errors("/strategies/cycle-stages/add/", "Save stage")),
    ("savings", COMMISSIONER, "/strategies/savings/"),
    ("saving", OFFICER, follow("/strategies/savings/", r"/strategies/savings/\d+/")),
    ("saving-form-errors", ADMIN, with_errors("/strategies/savings/new/", "Save saving")),
    # Forms with errors elsewhere, and account pages.
    ("contract-form-errors", ADMIN, with_errors("/contracts/add/", "Save contract")),
    ("submit-form-errors", ADMIN, submit_with_errors),
    ("api-tokens", COMMISSIONER, "/account/tokens/"),
    ("search-results", COMMISSIONER, "/search/?q=carers"),
    ("search-results-councillor", COUNCILLOR, "/search/?q=carers"),
    # Issue 13: imports, CQC files and alerts, open data.
    ("cqc-import", OFFICER, "/providers/cqc-import/"),
    ("cqc-import-form-errors", OFFICER, with_errors("/providers/cqc-import/", "Upload and check")),
    ("cqc-import-dry-run", OFFICER, cqc_upload(HSCA_CHECK_FILE, "File checked: nothing saved")),
    ("cqc-import-file-errors", OFFICER, cqc_upload(HSCA_BAD_FILE, "The file has 1 error: nothing was imported")),
    ("cqc-alerts", OFFICER, "/providers/cqc-alerts/"),
    ("cqc-alerts-acknowledged", OFFICER, "/providers/cqc-alerts/?show=acknowledged"),
    ("contract-import", OFFICER, "/contracts/import/"),
    ("contract-import-errors", OFFICER, contracts_import_with_errors),
    ("import-job-errors", OFFICER, import_job_with_errors),
    ("open-data", OFFICER, "/open-data/"),
    # Issue 14: the Procurement Act 2023 duties, KPIs, results, assessments, notices, breaches, alerts, documents.
    ("act-contract", OFFICER, act_contract()),
    ("act-contract-performance", OFFICER, act_contract(r"/oversight/contracts/\d+/performance/")),
    (
        "act-kpi-add",
        ADMIN,
        act_contract(r"/oversight/contracts/\d+/performance/", r"/oversight/contracts/\d+/kpis/new/"),
    ),
    (
        "act-kpi-result",
        OFFICER,
        act_contract(r"/oversight/contracts/\d+/performance/", r"/oversight/kpis/results/\d+/"),
    ),
    (
        "act-kpi-result-add",
        ADMIN,
        act_contract(r"/oversight/contracts/\d+/performance/", r"/oversight/kpis/\d+/results/new/"),
    ),
    ("act-assessment", OFFICER, act_contract(r"/oversight/contracts/\d+/performance/", r"/oversight/assessments/\d+/")),
    ("act-contract-alerts", OFFICER, act_contract(r"/oversight/contracts/\d+/alerts/")),
    ("kpi-results-import", OFFICER, "/oversight/kpis/results/import/"),
    ("kpis-missing", OFFICER, "/oversight/kpis/missing/"),
    ("assessments-overdue", OFFICER, "/oversight/assessments/overdue/"),
    ("performance-notices", OFFICER, "/oversight/notices/"),
    ("performance-notice", OFFICER, follow("/oversight/notices/", r"/oversight/notices/\d+/")),
    ("breaches", OFFICER, "/oversight/breaches/"),
    ("breach-form-errors", ADMIN, breach_form_with_errors),
    ("my-alerts", OFFICER, "/oversight/alerts/"),
    ("alert-rule-form-errors", OFFICER, with_errors("/oversight/alerts/rules/new/", "Add alert")),
    ("contract-termination", ADMIN, then_open("termination/", "/contracts/?q=ACCW-0108", r"/contracts/\d+/")),
    ("contract-decision-past-end", ADMIN, follow("/contracts/needs-decision/?within=18", r"/contracts/\d+/decision/")),
    (
        "document-attach-errors",
        ADMIN,
        act_contract(button="Attach document"),
    ),
    # Provider market oversight (issue 15): risk methods, returns and grading, escalation governance, failure
    # cases, market indicators, quality frameworks and safeguarding.
    ("risk-methods", OFFICER, "/providers/risk-methods/"),
    ("risk-method", OFFICER, follow("/providers/risk-methods/", r"/providers/risk-methods/\d+/")),
    ("risk-method-new", ADMIN, "/providers/risk-methods/new/"),
    ("returns", OFFICER, "/oversight/returns/"),
    ("return-form", OFFICER, follow("/oversight/returns/", r"/oversight/returns/\d+/")),
    ("return-submitted", COMMISSIONER, follow("/oversight/returns/?all=1", r"/oversight/returns/\d+/")),
    ("contract-grading", OFFICER, contract_grading),
    ("returns-report", ADMIN, "/oversight/returns/report/"),
    ("escalation-new", OFFICER, "/oversight/escalation/new/"),
    ("escalation-detail", OFFICER, follow("/oversight/escalation/", r"/oversight/escalation/\d+/")),
    ("escalation-settings", ADMIN, "/oversight/escalation/settings/"),
    ("governance-meetings", OFFICER, "/oversight/governance/"),
    ("governance-meeting", OFFICER, follow("/oversight/governance/", r"/oversight/governance/\d+/")),
    ("causing-concern", OFFICER, "/oversight/governance/causing-concern/"),
    ("market", OFFICER, "/oversight/market/"),
    ("failure-cases", OFFICER, "/oversight/failure-cases/"),
    ("failure-case", OFFICER, follow("/oversight/failure-cases/", r"/oversight/failure-cases/\d+/")),
    ("market-indicators", OFFICER, "/oversight/market/indicators/?current=true"),
    ("quality-frameworks", OFFICER, "/oversight/quality-frameworks/"),
    ("quality-framework", OFFICER, follow("/oversight/quality-frameworks/", r"/oversight/quality-frameworks/\d+/")),
    ("safeguarding-concern", ADMIN, follow("/oversight/concerns/?kind=safeguarding", r"/oversight/concerns/\d+/$")),
    ("safeguarding-duty-rota", ADMIN, "/oversight/safeguarding/duty-rota/"),
    ("safeguarding-reads", ADMIN, "/oversight/safeguarding/reads/"),
    # Issue 20: records and data protection, and the public statements (read without signing in).
    ("accessibility-statement", None, "/accessibility/"),
    ("privacy-notice", None, "/privacy/"),
    ("accessibility-statement-edit", ADMIN, "/accessibility/edit/"),
    ("privacy-notice-edit", ADMIN, "/privacy/edit/"),
    ("retention-schedule", ADMIN, "/records/retention/"),
    ("retention-rule-edit", ADMIN, "/records/retention/contracts.contract/edit/"),
    ("retention-due", ADMIN, "/records/retention/due/"),
    ("legal-holds", ADMIN, "/records/holds/"),
    ("legal-hold-place", ADMIN, "/records/holds/place/"),
    ("subject-access", ADMIN, "/records/subject-access/"),
    ("redactions", ADMIN, "/records/redactions/"),
]


@pytest.fixture(scope="session")
def signed_in(browser, live_app):
    """One browser context per role, signed in once; the pages checked share it."""
    contexts = {}

    def get(role: str | None, phone: bool = False):
        if (role, phone) not in contexts:
            viewport = {"width": 375, "height": 667} if phone else {"width": 1280, "height": 900}
            context = browser.new_context(base_url=live_app, viewport=viewport, is_mobile=phone, has_touch=phone)
            context.set_default_timeout(15_000)
            if role:
                page = context.new_page()
                page.goto("/accounts/login/")
                page.get_by_label("Username").fill(role)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(lambda url: "/accounts/login/" not in url)
                page.close()
            contexts[role, phone] = context
        return contexts[role, phone]

    yield get
    for context in contexts.values():
        context.close()


# Officers log visits on site: their pages, and a few wide ones, are also checked at a phone's width.
ON_A_PHONE = {
    "home-officer",
    "contract-register",
    "provider-list",
    "provider-detail",
    "visit-form-errors",
    "concern-form-errors",
    "risk-assessment-form",
    "provider-risk-overview",
    "report-draft",
    "results-grid",
    "scrutiny-pack",
    "scrutiny-revision-html",
}
PHONE_PAGES = [spec for spec in PAGES if spec[0] in ON_A_PHONE]


@pytest.mark.parametrize(("name", "role", "target"), PAGES, ids=[name for name, _, _ in PAGES])
def test_page_has_no_serious_accessibility_violations(signed_in, name, role, target):
    check_page(signed_in(role), name, target)


@pytest.mark.parametrize(("name", "role", "target"), PHONE_PAGES, ids=[name for name, _, _ in PHONE_PAGES])
def test_page_on_a_phone_has_no_serious_accessibility_violations(signed_in, name, role, target):
    check_page(signed_in(role, phone=True), f"{name}-phone", target)


def check_page(context, name: str, target) -> None:
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if any(k in m.text for k in CSP_MARKERS) else None)
    try:
        if callable(target):
            target(page)
        else:
            response = page.goto(target)
            assert response.status == 200, f"{target} answered {response.status}"
        page.wait_for_load_state("load")
        found = axe.violations(page)
        if found:
            page.screenshot(path=str(ARTIFACTS / f"axe-{name}.png"), full_page=True)
        assert not found, f"axe found on {page.url}:\n" + axe.describe(name, found)
        assert not refused, f"The browser refused content under the CSP on {page.url}: {refused}"
    finally:
        page.close()


CHART_PAGES = [
    ("performance-dashboard", "/performance/"),
    ("strategy-performance", follow("/performance/", r"/performance/strategies/\d+/")),
]


@pytest.mark.parametrize(("name", "target"), CHART_PAGES, ids=[name for name, _ in CHART_PAGES])
def test_charts_have_a_name_a_description_and_the_data_as_a_table(signed_in, name, target):
    page = signed_in(COMMISSIONER).new_page()
    try:
        target(page) if callable(target) else page.goto(target)
        charts = page.locator("svg[role=img]")
        assert charts.count() > 0, f"{name} shows no chart"
        for index in range(charts.count()):
            chart = charts.nth(index)
            details = chart.evaluate(
                """(svg) => {
                    const ids = (attr) => (svg.getAttribute(attr) || "").split(/\\s+/).filter(Boolean);
                    const text = (list) => list.map((id) => document.getElementById(id)?.textContent || "")
                        .join(" ").trim();
                    const title = svg.querySelector(":scope > title");
                    const desc = svg.querySelector(":scope > desc");
                    const name = svg.getAttribute("aria-label") || text(ids("aria-labelledby"))
                        || (title ? title.textContent.trim() : "");
                    const description = svg.getAttribute("aria-description") || text(ids("aria-describedby"))
                        || (desc ? desc.textContent.trim() : "");
                    // The same numbers as a table, in the chart's own figure.
                    const figure = svg.closest("figure");
                    const table = figure ? figure.querySelector("table") : null;
                    return {name, description, table: table ? table.querySelectorAll("tbody tr").length : -1,
                            caption: table && table.caption ? table.caption.textContent.trim() : ""};
                }"""
            )
            where = f"{name} chart {index + 1}"
            assert details["name"], f"{where} has no accessible name"
            assert details["description"], f"{where} has no description"
            assert details["table"] > 0, f"{where} has no data table in its figure"
            assert details["caption"], f"{where}'s data table has no caption"
    finally:
        page.close()
