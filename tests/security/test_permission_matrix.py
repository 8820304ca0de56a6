"""Every page and API endpoint, for every role and for someone not signed in, gives the expected status.

The matrix is data: each URL name says which permission opens it (as the role groups in
commissioning/roles.py grant them) and any exception for a role. A role holding the permission must
get in; a role without it must be refused (403, or 404 where the object is not theirs to know about);
someone not signed in is sent to sign in (pages) or refused (API). A new URL fails
``test_every_url_is_in_the_matrix`` until it is added here, so nothing new goes unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commissioning import roles
from tests import factories as f

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ROLE_NAMES = {
    "commissioner": roles.COMMISSIONER,
    "officer": roles.CONTRACT_OFFICER,
    "scrutiny": roles.SCRUTINY_MEMBER,
    "admin": roles.ADMINISTRATOR,
}
EVERYONE = (ANONYMOUS, *ROLE_NAMES)

OK = frozenset({200})
DENIED = frozenset({403, 404})
NOT_FOUND = frozenset({404})
LOGIN = "login"  # a redirect to the sign-in page
API_ANONYMOUS = frozenset({401, 403})
# A POST with no data by someone allowed: refused as incomplete, redirected or shown again — not forbidden.
# (The API answers 428 when the client sends no version to guard against overwriting someone's edit.)
ACTION_ALLOWED = frozenset({200, 201, 202, 204, 302, 400, 409, 428})
# Downloads of files not made yet: those allowed hear "not found", those not allowed are refused.
NOT_READY = frozenset({200, 302, 404})


@dataclass(frozen=True)
class Entry:
    """How a URL answers: the permissions that open it, the objects in its arguments, and exceptions."""

    perms: tuple[str, ...] = ()
    kwargs: dict = field(default_factory=dict)  # URL kwarg -> key in the world of objects (or a literal)
    method: str = "GET"
    allowed: frozenset | str = OK  # what a role holding the permissions gets
    overrides: dict = field(default_factory=dict)  # role -> expected, for rules beyond permissions
    anonymous: frozenset | str = LOGIN


def page(*perms, **options) -> Entry:
    return Entry(perms=perms, **options)


def action(*perms, **options) -> Entry:
    options.setdefault("allowed", ACTION_ALLOWED)
    return Entry(perms=perms, method="POST", **options)


NOT_ADMIN = dict.fromkeys(("commissioner", "officer", "scrutiny"), DENIED)

# Draft highlight reports are officers' working copies; councillors must not reach one by its ID.
DRAFT_REPORT = {"scrutiny": NOT_FOUND}
# A draft scrutiny pack is for those who prepare packs (who may change them); everyone else learns of it
# only once it is published.
DRAFT_PACK = dict.fromkeys(("commissioner", "officer", "scrutiny"), NOT_FOUND)
# Officers read drafts (strategies app) and so their PDFs; councillors never find a draft.
DRAFT_REPORT_PDF = {"scrutiny": NOT_FOUND}

PAGES: dict[str, Entry] = {
    "home": page(),
    "healthz": page(anonymous=OK),
    "login": page(anonymous=OK, allowed=frozenset({302})),
    "logout": page(allowed=frozenset({405})),  # sign-out is a POST only
    "media": page("scrutiny.view_scrutinypack", kwargs={"path": "packs/missing.pdf"}, allowed=NOT_FOUND),
    "tokens": page(),
    "token-create": action(),
    "token-revoke": action(),
    # Second factor: administrators only.
    "two_factor:manage": page(overrides=NOT_ADMIN),
    "two_factor:enrol": page(overrides=NOT_ADMIN),
    "two_factor:verify": page(allowed=frozenset({302})),  # nothing to verify for people who have not enrolled
    "two_factor:remove": action(overrides=NOT_ADMIN),
    # Strategies and highlight reports.
    "strategies:list": page("strategies.view_commissioningstrategy"),
    "strategies:create": page("strategies.add_commissioningstrategy"),
    "strategies:detail": page("strategies.view_commissioningstrategy", kwargs={"pk": "strategy"}),
    "strategies:edit": page("strategies.change_commissioningstrategy", kwargs={"pk": "strategy"}),
    "strategies:start_next_report": action("strategies.add_highlightreport", kwargs={"pk": "strategy"}),
    "strategies:outcome_add": page("strategies.add_outcome", kwargs={"strategy_pk": "strategy"}),
    "strategies:outcome_edit": page("strategies.change_outcome", kwargs={"strategy_pk": "strategy", "pk": "outcome"}),
    "strategies:intention_add": page("strategies.add_commissioningintention", kwargs={"strategy_pk": "strategy"}),
    "strategies:intention_edit": page(
        "strategies.change_commissioningintention", kwargs={"strategy_pk": "strategy", "pk": "intention"}
    ),
    "strategies:risk_add": page("strategies.add_strategyrisk", kwargs={"strategy_pk": "strategy"}),
    "strategies:risk_edit": page("strategies.change_strategyrisk", kwargs={"strategy_pk": "strategy", "pk": "risk"}),
    "strategies:reports_this_quarter": page("strategies.view_highlightreport"),
    "strategies:report": page("strategies.view_highlightreport", kwargs={"pk": "draft_report"}, overrides=DRAFT_REPORT),
    "strategies:report_edit": page("strategies.change_highlightreport", kwargs={"pk": "draft_report"}),
    "strategies:report_print": page(
        "strategies.view_highlightreport", kwargs={"pk": "draft_report"}, overrides=DRAFT_REPORT
    ),
    "strategies:report_history": page(
        "strategies.view_highlightreport", kwargs={"pk": "draft_report"}, overrides=DRAFT_REPORT
    ),
    "strategies:report_submit": action("strategies.submit_highlightreport", kwargs={"pk": "draft_report"}),
    # Board and scrutiny steps: only those who may change a report; which of them may is the service's rule.
    **{
        f"strategies:{name}": action(
            "strategies.change_highlightreport",
            kwargs={"pk": "submitted_report"},
            allowed=ACTION_ALLOWED | {403},
        )
        for name in ("report_board_review", "report_scrutiny_considered", "report_approve", "report_return")
    },
    # Contracts: officers' records, not for councillors.
    "contracts:list": page("contracts.view_contract"),
    "contracts:export_csv": page("contracts.view_contract"),
    "contracts:export_xlsx": page("contracts.view_contract"),
    "contracts:create": page("contracts.add_contract"),
    "contracts:needs_decision": page("contracts.view_contract"),
    "contracts:import": page("contracts.import_contracts"),
    "contracts:import_template": page("contracts.import_contracts"),
    "contracts:statistics": page("contracts.view_contract"),
    "contracts:detail": page("contracts.view_contract", kwargs={"pk": "contract"}),
    "contracts:edit": page("contracts.change_contract", kwargs={"pk": "contract"}),
    "contracts:change_add": page("contracts.add_contractchange", kwargs={"pk": "contract"}),
    "contracts:decision": page("contracts.change_contract", kwargs={"pk": "contract"}),
    # Oversight of providers: visits, concerns, sanctions, action plans and escalation.
    "contracts:visits": page("contracts.view_visit"),
    "contracts:visit_add": page("contracts.add_visit"),
    "contracts:concerns": page("contracts.view_concern"),
    "contracts:concern_add": page("contracts.add_concern"),
    "contracts:concern_close": page("contracts.change_concern", kwargs={"pk": "concern"}),
    "contracts:sanctions": page("contracts.view_sanction"),
    "contracts:sanction_add": page("contracts.add_sanction"),
    "contracts:sanction_lift": page("contracts.change_sanction", kwargs={"pk": "sanction"}),
    "contracts:action_plans": page("contracts.view_actionplan"),
    "contracts:action_plan_add": page("contracts.add_actionplan"),
    "contracts:action_plan": page("contracts.view_actionplan", kwargs={"pk": "actionplan"}),
    "contracts:action_add": page("contracts.add_planaction", kwargs={"pk": "actionplan"}),
    "contracts:action_complete": page("contracts.change_planaction", kwargs={"pk": "planaction"}),
    "contracts:escalation_step_add": page("contracts.add_escalationstep", kwargs={"pk": "actionplan"}),
    "contracts:escalation": page("contracts.view_actionplan"),
    # Providers.
    "providers:list": page("providers.view_provider"),
    "providers:detail": page("providers.view_provider", kwargs={"pk": "provider"}),
    "providers:assess": page("providers.add_riskassessment", kwargs={"pk": "provider"}),
    "providers:risk_overview": page("providers.view_riskassessment"),
    "providers:locations": page("providers.view_location"),
    "providers:rating_drops": page("providers.view_cqcrating"),
    "providers:cqc_import": page("providers.import_cqc_ratings"),
    # Performance.
    "performance:dashboard": page("performance.view_measure"),
    "performance:late_results": page("performance.view_measure"),
    "performance:results_import": page("performance.change_measureresult"),
    "performance:strategy": page("performance.view_measure", kwargs={"strategy_pk": "strategy"}),
    "performance:measure_add": page("performance.add_measure", kwargs={"strategy_pk": "strategy"}),
    "performance:measure_edit": page("performance.change_measure", kwargs={"pk": "measure"}),
    "performance:results_grid": page(
        "performance.change_measureresult", kwargs={"strategy_pk": "strategy", "year": 2018, "quarter": 3}
    ),
    # Scrutiny.
    "scrutiny:committees": page("scrutiny.view_committee"),
    "scrutiny:committee": page("scrutiny.view_committee", kwargs={"pk": "committee"}),
    "scrutiny:meeting": page("scrutiny.view_meeting", kwargs={"pk": "meeting"}),
    "scrutiny:pack_create": page("scrutiny.add_scrutinypack", kwargs={"pk": "meeting"}),
    "scrutiny:conclusion_add": page("scrutiny.add_scrutinyconclusion", kwargs={"pk": "meeting"}),
    "scrutiny:pack": page("scrutiny.view_scrutinypack", kwargs={"pk": "draft_pack"}, overrides=DRAFT_PACK),
    "scrutiny:pack_edit": page("scrutiny.change_scrutinypack", kwargs={"pk": "draft_pack"}),
    "scrutiny:pack_render": action("scrutiny.change_scrutinypack", kwargs={"pk": "draft_pack"}),
    "scrutiny:pack_status": page("scrutiny.view_scrutinypack", kwargs={"pk": "draft_pack"}, overrides=DRAFT_PACK),
    "scrutiny:pack_download": page(
        "scrutiny.view_scrutinypack", kwargs={"pk": "draft_pack"}, allowed=NOT_READY, overrides=DRAFT_PACK
    ),
    "scrutiny:pack_publish": action("scrutiny.publish_scrutinypack", kwargs={"pk": "draft_pack"}),
    "scrutiny:archive": page("scrutiny.view_scrutinypack"),
    "scrutiny:report_pdf": page(
        "strategies.view_highlightreport",
        kwargs={"report_pk": "draft_report"},
        allowed=frozenset({200, 302}),
        overrides=DRAFT_REPORT_PDF,
    ),
    "scrutiny:report_pdf_status": page(
        "strategies.view_highlightreport", kwargs={"report_pk": "draft_report"}, overrides=DRAFT_REPORT_PDF
    ),
    "scrutiny:report_pdf_download": page(
        "strategies.view_highlightreport",
        kwargs={"report_pk": "draft_report"},
        allowed=NOT_READY,
        overrides=DRAFT_REPORT_PDF,
    ),
    # API documentation is public: it describes the API, not the council's data.
    "schema": page(anonymous=OK),
    "api-docs": page(anonymous=OK),
    # Transparency exports of the contract register (API, signed-in clients with the right to read contracts).
    "v1:export-contracts-csv": page("contracts.view_contract", anonymous=API_ANONYMOUS),
    "v1:export-ocds": page("contracts.view_contract", anonymous=API_ANONYMOUS),
}

# The admin site has its own sign-in and staff check: covered in test_admin_site_is_for_staff_only.
SKIPPED_NAMESPACES = ("admin",)
SKIPPED_NAMES = {None}  # the /assets/ redirect to static files has no name


# --- API: rules from the viewset itself ------------------------------------------------------------

# Objects a role may not learn about through the API, by model: scrutiny members see published packs
# and submitted reports only.
API_HIDDEN = {"scrutinypack": "draft_pack", "highlightreport": "draft_report"}


def _api_entry(name: str, callback) -> Entry | None:
    viewset = getattr(callback, "cls", None)
    actions = getattr(callback, "actions", None)
    queryset = getattr(viewset, "queryset", None)
    if viewset is None or not actions or queryset is None:
        return None
    model = queryset.model
    label, model_name = model._meta.app_label, model._meta.model_name
    view_perm = f"{label}.view_{model_name}"
    change_perm = f"{label}.change_{model_name}"
    if name.endswith("-list"):
        return Entry(perms=(view_perm,), anonymous=API_ANONYMOUS)
    key = API_HIDDEN.get(model_name, model_name)
    if name.endswith("-detail") or "get" in actions:
        # The API hides drafts exactly as the pages do: draft packs from all but their editors.
        overrides = (
            (DRAFT_PACK if model_name == "scrutinypack" else {"scrutiny": NOT_FOUND})
            if model_name in API_HIDDEN
            else {}
        )
        return Entry(perms=(view_perm,), kwargs={"pk": key}, anonymous=API_ANONYMOUS, overrides=overrides)
    # A POST-only action (submit, approve, render...): only those who may change the object get past the door.
    return Entry(
        perms=(change_perm,),
        kwargs={"pk": key},
        method="POST",
        allowed=ACTION_ALLOWED | {403},
        anonymous=API_ANONYMOUS,
    )


# --- Walking the URLs --------------------------------------------------------------------------------


def _named_patterns() -> dict[str, object]:
    """Every named URL pattern (namespace:name) with its view callback."""
    found: dict[str, object] = {}

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(part for part in (namespace, entry.namespace) if part)
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern):
                if entry.name in SKIPPED_NAMES:
                    continue
                full = f"{namespace}:{entry.name}" if namespace else entry.name
                if full.split(":")[0] in SKIPPED_NAMESPACES:
                    continue
                found.setdefault(full, entry.callback)

    walk(get_resolver().url_patterns)
    return found


def _matrix() -> dict[str, Entry]:
    matrix = {}
    for name, callback in _named_patterns().items():
        if name in PAGES:
            matrix[name] = PAGES[name]
        elif name.startswith("v1:") and (entry := _api_entry(name, callback)) is not None:
            matrix[name] = entry
    return matrix


def test_every_url_is_in_the_matrix():
    missing = sorted(set(_named_patterns()) - set(_matrix()))

    assert not missing, "Add these URL names to PAGES in tests/security/test_permission_matrix.py: " + ", ".join(
        missing
    )


def test_the_matrix_names_no_url_that_has_gone():
    gone = sorted(set(PAGES) - set(_named_patterns()))

    assert not gone, "Remove (or rename) in PAGES: " + ", ".join(gone)


# --- The world of objects the URLs point at ------------------------------------------------------------


@pytest.fixture
def world(directorate):
    """One of everything, in the signed-in users' own directorate, with drafts where drafts matter."""
    strategy = f.StrategyFactory(directorate=directorate)
    provider = f.ProviderFactory()
    meeting = f.MeetingFactory()
    action_plan = f.ActionPlanFactory(provider=provider)
    objects = {
        "strategy": strategy,
        "commissioningstrategy": strategy,
        "outcome": f.OutcomeFactory(strategy=strategy),
        "intention": f.IntentionFactory(strategy=strategy),
        "risk": f.StrategyRiskFactory(strategy=strategy),
        "draft_report": f.HighlightReportFactory(strategy=strategy),
        "submitted_report": f.SubmittedHighlightReportFactory(strategy=strategy, year=2018, quarter=2),
        "contract": f.ContractFactory(directorate=directorate, lead_provider=provider),
        "pooledbudget": f.PooledBudgetFactory(strategy=strategy),
        "provider": provider,
        "location": f.LocationFactory(provider=provider),
        "cqcrating": None,
        "riskassessment": f.RiskAssessmentFactory(provider=provider),
        "visit": f.VisitFactory(provider=provider),
        "concern": f.ConcernFactory(provider=provider),
        "sanction": f.SanctionFactory(provider=provider),
        "actionplan": action_plan,
        "measure": f.MeasureFactory(strategy=strategy),
        "committee": meeting.committee,
        "meeting": meeting,
        "scrutinyconclusion": f.ScrutinyConclusionFactory(strategy=strategy, meeting=meeting),
        "draft_pack": f.ScrutinyPackFactory(meeting=meeting),
        "published_pack": f.PublishedScrutinyPackFactory(meeting=meeting, title="Published pack"),
    }
    objects["cqcrating"] = f.CqcRatingFactory(location=objects["location"])
    objects["measureresult"] = f.MeasureResultFactory(measure=objects["measure"])
    objects["contractchange"] = f.ContractChangeFactory(contract=objects["contract"])
    objects["planaction"] = f.PlanActionFactory(plan=action_plan)
    return objects


