"""Who gets what from every page and API endpoint: the INTENDED rules, written by hand.

Nothing here is read from ``commissioning.roles`` or from the views: each cell is what the role definitions
below say the answer should be. tests/security/test_permission_matrix.py asks every URL, as every actor, and
compares; tests/security/test_grants_are_needed.py checks that each permission a role group holds is needed
by some row here.

The actors
----------
- **anonymous**: pages send them to sign in (302 to the sign-in page, with ?next=); the API answers 401
  (token authentication comes first, so the API always challenges with WWW-Authenticate: Token). Public:
  sign-in, the health check, the API schema and its docs.
- **commissioner** (tied to directorate A): keeps commissioning strategies and their quarterly highlight reports
  (edits, starts and submits them), performance measures and results, pooled budgets, and records scrutiny
  conclusions. Changes only directorate A's strategies, reports, measures and results. Reads contracts,
  providers and oversight records (officer information) but does not change contracts or oversight records.
  Does not make or publish scrutiny packs, does not administer, does not record the board's, scrutiny's or
  the Executive's decisions on a report (those are recorded by administrators, for the board). Records and
  changes decision records (the decision maker's reports a pack carries), as administrators do.
- **other_commissioner** (tied to directorate B) acting on A's objects: reads them like any commissioner,
  changes none of them. Their column is filled only where the URL targets a directorate-owned object
  (strategy and its parts, highlight report, measure, measure result, contract, pooled budget); elsewhere it
  is ``NA`` (they are an ordinary commissioner there, and the commissioner's column says it).
- **contract_officer** (council-wide): manages contracts (changes, decisions, imports), providers, locations,
  CQC ratings, risk assessments and the oversight records (visits, concerns, sanctions, action plans,
  escalation); enters measure results; reads strategies and reports, drafts included. Does not change
  strategies, reports or measures, does not make or publish packs.
- **councillor** (scrutiny member, sits on the committee): reads strategies and highlight reports once they
  have gone to scrutiny (HighlightReport.objects.visible_to), published packs only, committees, meetings,
  conclusions, measures and results. Never the contract register, contract detail, providers, oversight
  records, imports, contract exports or the admin; never triggers a PDF render; never changes anything.
- **administrator**: may do everything (the Django admin included).

The answers
-----------
An allowed GET is 200 (a file download too). An allowed POST with an empty body shows the form again with
its errors (200), or is a button with no form of its own and redirects back with a message (302); the API
answers an incomplete write 400 (428 where it asks for the version first). A refusal is 403, or 404 where
the object's very existence is not the actor's to know (a draft report or a draft pack for someone who may
not see drafts). A refusal by role that comes before any look-up is 403 even for a draft: it answers the same
for an ID that does not exist, so it tells nothing.

Keys are URL names, with ``@target`` naming the object of the test world the URL points at (see
tests/security/world.py). A cell is an int, ``LOGIN`` / ``ADMIN_LOGIN`` (a redirect to sign in), a
``Redirect`` (302 to that page), or ``NA``.
"""

from __future__ import annotations

from dataclasses import dataclass

ANON = "anonymous"
COMMISSIONER = "commissioner"
OTHER_COMMISSIONER = "other_commissioner"
OFFICER = "contract_officer"
COUNCILLOR = "councillor"
ADMIN = "administrator"
ACTORS = (ANON, COMMISSIONER, OTHER_COMMISSIONER, OFFICER, COUNCILLOR, ADMIN)

GET, POST, PUT, PATCH, DELETE = "GET", "POST", "PUT", "PATCH", "DELETE"


@dataclass(frozen=True)
class SignIn:
    """302 to a sign-in page (``url_name``), carrying ?next= back to the page asked for."""

    url_name: str

    def __repr__(self) -> str:
        return f"302 to sign in ({self.url_name})"


@dataclass(frozen=True)
class Redirect:
    """302 to this page: ``url_name`` at ``target`` of the world, or (no target) for whichever object."""

    url_name: str
    target: str | None = None

    def __repr__(self) -> str:
        return f"302 to {self.url_name}" + (f"@{self.target}" if self.target else "")


LOGIN = SignIn("login")
ADMIN_LOGIN = SignIn("admin:login")
NA = None
# Redirects that several rows share.
TO_HOME = Redirect("home")
TO_SIGN_IN_PAGE = Redirect("login")  # after signing out: the sign-in page itself, no ?next=
TO_TOKENS = Redirect("tokens")
TO_NOTIFICATIONS = Redirect("notifications")