def _client(role: str, directorate) -> Client:
    client = Client()
    if role != ANONYMOUS:
        user = f.UserFactory(directorate=directorate, is_staff=role == "admin")
        user.groups.add(Group.objects.get(name=ROLE_NAMES[role]))
        client.force_login(user)
    return client


def _expected(entry: Entry, role: str):
    if role == ANONYMOUS:
        return entry.anonymous
    if role in entry.overrides:
        return entry.overrides[role]
    held = roles.role_permissions(ROLE_NAMES[role])
    return entry.allowed if all(perm in held for perm in entry.perms) else DENIED


def _path(name: str, entry: Entry, world: dict) -> str:
    kwargs = {
        key: (world[value].pk if isinstance(value, str) and value in world else value)
        for key, value in entry.kwargs.items()
    }
    return reverse(name, kwargs=kwargs or None)


def _outcome(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    return response.status_code in expected


@pytest.mark.parametrize("name", sorted(_matrix()))
def test_each_role_gets_the_expected_answer(name, world, directorate):
    entry = _matrix()[name]
    path = _path(name, entry, world)
    wrong = []
    for role in EVERYONE:
        client = _client(role, directorate)
        request = client.post if entry.method == "POST" else client.get
        response = request(path, HTTP_ACCEPT="text/html,application/json")
        expected = _expected(entry, role)
        if not _outcome(response, expected):
            shown = "sign-in redirect" if expected == LOGIN else sorted(expected)
            wrong.append(f"{role}: {entry.method} {path} gave {response.status_code}, expected {shown}")

    assert not wrong, "\n".join(wrong)


# --- Objects that must not leak through an ID in the URL -------------------------------------------------


def test_a_councillor_cannot_open_a_draft_pack_by_its_id(world, directorate):
    client = _client("scrutiny", directorate)

    assert client.get(reverse("scrutiny:pack", args=[world["draft_pack"].pk])).status_code == 404
    assert client.get(reverse("scrutiny:pack", args=[world["published_pack"].pk])).status_code == 200
    assert client.get(reverse("v1:scrutinypack-detail", args=[world["draft_pack"].pk])).status_code == 404


def test_a_councillor_does_not_find_draft_packs_in_the_api_list(world, directorate):
    client = _client("scrutiny", directorate)

    body = client.get(reverse("v1:scrutinypack-list")).json()

    ids = {row["id"] for row in body["results"]}
    assert world["published_pack"].pk in ids
    assert world["draft_pack"].pk not in ids


def test_a_councillor_cannot_open_a_draft_highlight_report_by_its_id(world, directorate):
    client = _client("scrutiny", directorate)
    draft, submitted = world["draft_report"], world["submitted_report"]

    assert client.get(reverse("strategies:report", args=[draft.pk])).status_code == 404
    assert client.get(reverse("strategies:report", args=[submitted.pk])).status_code == 200
    assert client.get(reverse("v1:highlightreport-detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("scrutiny:report_pdf_status", args=[draft.pk])).status_code == 404


def test_a_commissioner_cannot_edit_another_directorates_strategy(world, directorate):
    other = f.StrategyFactory(directorate=f.DirectorateFactory(name="Children's Services", code="cs"))
    outcome = f.OutcomeFactory(strategy=other)
    client = _client("commissioner", directorate)

    assert client.get(reverse("strategies:edit", args=[world["strategy"].pk])).status_code == 200
    assert client.get(reverse("strategies:edit", args=[other.pk])).status_code in DENIED
    assert client.post(reverse("strategies:edit", args=[other.pk]), {"name": "Taken over"}).status_code in DENIED
    assert client.get(reverse("strategies:outcome_add", args=[other.pk])).status_code in DENIED
    assert client.get(reverse("strategies:outcome_edit", args=[other.pk, outcome.pk])).status_code in DENIED
    other.refresh_from_db()
    assert other.name != "Taken over"


def test_a_commissioner_cannot_change_another_directorates_strategy_through_the_api(world, directorate):
    other = f.StrategyFactory(directorate=f.DirectorateFactory(name="Children's Services", code="cs"))
    client = _client("commissioner", directorate)

    response = client.patch(
        reverse("v1:strategy-detail", args=[other.pk]), {"name": "Taken over"}, content_type="application/json"
    )

    assert response.status_code in DENIED
    other.refresh_from_db()
    assert other.name != "Taken over"


def test_an_outcome_cannot_be_edited_through_another_strategys_address(world, directorate):
    """The URL's strategy and the outcome must belong together: no reaching across by swapping an ID."""
    other = f.StrategyFactory(directorate=f.DirectorateFactory(name="Children's Services", code="cs"))
    foreign_outcome = f.OutcomeFactory(strategy=other)
    client = _client("commissioner", directorate)

    path = reverse("strategies:outcome_edit", args=[world["strategy"].pk, foreign_outcome.pk])

    assert client.get(path).status_code == 404


@pytest.mark.parametrize("role, expected", [("commissioner", 302), ("officer", 302), ("scrutiny", 302), ("admin", 200)])
def test_admin_site_is_for_staff_only(directorate, role, expected):
    response = _client(role, directorate).get("/admin/")

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/admin/login/")