# fmt: off
# (key, methods, anonymous, commissioner, other_commissioner, contract_officer, councillor, administrator)
ROWS = [
    # --- The site itself --------------------------------------------------------------------------------------
    ("home",                     "GET",  LOGIN, 200, NA, 200, 200, 200),
    # The open-data landing page (the files themselves are the API's exports); public when OPEN_DATA_PUBLIC.
    ("opendata:landing",         "GET",  LOGIN, 200, NA, 200, 200, 200),
    # An import's progress and error report: its uploader's (and administrators'); not found for anyone else.
    ("commissioning:import_job@officer_import_job",        "GET", LOGIN, 404, NA, 200, 404, 200),
    ("commissioning:import_job_errors@officer_import_job", "GET", LOGIN, 404, NA, 200, 404, 200),
    ("healthz",                  "GET",  200, 200, NA, 200, 200, 200),
    ("healthz-live",             "GET",  200, 200, NA, 200, 200, 200),
    ("healthz-ready",            "GET",  200, 200, NA, 200, 200, 200),
    # Search: everyone signed in; what each finds is the models' visible_to (tests/search). A location result
    # goes to its provider's page, which councillors may not see.
    ("search:search",              "GET", LOGIN, 200, NA, 200, 200, 200),
    ("search:search@search_words", "GET", LOGIN, 200, NA, 200, 200, 200),
    ("search:go@search_location",  "GET", LOGIN, 302, NA, 302, 404, 302),
    ("api-search",                 "GET", 401, 400, NA, 400, 400, 400),  # no q: 400 naming q
    ("api-search@search_words",    "GET", 401, 200, NA, 200, 200, 200),
    ("login",                    "GET POST", 200, TO_HOME, NA, TO_HOME, TO_HOME, TO_HOME),
    ("logout",                   "GET",  LOGIN, 405, NA, 405, 405, 405),  # sign-out is a POST
    ("logout",                   "POST", LOGIN, TO_SIGN_IN_PAGE, NA, TO_SIGN_IN_PAGE, TO_SIGN_IN_PAGE, TO_SIGN_IN_PAGE),
    # Single sign-on: off in this table (no provider configured), so its pages are not found; tests/sso/ runs
    # them against a real provider.
    ("sso:start",                "GET",  404, 404, NA, 404, 404, 404),
    ("sso:callback",             "GET",  404, 404, NA, 404, 404, 404),
    ("admin:index",              "GET",  LOGIN, ADMIN_LOGIN, NA, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    # Stored files: each folder is read by those who may read what the files belong to.
    ("media@imported_file",      "GET",  LOGIN, 403, NA, 200, 403, 200),
    ("media@published_pack_file", "GET", LOGIN, 200, NA, 200, 200, 200),
    ("media@draft_pack_file",    "GET",  LOGIN, 404, NA, 404, 404, 200),
    ("media@published_revision_file", "GET", LOGIN, 200, NA, 200, 200, 200),
    ("media@exempt_document_file", "GET", LOGIN, 404, NA, 404, 404, 404),
    # Supplements are read through their own download (PackSupplement.visible_to), never as a media URL.
    ("media@published_supplement_file", "GET", LOGIN, 404, NA, 404, 404, 404),
    ("media@draft_supplement_file", "GET", LOGIN, 404, NA, 404, 404, 404),
    ("media@submitted_report_file", "GET", LOGIN, 200, 200, 200, 404, 200),
    ("media@draft_report_file",  "GET",  LOGIN, 200, 200, 200, 404, 200),
    # Everyone signed in keeps their own API token (it reads only what their role reads).
    ("tokens",                   "GET",  LOGIN, 200, NA, 200, 200, 200),
    ("token-create",             "POST", LOGIN, 200, NA, 200, 200, 200),
    ("token-revoke",             "POST", LOGIN, TO_TOKENS, NA, TO_TOKENS, TO_TOKENS, TO_TOKENS),
    # Each person's own notifications: someone else's is not found, whoever asks (not council data).
    ("notifications",            "GET",  LOGIN, 200, NA, 200, 200, 200),
    ("notifications-read-all",   "POST",
        LOGIN, TO_NOTIFICATIONS, NA, TO_NOTIFICATIONS, TO_NOTIFICATIONS, TO_NOTIFICATIONS),
    ("notification-read@commissioners_notification", "POST", LOGIN, TO_NOTIFICATIONS, NA, 404, 404, 404),
    # Documents attached to a record: for those who may read the record (reads are council-wide); for the
    # others not found.
    ("document-download@strategy_document", "GET", LOGIN, 200, 200, 200, 200, 200),
    ("document-download@contract_document", "GET", LOGIN, 200, 200, 200, 404, 200),
    ("document-download@visit_document",    "GET", LOGIN, 200, 200, 200, 404, 200),
    # Attaching and removing: for those who may change the record (a contract: its officers); councillors, who
    # may not read it, are not told it exists.
    ("document-attach@contract_record",  "GET POST", LOGIN, 403, 403, 200, 404, 200),
    ("document-remove@contract_document", "POST", LOGIN, 403, 403, Redirect("contracts:detail", "contract"), 404,
        Redirect("contracts:detail", "contract")),
    # A GET asks first (what is removed, from which record): the same rights as the removal itself.
    ("document-remove@contract_document", "GET", LOGIN, 403, 403, 200, 404, 200),
    # Second factor: for administrators. Nobody in the world has enrolled, so "verify" has nothing to ask.
    ("two_factor:manage",        "GET",  LOGIN, 403, NA, 403, 403, 200),
    ("two_factor:enrol",         "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("two_factor:verify",        "GET POST", LOGIN, TO_HOME, NA, TO_HOME, TO_HOME, TO_HOME),
    ("two_factor:remove",        "POST", LOGIN, 403, NA, 403, 403, Redirect("two_factor:manage")),
    ("two_factor:backup_codes",  "POST", LOGIN, 403, NA, 403, 403, 403),
    # The API's description is public: it describes the API, not the council's data.
    ("schema",                   "GET",  200, 200, NA, 200, 200, 200),
    ("api-docs",                 "GET",  200, 200, NA, 200, 200, 200),

    # --- Strategies -------------------------------------------------------------------------------------------
    ("strategies:list",          "GET",  LOGIN, 200, NA, 200, 200, 200),
    ("strategies:create",        "GET POST", LOGIN, 200, NA, 403, 403, 200),
    ("strategies:detail@strategy", "GET", LOGIN, 200, 200, 200, 200, 200),
    ("strategies:edit@strategy", "GET POST", LOGIN, 200, 403, 403, 403, 200),
    # A button on the strategy page: with no quarter chosen it starts the next one, and opens it to edit.
    ("strategies:start_next_report@strategy", "POST",
        LOGIN, Redirect("strategies:report_edit"), 403, 403, 403, Redirect("strategies:report_edit")),
    ("strategies:outcome_add@strategy",     "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("strategies:outcome_edit@outcome",     "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("strategies:intention_add@strategy",   "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("strategies:intention_edit@intention", "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("strategies:risk_add@strategy",        "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("strategies:risk_edit@risk",           "GET POST", LOGIN, 200, 403, 403, 403, 200),
    # Highlight reports: drafts are officers' working copies; councillors see a report once it has gone to
    # scrutiny (considered or approved, sent to a meeting, or printed in a published pack), not while it is with
    # the officers' board. A pack prints only reports the board has finished with (board reviewed or beyond),
    # so the world's published pack prints its board-reviewed report and councillors read that one; the
    # submitted report is still with the board and never printed: 404 for them, as for a draft.
    ("strategies:reports_this_quarter",     "GET", LOGIN, 200, NA, 200, 200, 200),
    ("strategies:report@draft_report",      "GET", LOGIN, 200, 200, 200, 404, 200),
    ("strategies:report@submitted_report",  "GET", LOGIN, 200, 200, 200, 404, 200),
    ("strategies:report@board_reviewed_report", "GET", LOGIN, 200, 200, 200, 200, 200),
    ("strategies:report_print@draft_report",     "GET", LOGIN, 200, 200, 200, 404, 200),
    ("strategies:report_print@submitted_report", "GET", LOGIN, 200, 200, 200, 404, 200),
    # The history of a report a councillor reads shows them its versions saved after it left draft, never a
    # draft one (those are officers' working copies: strategies.selectors.visible_versions).
    ("strategies:report_history@draft_report",     "GET", LOGIN, 200, 200, 200, 404, 200),
    ("strategies:report_history@submitted_report", "GET", LOGIN, 200, 200, 200, 404, 200),
    ("strategies:report_edit@draft_report",   "GET POST", LOGIN, 200, 403, 403, 404, 200),
    ("strategies:report_submit@draft_report", "GET POST", LOGIN, 200, 403, 403, 404, 200),
    # The board's, scrutiny's and the Executive's decisions are recorded by administrators.
    ("strategies:report_board_review@submitted_report",                "GET POST", LOGIN, 403, 403, 403, 404, 200),
    ("strategies:report_scrutiny_considered@board_reviewed_report",    "GET POST", LOGIN, 403, 403, 403, 403, 200),
    ("strategies:report_approve@scrutiny_considered_report",           "GET POST", LOGIN, 403, 403, 403, 403, 200),
    ("strategies:report_return@submitted_report",                      "GET POST", LOGIN, 403, 403, 403, 404, 200),

    # --- Contracts: officers' records, not for councillors -----------------------------------------------------
    ("contracts:list",            "GET", LOGIN, 200, NA, 200, 403, 200),
    ("contracts:export_csv",      "GET", LOGIN, 200, NA, 200, 403, 200),
    ("contracts:export_xlsx",     "GET", LOGIN, 200, NA, 200, 403, 200),
    ("contracts:needs_decision",  "GET", LOGIN, 200, NA, 200, 403, 200),
    # Commissioning plans (themes, "I" statements, intentions on the cycle) are read by everyone who reads the
    # strategy and kept by its directorate's commissioners; the cycle's stages are the administrator's. Savings
    # are read by every signed-in role and kept by the directorate's commissioners.
    ("strategies:plan@strategy",            "GET",      LOGIN, 200, 200, 200, 200, 200),
    ("strategies:plan_print@strategy",      "GET",      LOGIN, 200, 200, 200, 200, 200),
    ("strategies:theme_add@strategy",       "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("strategies:theme_edit@theme",         "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("strategies:statement_add@theme",      "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("strategies:statement_edit@statement", "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("strategies:cycle_stages",             "GET",      LOGIN, 200, NA, 200, 200, 200),
    ("strategies:cycle_stage_add",          "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("strategies:cycle_stage_edit@cycle_stage", "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("strategies:savings",                  "GET",      LOGIN, 200, NA, 200, 200, 200),
    ("strategies:savings_csv",              "GET",      LOGIN, 200, NA, 200, 200, 200),
    ("strategies:saving_add",               "GET POST", LOGIN, 200, NA, 403, 403, 200),
    ("strategies:saving@saving",            "GET",      LOGIN, 200, 200, 200, 200, 200),
    ("strategies:saving_edit@saving",       "GET POST", LOGIN, 200, 403, 403, 403, 200),
    # The procurement work plan: officers' information, kept by contract officers (the commercial team).
    ("contracts:procurement",                "GET", LOGIN, 200, NA, 200, 403, 200),
    ("contracts:procurement_export_csv",     "GET", LOGIN, 200, NA, 200, 403, 200),
    ("contracts:procurement_export_xlsx",    "GET", LOGIN, 200, NA, 200, 403, 200),
    ("contracts:pipeline_notice",            "GET", LOGIN, 200, NA, 200, 403, 200),
    ("contracts:pipeline_notice_csv",        "GET", LOGIN, 200, NA, 200, 403, 200),
    ("contracts:procurement_project_create", "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("contracts:procurement_project@procurementproject",       "GET", LOGIN, 200, 200, 200, 403, 200),
    ("contracts:procurement_project_edit@procurementproject",  "GET POST", LOGIN, 403, 403, 200, 403, 200),
    ("contracts:procurement_project_stage@procurementproject", "GET POST", LOGIN, 403, 403, 200, 403, 200),
    ("contracts:create",          "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("contracts:import",          "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("contracts:import_template", "GET", LOGIN, 403, NA, 200, 403, 200),
    ("contracts:detail@contract", "GET", LOGIN, 200, 200, 200, 403, 200),
    ("contracts:edit@contract",       "GET POST", LOGIN, 403, 403, 200, 403, 200),
    ("contracts:change_add@contract", "GET POST", LOGIN, 403, 403, 200, 403, 200),
    ("contracts:decision@contract",   "GET POST", LOGIN, 403, 403, 200, 403, 200),
    # A change's page (and its UK10 notice details); a termination (UK11 data).
    ("contracts:change@contractchange", "GET",  LOGIN, 200, 200, 200, 403, 200),
    ("contracts:change@contractchange", "POST", LOGIN, 403, 403, 200, 403, 200),
    ("contracts:termination@contract",  "GET POST", LOGIN, 403, 403, 200, 403, 200),

    # --- Oversight of providers -------------------------------------------------------------------------------
    ("oversight:visits",                      "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:visit_add@for_provider",      "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:concerns",                    "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:concern_add@for_provider",    "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:concern_close@concern",       "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:concern_sensitive@concern",   "POST", LOGIN, 403, NA, Redirect("oversight:concern", "concern"), 403,
        Redirect("oversight:concern", "concern")),
    ("oversight:sanctions",                   "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:sanction_add@for_provider",   "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:sanction_lift@sanction",      "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:action_plans",                "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:action_plan_add@for_provider", "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:action_plan@actionplan",      "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:action_add@actionplan",       "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:action_complete@planaction",  "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:escalation",                  "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:escalation_step_add@actionplan", "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:statistics",                  "GET", LOGIN, 200, NA, 200, 403, 200),
    # Procurement Act 2023: a contract's performance page, its KPIs, results and assessments.
    ("oversight:contract_performance@contract",   "GET", LOGIN, 200, 200, 200, 403, 200),
    ("oversight:kpi_add@contract",                "GET POST", LOGIN, 403, 403, 200, 403, 200),
    ("oversight:kpis_freeze@contract",            "GET POST", LOGIN, 403, 403, 200, 403, 200),
    ("oversight:assessment_start@contract",       "GET POST", LOGIN, 403, 403, 200, 403, 200),
    ("oversight:kpis_missing",                    "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:kpi_edit@contractkpi",            "GET POST", LOGIN, 403, 403, 200, 403, 200),
    ("oversight:kpi_result_add@contractkpi",      "GET POST", LOGIN, 403, 403, 200, 403, 200),
    ("oversight:kpi_result@kpiresult",            "GET", LOGIN, 200, 200, 200, 403, 200),
    ("oversight:kpi_result_rating@kpiresult",     "POST", LOGIN, 403, 403, 200, 403, 200),
    ("oversight:kpi_result_evidence@kpiresult",   "POST", LOGIN, 403, 403, 200, 403, 200),
    ("oversight:kpi_results_import",              "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:kpi_results_import_template",     "GET", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:assessments_overdue",             "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:assessment@performanceassessment", "GET", LOGIN, 200, 200, 200, 403, 200),
    ("oversight:assessment_complete@performanceassessment", "GET POST", LOGIN, 403, 403, 200, 403, 200),
    # Contract performance notices (UK9) and breaches: approving and publishing need the approve right, which
    # contract officers hold and commissioners do not; an author never approves their own (the world's notices
    # are the administrator's, so the officer may).
    ("oversight:performance_notices",                      "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:performance_notice@draft_notice",          "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:performance_notice_create@completed_assessment", "GET", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:performance_notice_create@completed_assessment", "POST", LOGIN, 403, NA,
        Redirect("oversight:performance_notice"), 403, Redirect("oversight:performance_notice")),
    ("oversight:performance_notice_approve@draft_notice",  "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:performance_notice_publish@approved_notice", "GET", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:performance_notice_publish@approved_notice", "POST", LOGIN, 403, NA,
        Redirect("oversight:performance_notice", "approved_notice"), 403,
        Redirect("oversight:performance_notice", "approved_notice")),
    ("oversight:performance_notice_cdp_id@published_notice", "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:breaches",                        "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:breach_add",                      "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:breach_consequence@breach",       "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:breach_notice_create@breach",     "GET", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:breach_notice_create@breach",     "POST", LOGIN, 403, NA, Redirect("oversight:performance_notice"), 403,
        Redirect("oversight:performance_notice")),
    # Alerts on contracts: each officer's own list and rules; acknowledging is for those it was sent to (and
    # administrators); another's rule is not found.
    ("oversight:alerts",                          "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:contract_alerts@contract",        "GET", LOGIN, 200, 200, 200, 403, 200),
    ("oversight:alert_acknowledge@contractalert", "POST", LOGIN, 403, NA, Redirect("oversight:alerts"), 403,
        Redirect("oversight:alerts")),
    ("oversight:alert_rule_add",                  "GET POST", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:alert_rule_delete@officer_alert_rule", "POST", LOGIN, 404, NA, Redirect("oversight:alerts"), 403, 404),

    # --- Providers --------------------------------------------------------------------------------------------
    ("providers:list",            "GET", LOGIN, 200, NA, 200, 403, 200),
    ("providers:detail@provider", "GET", LOGIN, 200, NA, 200, 403, 200),
    ("providers:assess@provider", "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("providers:risk_overview",   "GET", LOGIN, 200, NA, 200, 403, 200),
    ("providers:locations",       "GET", LOGIN, 200, NA, 200, 403, 200),
    # The older list of drops now sends readers to the falls to acknowledge.
    ("providers:rating_drops",    "GET", LOGIN, Redirect("providers:cqc_alerts"), NA, Redirect("providers:cqc_alerts"),
        403, Redirect("providers:cqc_alerts")),
    ("providers:cqc_import",      "GET POST", LOGIN, 403, NA, 200, 403, 200),
    # CQC rating falls: read by officers; acknowledged (a note is optional) by contract officers.
    ("providers:cqc_alerts",      "GET", LOGIN, 200, NA, 200, 403, 200),
    ("providers:cqc_alert_acknowledge@cqcratingalert", "POST",
        LOGIN, 403, NA, Redirect("providers:detail", "provider"), 403, Redirect("providers:detail", "provider")),

    # --- Performance ------------------------------------------------------------------------------------------
    ("dashboards:council",         "GET", LOGIN, 200, NA, 200, 200, 200),
    ("performance:late_results",   "GET", LOGIN, 200, NA, 200, 200, 200),
    ("performance:results_import", "GET POST", LOGIN, 200, NA, 200, 403, 200),
    ("performance:strategy@strategy",       "GET", LOGIN, 200, 200, 200, 200, 200),
    ("performance:measure_add@strategy",    "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("performance:measure_edit@measure",    "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("performance:results_grid@strategy_results", "GET", LOGIN, 200, 403, 200, 403, 200),
    # Every cell of the grid may be left empty: an empty grid saves nothing and goes back to the strategy.
    ("performance:results_grid@strategy_results", "POST",
        LOGIN, Redirect("performance:strategy", "strategy"), 403,
        Redirect("performance:strategy", "strategy"), 403, Redirect("performance:strategy", "strategy")),

    # --- Scrutiny ---------------------------------------------------------------------------------------------
    ("scrutiny:committees",          "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:committee@committee", "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:meeting@meeting",     "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:archive",             "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:conclusion_add@meeting", "GET POST", LOGIN, 200, NA, 403, 403, 200),
    # Committees and meetings are kept by democratic services (administrators); an empty form shows its errors.
    ("scrutiny:committee_create",             "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("scrutiny:committee_edit@committee",     "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("scrutiny:meeting_create@committee",     "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("scrutiny:meeting_edit@meeting",         "GET POST", LOGIN, 403, NA, 403, 403, 200),
    # Packs are made, rendered and published by administrators; until published only they see one.
    ("scrutiny:pack_create@meeting",     "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("scrutiny:pack@draft_pack",         "GET", LOGIN, 404, NA, 404, 404, 200),
    ("scrutiny:pack@published_pack",     "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:pack_edit@draft_pack",    "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("scrutiny:pack_status@draft_pack",  "GET", LOGIN, 404, NA, 404, 404, 200),
    ("scrutiny:pack_status@published_pack", "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:pack_download@draft_pack",   "GET", LOGIN, 404, NA, 404, 404, 200),
    ("scrutiny:pack_download@published_pack", "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:pack_render@draft_pack",  "POST", LOGIN, 403, NA, 403, 403, Redirect("scrutiny:pack", "draft_pack")),
    # Publishing asks first: what will happen and whom it e-mails (nothing is written until the second POST).
    ("scrutiny:pack_publish_confirm@draft_pack", "POST", LOGIN, 403, NA, 403, 403, 200),
    ("scrutiny:pack_publish@draft_pack", "POST", LOGIN, 403, NA, 403, 403, Redirect("scrutiny:pack", "draft_pack")),
    # A quick preview (parallel layout, untagged, never published) is asked for and read only by those who may
    # change the pack; with none laid out yet for the pack as it is, the download goes back to the pack's page.
    ("scrutiny:pack_preview@draft_pack", "POST", LOGIN, 403, NA, 403, 403, Redirect("scrutiny:pack", "draft_pack")),
    ("scrutiny:pack_preview_download@draft_pack", "GET", LOGIN, 403, NA, 403, 403,
        Redirect("scrutiny:pack", "draft_pack")),
    ("scrutiny:pack_preview_download@published_pack", "GET", LOGIN, 403, NA, 403, 403,
        Redirect("scrutiny:pack", "published_pack")),
    # A published pack changes only as its next revision, started by those who prepare packs; every published
    # revision stays readable by whoever reads the pack.
    ("scrutiny:pack_revise@published_pack", "POST", LOGIN, 403, NA, 403, 403,
        Redirect("scrutiny:pack", "published_pack")),
    ("scrutiny:revision_download@published_revision", "GET", LOGIN, 200, NA, 200, 200, 200),
    # The revision on screen (its HTML copy, marked with the PDF's pages): read by whoever reads the revision.
    ("scrutiny:revision_html@published_revision", "GET", LOGIN, 200, NA, 200, 200, 200),
    # Exempt items (Schedule 12A): recorded by those who prepare packs (a published pack's exemptions change only
    # in a revision, so the form shows that refusal); the restricted document is read by councillors not excluded
    # from the item and by administrators, never by officers (404: not theirs to know of), nor under /media/.
    ("scrutiny:appendix_exempt@published_appendix", "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("scrutiny:appendix_open@published_appendix", "POST", LOGIN, 403, NA, 403, 403,
        Redirect("scrutiny:pack", "published_pack")),
    ("scrutiny:exempt_download@exempt_document", "GET", LOGIN, 404, NA, 404, 200, 200),
    # Decision records (the Executive reports packs carry): recorded and changed by commissioners and
    # administrators, read by officers and councillors; an empty form shows its errors.
    ("scrutiny:decisions",                "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:decision@decision",        "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:decision_create",          "GET POST", LOGIN, 200, NA, 403, 403, 200),
    ("scrutiny:decision_edit@decision",   "GET POST", LOGIN, 200, NA, 403, 403, 200),
    # The forward plan of key decisions: published (read by every signed-in role), kept by commissioners (their
    # directorate's entries) and administrators; an empty form shows its errors.
    ("scrutiny:forward_plan",             "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:forward_plan_csv",         "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:forward_plan_xlsx",        "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:forward_plan_entry@forwardplanentry", "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:forward_plan_entry_create", "GET POST", LOGIN, 200, NA, 403, 403, 200),
    ("scrutiny:forward_plan_entry_edit@forwardplanentry", "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("scrutiny:forward_plan_entry_progress@forwardplanentry", "GET POST", LOGIN, 200, 403, 403, 403, 200),
    # Two-stage scrutiny: a report past the board goes to subject committees, the management board and the
    # decision maker, each stage's conclusions recorded by the report's directorate's commissioners and
    # administrators. Recommendations and the Executive's responses are public business, kept by the same
    # people; the quarterly tracker is read by everyone signed in.
    ("scrutiny:stage_add@board_reviewed_report",  "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("scrutiny:stage_conclude@stage",             "GET", LOGIN, 200, 403, 403, 403, 200),
    # The committee's conclusion at that meeting is already recorded: an empty form links it to the stage.
    ("scrutiny:stage_conclude@stage",             "POST", LOGIN,
        Redirect("strategies:report", "stage_report"), 403, 403, 403, Redirect("strategies:report", "stage_report")),
    ("scrutiny:recommendations",                  "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:recommendation@recommendation",    "GET", LOGIN, 200, 200, 200, 200, 200),
    ("scrutiny:recommendation_create",            "GET POST", LOGIN, 200, NA, 403, 403, 200),
    ("scrutiny:recommendation_edit@recommendation",    "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("scrutiny:recommendation_respond@recommendation", "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("scrutiny:recommendation_close@recommendation",   "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("scrutiny:recommendation_action_add@recommendation", "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("scrutiny:recommendation_action_edit@recommendation_action", "GET POST", LOGIN, 200, 403, 403, 403, 200),
    ("scrutiny:recommendation_action_complete@recommendation_action", "GET", LOGIN, 200, 403, 403, 403, 200),
    # Completing is a button: its empty POST completes the action and goes back to the recommendation.
    ("scrutiny:recommendation_action_complete@recommendation_action", "POST", LOGIN,
        Redirect("scrutiny:recommendation", "responded_recommendation"), 403, 403, 403,
        Redirect("scrutiny:recommendation", "responded_recommendation")),
    ("scrutiny:tracker@committee",                "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:tracker_csv@committee",            "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:tracker_pdf@committee",            "GET", LOGIN, 200, NA, 200, 200, 200),
    # A meeting's agenda is kept by those who prepare packs; supplements to a published pack (late items) are
    # made, rendered and published by them too, and read, once published, by whoever reads the pack.
    ("scrutiny:agenda_item_add@meeting",       "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("scrutiny:agenda_item_edit@agenda_item",  "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("scrutiny:agenda_item_remove@agenda_item", "POST",    LOGIN, 403, NA, 403, 403,
        Redirect("scrutiny:meeting", "meeting")),
    ("scrutiny:supplement_create@published_pack", "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("scrutiny:supplement@published_supplement",  "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:supplement@draft_supplement",      "GET", LOGIN, 404, NA, 404, 404, 200),
    ("scrutiny:supplement_edit@draft_supplement", "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("scrutiny:supplement_status@published_supplement", "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:supplement_status@draft_supplement",     "GET", LOGIN, 404, NA, 404, 404, 200),
    ("scrutiny:supplement_render@draft_supplement",  "POST", LOGIN, 403, NA, 403, 403,
        Redirect("scrutiny:supplement", "draft_supplement")),
    ("scrutiny:supplement_publish@draft_supplement", "POST", LOGIN, 403, NA, 403, 403,
        Redirect("scrutiny:supplement", "draft_supplement")),
    ("scrutiny:supplement_download@published_supplement", "GET", LOGIN, 200, NA, 200, 200, 200),
    ("scrutiny:supplement_download@draft_supplement",     "GET", LOGIN, 404, NA, 404, 404, 200),
    # A report's PDF: read as the report is read; rendered on request by officers, never by councillors.
    ("scrutiny:report_pdf@submitted_report", "GET", LOGIN, 200, 200, 200, 404, 200),
    ("scrutiny:report_pdf@submitted_report", "POST",
        LOGIN,
        Redirect("scrutiny:report_pdf", "submitted_report"),
        Redirect("scrutiny:report_pdf", "submitted_report"),
        Redirect("scrutiny:report_pdf", "submitted_report"),
        404,
        Redirect("scrutiny:report_pdf", "submitted_report")),
    ("scrutiny:report_pdf@draft_report", "GET", LOGIN, 200, 200, 200, 404, 200),
    ("scrutiny:report_pdf@draft_report", "POST",
        LOGIN,
        Redirect("scrutiny:report_pdf", "draft_report"),
        Redirect("scrutiny:report_pdf", "draft_report"),
        Redirect("scrutiny:report_pdf", "draft_report"),
        404,
        Redirect("scrutiny:report_pdf", "draft_report")),
    ("scrutiny:report_pdf_status@submitted_report",   "GET", LOGIN, 200, 200, 200, 404, 200),
    ("scrutiny:report_pdf_status@draft_report",       "GET", LOGIN, 200, 200, 200, 404, 200),
    ("scrutiny:report_pdf_download@submitted_report", "GET", LOGIN, 200, 200, 200, 404, 200),
    ("scrutiny:report_pdf_download@draft_report",     "GET", LOGIN, 200, 200, 200, 404, 200),

    # --- API: strategies and highlight reports ----------------------------------------------------------------
    ("v1:strategy-list",            "GET",  401, 200, NA, 200, 200, 200),
    ("v1:strategy-list",            "POST", 401, 400, NA, 403, 403, 400),
    ("v1:strategy-detail@strategy", "GET",  401, 200, 200, 200, 200, 200),
    ("v1:strategy-detail@strategy", "PATCH", 401, 200, 403, 403, 403, 200),
    ("v1:strategy-detail@strategy", "PUT",  401, 400, 403, 403, 403, 400),
    ("v1:outcome-list",             "GET",  401, 200, NA, 200, 200, 200),
    ("v1:outcome-list",             "POST", 401, 400, NA, 403, 403, 400),
    ("v1:outcome-detail@outcome",   "GET",  401, 200, 200, 200, 200, 200),
    ("v1:outcome-detail@outcome",   "PATCH", 401, 200, 403, 403, 403, 200),
    ("v1:outcome-detail@outcome",   "PUT",  401, 400, 403, 403, 403, 400),
    ("v1:highlightreport-list",     "GET",  401, 200, NA, 200, 200, 200),
    ("v1:highlightreport-list",     "POST", 401, 400, NA, 403, 403, 400),
    ("v1:highlightreport-detail@draft_report",     "GET", 401, 200, 200, 200, 404, 200),
    ("v1:highlightreport-detail@submitted_report", "GET", 401, 200, 200, 200, 404, 200),  # with the board
    ("v1:highlightreport-detail@board_reviewed_report", "GET", 401, 200, 200, 200, 200, 200),  # printed
    # An edit or a move without the version read first is refused 428, so nobody overwrites a newer version.
    ("v1:highlightreport-detail@draft_report",     "PATCH", 401, 428, 403, 403, 403, 428),
    ("v1:highlightreport-detail@draft_report",     "PUT",   401, 400, 403, 403, 403, 400),
    ("v1:highlightreport-submit@draft_report",     "POST",  401, 428, 403, 403, 403, 428),
    ("v1:highlightreport-board-review@submitted_report",                 "POST", 401, 403, 403, 403, 403, 428),
    ("v1:highlightreport-scrutiny-considered@board_reviewed_report",     "POST", 401, 403, 403, 403, 403, 428),
    ("v1:highlightreport-approve@scrutiny_considered_report",            "POST", 401, 403, 403, 403, 403, 428),
    ("v1:highlightreport-return-for-changes@submitted_report",           "POST", 401, 403, 403, 403, 403, 428),

    # --- API: contracts, pooled budgets, oversight ------------------------------------------------------------
    ("v1:contract-list",            "GET",  401, 200, NA, 200, 403, 200),
    ("v1:contract-list",            "POST", 401, 403, NA, 400, 403, 400),
    ("v1:contract-detail@contract", "GET",  401, 200, 200, 200, 403, 200),
    ("v1:contract-detail@contract", "PATCH", 401, 403, 403, 200, 403, 200),
    ("v1:contract-detail@contract", "PUT",  401, 403, 403, 400, 403, 400),
    # A contract's changes and decision, as on its page: empty bodies are 400 for those who may.
    ("v1:contract-changes@contract",  "POST", 401, 403, 403, 400, 403, 400),
    ("v1:contract-decision@contract", "POST", 401, 403, 403, 400, 403, 400),
    ("v1:contract-termination@contract",        "POST", 401, 403, 403, 400, 403, 400),
    ("v1:contract-termination-notice@contract", "POST", 401, 403, 403, 400, 403, 400),
    ("v1:contract-change-notice@contractchange", "POST", 401, 403, 403, 400, 403, 400),
    ("v1:pooledbudget-list",        "GET",  401, 200, NA, 200, 403, 200),
    ("v1:pooledbudget-detail@pooledbudget", "GET", 401, 200, 200, 200, 403, 200),
    ("v1:visit-list",               "GET",  401, 200, NA, 200, 403, 200),
    ("v1:visit-list",               "POST", 401, 403, NA, 400, 403, 400),
    ("v1:visit-detail@visit",       "GET",  401, 200, NA, 200, 403, 200),
    ("v1:concern-list",             "GET",  401, 200, NA, 200, 403, 200),
    ("v1:concern-list",             "POST", 401, 403, NA, 400, 403, 400),
    ("v1:concern-detail@concern",   "GET",  401, 200, NA, 200, 403, 200),
    # Procurement Act 2023: KPIs, results, assessments, notices; alerts and each user's own alert rules.
    ("v1:contractkpi-list",                "GET",  401, 200, NA, 200, 403, 200),
    ("v1:contractkpi-list",                "POST", 401, 403, NA, 400, 403, 400),
    ("v1:contractkpi-detail@contractkpi",  "GET",  401, 200, 200, 200, 403, 200),
    ("v1:contractkpi-detail@contractkpi",  "PATCH", 401, 403, 403, 400, 403, 400),
    ("v1:contractkpi-detail@contractkpi",  "PUT",  401, 403, 403, 400, 403, 400),
    ("v1:kpiresult-list",                  "GET",  401, 200, NA, 200, 403, 200),
    ("v1:kpiresult-list",                  "POST", 401, 403, NA, 400, 403, 400),
    ("v1:kpiresult-detail@kpiresult",      "GET",  401, 200, 200, 200, 403, 200),
    ("v1:performanceassessment-list",      "GET",  401, 200, NA, 200, 403, 200),
    ("v1:performanceassessment-list",      "POST", 401, 403, NA, 400, 403, 400),
    ("v1:performanceassessment-detail@performanceassessment",   "GET",  401, 200, 200, 200, 403, 200),
    ("v1:performanceassessment-complete@performanceassessment", "POST", 401, 403, 403, 400, 403, 400),
    ("v1:contractperformancenotice-list",  "GET",  401, 200, NA, 200, 403, 200),
    ("v1:contractperformancenotice-list",  "POST", 401, 403, NA, 400, 403, 400),
    ("v1:contractperformancenotice-detail@draft_notice",  "GET",  401, 200, NA, 200, 403, 200),
    ("v1:contractperformancenotice-approve@draft_notice", "POST", 401, 403, NA, 400, 403, 400),
    ("v1:contractperformancenotice-publish@draft_notice", "POST", 401, 403, NA, 409, 403, 409),
    ("v1:contractperformancenotice-cdp-id@published_notice", "POST", 401, 403, NA, 400, 403, 400),
    ("v1:contractalert-list",              "GET",  401, 200, NA, 200, 403, 200),
    # Alerts are raised by the daily sweep, never added: refused by role (no add right), 405 for administrators.
    ("v1:contractalert-list",              "POST", 401, 403, NA, 403, 403, 405),
    ("v1:contractalert-detail@contractalert",      "GET",  401, 200, NA, 200, 403, 200),
    ("v1:contractalert-acknowledge@contractalert", "POST", 401, 403, NA, 200, 403, 200),
    ("v1:contractalertrule-list",          "GET",  401, 200, NA, 200, 403, 200),
    ("v1:contractalertrule-list",          "POST", 401, 400, NA, 400, 403, 400),
    ("v1:contractalertrule-detail@officer_alert_rule", "GET", 401, 404, NA, 200, 403, 404),
    # Only its owner deletes a rule (a rule of its own, so no other row loses its target).
    ("v1:contractalertrule-detail@officer_rule_to_delete", "DELETE", 401, 404, NA, 204, 403, 404),
    ("v1:sanction-list",            "GET",  401, 200, NA, 200, 403, 200),
    ("v1:sanction-list",            "POST", 401, 403, NA, 400, 403, 400),
    ("v1:sanction-detail@sanction", "GET",  401, 200, NA, 200, 403, 200),
    ("v1:actionplan-list",          "GET",  401, 200, NA, 200, 403, 200),
    ("v1:actionplan-list",          "POST", 401, 403, NA, 400, 403, 400),
    ("v1:actionplan-detail@actionplan", "GET", 401, 200, NA, 200, 403, 200),
    ("v1:export-contracts-csv",     "GET",  401, 200, NA, 200, 403, 200),
    ("v1:export-ocds",              "GET",  401, 200, NA, 200, 403, 200),
    ("v1:export-contract-performance-notices", "GET", 401, 200, NA, 200, 403, 200),
    ("v1:export-invitations-to-tender-csv", "GET", 401, 200, NA, 200, 403, 200),

    # --- API: providers ---------------------------------------------------------------------------------------
    ("v1:provider-list",            "GET",  401, 200, NA, 200, 403, 200),
    ("v1:provider-detail@provider", "GET",  401, 200, NA, 200, 403, 200),
    ("v1:location-list",            "GET",  401, 200, NA, 200, 403, 200),
    ("v1:location-detail@location", "GET",  401, 200, NA, 200, 403, 200),
    ("v1:cqcrating-list",           "GET",  401, 200, NA, 200, 403, 200),
    ("v1:cqcrating-detail@cqcrating", "GET", 401, 200, NA, 200, 403, 200),
    ("v1:cqcratingalert-list",      "GET",  401, 200, NA, 200, 403, 200),
    # Alerts are raised by the rating services, never posted.
    ("v1:cqcratingalert-list",      "POST", 401, 403, NA, 403, 403, 405),
    ("v1:cqcratingalert-detail@cqcratingalert", "GET", 401, 200, NA, 200, 403, 200),
    ("v1:cqcratingalert-acknowledge@cqcratingalert", "POST", 401, 403, NA, 200, 403, 200),
    ("v1:riskassessment-list",      "GET",  401, 200, NA, 200, 403, 200),
    ("v1:riskassessment-list",      "POST", 401, 403, NA, 400, 403, 400),
    ("v1:riskassessment-detail@riskassessment", "GET", 401, 200, NA, 200, 403, 200),

    # --- API: performance -------------------------------------------------------------------------------------
    ("v1:measure-list",             "GET",  401, 200, NA, 200, 200, 200),
    ("v1:measure-list",             "POST", 401, 400, NA, 403, 403, 400),
    ("v1:measure-detail@measure",   "GET",  401, 200, 200, 200, 200, 200),
    ("v1:measure-detail@measure",   "PATCH", 401, 200, 403, 403, 403, 200),
    ("v1:measure-detail@measure",   "PUT",  401, 400, 403, 403, 403, 400),
    ("v1:measureresult-list",       "GET",  401, 200, NA, 200, 200, 200),
    ("v1:measureresult-list",       "POST", 401, 400, NA, 400, 403, 400),
    ("v1:measureresult-detail@measureresult", "GET",  401, 200, 200, 200, 200, 200),
    ("v1:measureresult-detail@measureresult", "PATCH", 401, 200, 403, 200, 403, 200),
    ("v1:measureresult-detail@measureresult", "PUT",  401, 400, 403, 400, 403, 400),

    # --- API: scrutiny ----------------------------------------------------------------------------------------
    ("v1:committee-list",           "GET",  401, 200, NA, 200, 200, 200),
    ("v1:committee-detail@committee", "GET", 401, 200, NA, 200, 200, 200),
    ("v1:meeting-list",             "GET",  401, 200, NA, 200, 200, 200),
    ("v1:meeting-detail@meeting",   "GET",  401, 200, NA, 200, 200, 200),
    ("v1:scrutinyconclusion-list",  "GET",  401, 200, NA, 200, 200, 200),
    ("v1:scrutinyconclusion-list",  "POST", 401, 400, NA, 403, 403, 400),
    ("v1:scrutinyconclusion-detail@conclusion", "GET", 401, 200, NA, 200, 200, 200),
    ("v1:scrutinypack-list",        "GET",  401, 200, NA, 200, 200, 200),
    ("v1:scrutinypack-list",        "POST", 401, 403, NA, 403, 403, 400),
    ("v1:scrutinypack-detail@draft_pack",     "GET",   401, 404, NA, 404, 404, 200),
    ("v1:scrutinypack-detail@published_pack", "GET",   401, 200, NA, 200, 200, 200),
    ("v1:scrutinypack-detail@draft_pack",     "PATCH", 401, 403, NA, 403, 403, 200),
    ("v1:scrutinypack-detail@draft_pack",     "PUT",   401, 403, NA, 403, 403, 400),
    ("v1:scrutinypack-render@draft_pack",     "POST",  401, 403, NA, 403, 403, 202),
    ("v1:scrutinypack-publish@draft_pack",    "POST",  401, 403, NA, 403, 403, 200),
    ("v1:scrutinypack-revise@published_pack", "POST",  401, 403, NA, 403, 403, 200),
    ("v1:scrutinypack-render-status@draft_pack",     "GET", 401, 404, NA, 404, 404, 200),
    ("v1:scrutinypack-render-status@published_pack", "GET", 401, 200, NA, 200, 200, 200),
    # Decision records: an empty PATCH changes nothing (200); an empty PUT, POST or outcome lacks its fields (400).
    ("v1:decision-list",                  "GET",  401, 200, NA, 200, 200, 200),
    ("v1:decision-list",                  "POST", 401, 400, NA, 403, 403, 400),
    ("v1:decision-detail@decision",       "GET",  401, 200, NA, 200, 200, 200),
    ("v1:decision-detail@decision",       "PATCH", 401, 200, NA, 403, 403, 200),
    ("v1:decision-detail@decision",       "PUT",  401, 400, NA, 403, 403, 400),
    ("v1:decision-outcome@decision",      "POST", 401, 400, NA, 403, 403, 400),
    # Savings and the cycle's stages over the API; the provider check names contracts' providers (officers').
    ("v1:saving-list",                    "GET",  401, 200, NA, 200, 200, 200),
    ("v1:saving-list",                    "POST", 401, 400, NA, 403, 403, 400),
    ("v1:saving-detail@saving",           "GET",   401, 200, 200, 200, 200, 200),
    ("v1:saving-detail@saving",           "PATCH", 401, 200, 403, 403, 403, 200),
    ("v1:saving-detail@saving",           "PUT",   401, 400, 403, 403, 403, 400),
    ("v1:saving-provider-check@saving",   "GET",  401, 200, 200, 200, 403, 200),
    ("v1:cyclestage-list",                "GET",  401, 200, NA, 200, 200, 200),
    ("v1:cyclestage-detail@cycle_stage",  "GET",  401, 200, NA, 200, 200, 200),
    # The procurement work plan over the API: as on its pages.
    ("v1:procurementproject-list",    "GET",  401, 200, NA, 200, 403, 200),
    ("v1:procurementproject-list",    "POST", 401, 403, NA, 400, 403, 400),
    ("v1:procurementproject-figures", "GET",  401, 200, NA, 200, 403, 200),
    ("v1:procurementproject-detail@procurementproject", "GET",   401, 200, 200, 200, 403, 200),
    ("v1:procurementproject-detail@procurementproject", "PATCH", 401, 403, 403, 200, 403, 200),
    ("v1:procurementproject-detail@procurementproject", "PUT",   401, 403, 403, 400, 403, 400),
    ("v1:procurementproject-stage@procurementproject",  "POST",  401, 403, 403, 400, 403, 400),
    # Recommendations and stages over the API: as on their pages (stages are read-only there).
    ("v1:scrutinyrecommendation-list",    "GET",  401, 200, NA, 200, 200, 200),
    ("v1:scrutinyrecommendation-list",    "POST", 401, 400, NA, 403, 403, 400),
    ("v1:scrutinyrecommendation-detail@recommendation", "GET",   401, 200, 200, 200, 200, 200),
    ("v1:scrutinyrecommendation-detail@recommendation", "PUT",   401, 400, 403, 403, 403, 400),
    ("v1:scrutinyrecommendation-detail@recommendation", "PATCH", 401, 200, 403, 403, 403, 200),
    ("v1:scrutinyrecommendation-respond@recommendation", "POST", 401, 400, 403, 403, 403, 400),
    ("v1:scrutinyrecommendation-close@recommendation",   "POST", 401, 400, 403, 403, 403, 400),
    ("v1:scrutinystage-list",             "GET",  401, 200, NA, 200, 200, 200),
    ("v1:scrutinystage-detail@stage",     "GET",  401, 200, 200, 200, 200, 200),
    # The forward plan over the API: as on its pages.
    ("v1:forwardplanentry-list",          "GET",  401, 200, NA, 200, 200, 200),
    ("v1:forwardplanentry-list",          "POST", 401, 400, NA, 403, 403, 400),
    ("v1:forwardplanentry-detail@forwardplanentry", "GET",   401, 200, NA, 200, 200, 200),
    ("v1:forwardplanentry-detail@forwardplanentry", "PATCH", 401, 200, 403, 403, 403, 200),
    ("v1:forwardplanentry-detail@forwardplanentry", "PUT",   401, 400, 403, 403, 403, 400),
    ("v1:forwardplanentry-defer@forwardplanentry",    "POST", 401, 400, 403, 403, 403, 400),
    ("v1:forwardplanentry-withdraw@forwardplanentry", "POST", 401, 200, 403, 403, 403, 200),
    ("v1:forwardplanentry-decision@forwardplanentry", "POST", 401, 400, 403, 403, 403, 400),
    # --- Issue 15: provider market oversight ------------------------------------------------------------------
    # Risk methods: officers and commissioners read them; only administrators make a new version (never change
    # one: a method an assessment used is history, so the API offers no PUT, PATCH or DELETE).
    ("providers:risk_methods",                          "GET",      LOGIN, 200, NA, 200, 403, 200),
    ("providers:risk_method_detail@riskmethod",         "GET",      LOGIN, 200, NA, 200, 403, 200),
    ("providers:risk_method_create",                    "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("providers:risk_assessment_detail@riskassessment", "GET",      LOGIN, 200, NA, 200, 403, 200),
    ("v1:riskmethod-list",              "GET",  401, 200, NA, 200, 403, 200),
    ("v1:riskmethod-list",              "POST", 401, 403, NA, 403, 403, 400),
    ("v1:riskmethod-detail@riskmethod", "GET",  401, 200, NA, 200, 403, 200),
    # Contract returns (seed 002): officers (the contract's manager or backup, or any officer) make them;
    # commissioners read them; councillors never see contract management.
    ("oversight:returns",                           "GET",  LOGIN, 200, NA, 200, 403, 200),
    ("oversight:return@contractreturn",             "GET",  LOGIN, 200, NA, 200, 403, 200),
    ("oversight:return@contractreturn",             "POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:contract_grading@contract",         "GET",  LOGIN, 200, NA, 200, 403, 200),
    ("oversight:returns_report",                    "GET",  LOGIN, 200, NA, 200, 403, 200),
    ("v1:contractreturn-list",                      "GET",  401, 200, NA, 200, 403, 200),
    ("v1:contractreturn-list",                      "POST", 401, 403, NA, 405, 403, 405),  # returns are scheduled
    ("v1:contractreturn-detail@contractreturn",     "GET",  401, 200, NA, 200, 403, 200),
    ("v1:contractreturn-detail@contractreturn",     "PUT PATCH", 401, 403, NA, 400, 403, 400),
    ("v1:contractreturn-submit@contractreturn",     "POST", 401, 403, NA, 400, 403, 400),
    # Provider failure, market sustainability and quality frameworks: officers record cases, readings and
    # awards; frameworks and their tiers are set up by administrators.
    ("oversight:market",                            "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:market_indicators",                 "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:market_indicator_add",              "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:market_indicator_add@for_provider", "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:failure_cases",                     "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:failure_case_add",                  "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:failure_case_add@for_provider",     "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:failure_case@failurecase",          "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:failure_case_edit@failurecase",     "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:failure_case_close@failurecase",    "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:location_status@location",          "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:quality_frameworks",                "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:quality_framework_add",             "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("oversight:quality_framework@qualityframework", "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:quality_tier_add@qualityframework",  "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("oversight:quality_award_add@qualityframework", "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:quality_award_withdraw@providerqualitytier", "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:quality_award_reinstate@withdrawn_providerqualitytier", "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("v1:providerfailurecase-list",                 "GET",  401, 200, NA, 200, 403, 200),
    ("v1:providerfailurecase-list",                 "POST", 401, 403, NA, 400, 403, 400),
    ("v1:providerfailurecase-detail@failurecase",   "GET",  401, 200, NA, 200, 403, 200),
    ("v1:providerfailurecase-detail@failurecase",   "PATCH", 401, 403, NA, 200, 403, 200),  # empty: no change
    ("v1:providerfailurecase-detail@failurecase",   "PUT",  401, 403, NA, 400, 403, 400),
    ("v1:providerfailurecase-close@failurecase",    "POST", 401, 403, NA, 400, 403, 400),
    ("v1:marketindicator-list",                     "GET",  401, 200, NA, 200, 403, 200),
    ("v1:marketindicator-list",                     "POST", 401, 403, NA, 400, 403, 400),
    ("v1:marketindicator-detail@marketindicator",   "GET",  401, 200, NA, 200, 403, 200),
    ("v1:qualityframework-list",                    "GET",  401, 200, NA, 200, 403, 200),
    ("v1:qualityframework-detail@qualityframework", "GET",  401, 200, NA, 200, 403, 200),
    ("v1:providerqualitytier-list",                 "GET",  401, 200, NA, 200, 403, 200),
    ("v1:providerqualitytier-list",                 "POST", 401, 403, NA, 400, 403, 400),
    ("v1:providerqualitytier-detail@providerqualitytier", "GET", 401, 200, NA, 200, 403, 200),
    ("v1:providerqualitytier-withdraw@providerqualitytier", "POST", 401, 403, NA, 400, 403, 400),
    ("v1:providerqualitytier-reinstate@withdrawn_providerqualitytier", "POST", 401, 403, NA, 400, 403, 400),
    # Escalation governance: officers open, move, decide and close escalations and keep the governance meetings;
    # the stages and triggers are set by administrators.
    ("oversight:escalation_new",                         "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:escalation_detail@escalation",           "GET",      LOGIN, 200, NA, 200, 403, 200),
    ("oversight:escalation_move@escalation",             "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:escalation_decision@escalation",         "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:escalation_action_add@escalation",       "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:escalation_close@escalation",            "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:escalation_action_done@escalationaction", "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:escalation_config",                      "GET",      LOGIN, 403, NA, 403, 403, 200),
    ("oversight:escalation_stage_add",                   "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("oversight:escalation_stage_edit@escalationstage",  "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("oversight:escalation_trigger_add",                 "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("oversight:escalation_trigger_edit@escalationtrigger", "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("oversight:governance_meetings",                    "GET",      LOGIN, 200, NA, 200, 403, 200),
    ("oversight:governance_meeting_add",                 "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:causing_concern",                        "GET",      LOGIN, 200, NA, 200, 403, 200),
    ("oversight:governance_meeting@governancemeeting",   "GET",      LOGIN, 200, NA, 200, 403, 200),
    ("oversight:governance_minutes@governancemeeting",   "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:governance_item_add@governancemeeting",  "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:governance_action_add@governancemeeting", "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:governance_agree@governancemeeting",     "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("oversight:governance_item@governanceitem",         "GET POST", LOGIN, 403, NA, 200, 403, 200),
    ("v1:escalation-list",                               "GET",  401, 200, NA, 200, 403, 200),
    ("v1:escalation-list",                               "POST", 401, 403, NA, 400, 403, 400),
    ("v1:escalation-detail@escalation",                  "GET",  401, 200, NA, 200, 403, 200),
    ("v1:escalation-move@escalation",                    "POST", 401, 403, NA, 400, 403, 400),
    ("v1:escalation-decisions@escalation",               "POST", 401, 403, NA, 400, 403, 400),
    ("v1:escalation-actions@escalation",                 "POST", 401, 403, NA, 400, 403, 400),
    ("v1:escalation-complete-action@escalation",         "POST", 401, 403, NA, 400, 403, 400),
    ("v1:escalation-close@escalation",                   "POST", 401, 403, NA, 400, 403, 400),
    ("v1:governancemeeting-list",                        "GET",  401, 200, NA, 200, 403, 200),
    ("v1:governancemeeting-list",                        "POST", 401, 403, NA, 400, 403, 400),
    ("v1:governancemeeting-detail@governancemeeting",    "GET",  401, 200, NA, 200, 403, 200),
    # Safeguarding: a safeguarding concern or serious incident is read only by the provider's officers (its
    # contracts' managers and backups, and whoever recorded it), safeguarding leads and administrators; to
    # anyone else it is not found. Other concerns are read as before. An enquiry is only a safeguarding
    # concern's (the poor-practice concern has none: not found). The rota and the read log: administrators.
    ("oversight:concern@concern",                   "GET", LOGIN, 200, NA, 200, 403, 200),
    ("oversight:concern@safeguarding_concern",      "GET", LOGIN, 404, NA, 404, 403, 200),
    ("oversight:concern_enquiry@safeguarding_concern", "GET POST", LOGIN, 403, NA, 404, 403, 200),
    ("oversight:concern_enquiry_conclude@safeguarding_concern", "GET POST", LOGIN, 403, NA, 404, 403, 200),
    ("oversight:concern_enquiry@concern",           "GET POST", LOGIN, 403, NA, 404, 403, 404),
    ("oversight:concern_enquiry_conclude@concern",  "GET POST", LOGIN, 403, NA, 404, 403, 404),
    ("oversight:concern_close@safeguarding_concern", "GET POST", LOGIN, 403, NA, 404, 403, 200),
    ("oversight:concern_sensitive@safeguarding_concern", "POST", LOGIN, 403, NA, 404, 403,
        Redirect("oversight:concern", "safeguarding_concern")),
    ("oversight:safeguarding_duty_rota",            "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("oversight:safeguarding_duty_remove@safeguardingdutylead", "POST", LOGIN, 403, NA, 403, 403,
        Redirect("oversight:safeguarding_duty_rota")),
    ("oversight:safeguarding_reads",                "GET", LOGIN, 403, NA, 403, 403, 200),
    ("v1:concern-detail@concern",                   "PUT PATCH", 401, 403, NA, 400, 403, 400),
    ("v1:concern-detail@safeguarding_concern",      "GET", 401, 404, NA, 404, 403, 200),
    # Records and data protection (issue 20): the retention schedule, legal holds, subject access searches and
    # redactions are the administrators' (who act for the data protection officer); everyone else is refused.
    ("records:retention",                           "GET", LOGIN, 403, NA, 403, 403, 200),
    ("records:retention_due",                       "GET", LOGIN, 403, NA, 403, 403, 200),
    ("records:retention_rule_edit@retention_rule",  "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("records:holds",                               "GET", LOGIN, 403, NA, 403, 403, 200),
    ("records:hold_place",                          "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("records:hold_release@legalhold",              "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("records:subject_access",                      "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("records:subject_access_results@subjectaccesssearch", "GET", LOGIN, 403, NA, 403, 403, 200),
    ("records:subject_access_export_csv@subjectaccesssearch", "GET", LOGIN, 403, NA, 403, 403, 200),
    ("records:subject_access_export_pdf@subjectaccesssearch", "GET", LOGIN, 403, NA, 403, 403, 200),
    ("records:subject_access_redact@subjectaccesssearch", "POST", LOGIN, 403, NA, 403, 403, 400),
    ("records:redactions",                          "GET", LOGIN, 403, NA, 403, 403, 200),
    # The accessibility statement and privacy notice: open to anyone, read only; edited by administrators.
    ("public:accessibility",                        "GET", 200, 200, NA, 200, 200, 200),
    ("public:privacy",                              "GET", 200, 200, NA, 200, 200, 200),
    ("public:accessibility",                        "POST", 405, 405, NA, 405, 405, 405),
    ("public:privacy",                              "POST", 405, 405, NA, 405, 405, 405),
    ("public:accessibility_edit",                   "GET POST", LOGIN, 403, NA, 403, 403, 200),
    ("public:privacy_edit",                         "GET POST", LOGIN, 403, NA, 403, 403, 200),
]
# fmt: on


def _table() -> dict:
    table: dict = {actor: {} for actor in ACTORS}
    for key, methods, *cells in ROWS:
        assert len(cells) == len(ACTORS), f"{key}: one cell per actor"
        for method in methods.split():
            for actor, expected in zip(ACTORS, cells, strict=True):
                if expected is NA:
                    continue
                slot = table[actor].setdefault(key, {})
                assert method not in slot, f"{key} {method} is in the table twice"
                slot[method] = expected
    return table


# actor -> key ("url name" or "url name@target") -> method -> expected answer
EXPECTED: dict[str, dict[str, dict[str, object]]] = _table()


# Rows where today's code gives another answer than the rule: real bugs, each to be fixed elsewhere.
# The matrix marks them xfail(strict=True): when a fix lands the row passes, the XPASS fails the run,
# and the entry must be removed here.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {
    # None today. (Settled: a report is a councillor's once it has gone to scrutiny — considered by a committee,
    # approved, or printed in a published pack — so the board-reviewed rows above say 404.)
}


# Grants a role group holds that no row of the table needs (tests/security/test_grants_are_needed.py), each
# saying why. None is a missing row: no URL of the project (the admin aside, which these roles do not reach)
# asks for any of them. They run as strict xfails there; when commissioning.roles stops granting one, remove
# its entry (test_known_unused_grants_are_still_granted says which).
_COMMISSIONER_GROUP, _OFFICER_GROUP, _SCRUTINY_GROUP = "Commissioner", "Contract officer", "Scrutiny member"


def _unused(groups: tuple[str, ...], reason: str, *perms: str) -> dict[tuple[str, str], str]:
    return {(group, perm): reason for group in groups for perm in perms}


_NO_URL = "No page or API endpoint makes this write (only the admin, which this role does not reach)"

KNOWN_UNUSED_GRANTS: dict[tuple[str, str], str] = {
    **_unused(
        (_OFFICER_GROUP, _SCRUTINY_GROUP),
        "Checked only where this role is refused: the edit page of a commissioning intention, a risk, a plan's "
        'theme or its "I" statement looks the part up among those the user may view (Model.objects.visible_to) '
        "before it asks for the right to change it, so without the view right the refusal would be 404, not 403; "
        "no allowed row asks for it",
        "strategies.view_commissioningintention",
        "strategies.view_strategyrisk",
        "strategies.view_strategictheme",
        "strategies.view_themestatement",
    ),
    **_unused(
        (_COMMISSIONER_GROUP, _OFFICER_GROUP),
        _NO_URL + " (pooled budgets are read-only in the API and have no page); kept: the pooled budget services "
        "check them (commissioners keep their own directorate's, contract officers any)",
        "contracts.add_pooledbudget",
        "contracts.change_pooledbudget",
    ),
    **_unused(
        (_OFFICER_GROUP,),
        _NO_URL + " (providers, locations and ratings arrive by import or through the admin); kept: the "
        "providers' services check them, and the imports use them (contract import --create-providers adds "
        "providers, the CQC import adds and changes ratings)",
        "providers.add_cqcrating",
        "providers.add_location",
        "providers.add_provider",
        "providers.change_cqcrating",
        "providers.change_provider",
    ),
}
