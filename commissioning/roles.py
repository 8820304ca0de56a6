"""The four roles, as auth groups, and the model permissions each holds.

The groups are created by a data migration and kept in step after every
``migrate`` (post_migrate), so a model added later gets its permissions too.
Views and the API check Django permissions; the groups are the one place
that says which role holds which.
"""

from django.apps import apps as global_apps

COMMISSIONER = "Commissioner"
CONTRACT_OFFICER = "Contract officer"
SCRUTINY_MEMBER = "Scrutiny member"
ADMINISTRATOR = "Administrator"
ALL_ROLES = (COMMISSIONER, CONTRACT_OFFICER, SCRUTINY_MEMBER, ADMINISTRATOR)
# A membership, not a role: safeguarding leads read every safeguarding concern and serious incident.
SAFEGUARDING_LEAD = "Safeguarding lead"

DOMAIN_APPS = (
    "commissioning",
    "strategies",
    "contracts",
    "oversight",
    "providers",
    "performance",
    "scrutiny",
    "records",
)

# Officer-only records: councillors do not see providers' safeguarding detail or contract terms.
OFFICER_ONLY_APPS = ("contracts", "oversight", "providers")

# Models a role keeps (adds, changes and views), as "app_label.model".
_COMMISSIONER_EDITS = [
    "strategies.commissioningstrategy",
    "strategies.outcome",
    "strategies.commissioningintention",
    "strategies.strategyrisk",
    "strategies.highlightreport",
    "performance.measure",
    "performance.measureresult",
    "contracts.pooledbudget",
    # Decision records (the Executive reports packs carry): prepared by commissioners with democratic services.
    "scrutiny.decision",
    # The forward plan, a report's scrutiny stages, and the recommendations with the Executive's responses.
    "scrutiny.forwardplanentry",
    "scrutiny.scrutinystage",
    "scrutiny.scrutinyrecommendation",
    "scrutiny.recommendationaction",
    # Commissioning plans' themes and "I" statements, and savings.
    "strategies.strategictheme",
    "strategies.themestatement",
    "strategies.saving",
]
_CONTRACT_OFFICER_EDITS = [
    "contracts.contract",
    # The procurement work plan is kept by the commercial team's contract officers.
    "contracts.procurementproject",
    # Pooled budgets and providers' records are changed through their services (the admin's, and imports:
    # contract import --create-providers adds providers, the CQC import adds and changes ratings).
    "contracts.pooledbudget",
    "oversight.concern",
    "oversight.sanction",
    "oversight.planaction",
    # Procurement Act 2023 contract performance: KPIs, results, assessments, notices and breaches.
    "oversight.contractkpi",
    "oversight.kpiresult",
    "oversight.performanceassessment",
    "oversight.contractbreach",
    "oversight.contractperformancenotice",
    "oversight.providerfailurecase",
    "oversight.providerqualitytier",
    "oversight.escalation",
    "oversight.escalationaction",
    "oversight.governancemeeting",
    "oversight.governanceitem",
    "oversight.contractreturn",
    "providers.provider",
    "providers.location",
    "providers.cqcrating",
    "performance.measureresult",
]
# Models a role records (add/view) but never edits: changes, visits, plans and escalation steps are
# recorded, risk assessments are history (a new one is recorded instead).
_CONTRACT_OFFICER_RECORDS = [
    "contracts.contractchange",
    "oversight.visit",
    "oversight.actionplan",
    "oversight.escalationstep",
    "providers.riskassessment",
    "oversight.escalationevent",
    "oversight.marketindicator",
]
# Alerts on contracts are raised by the daily sweep, never added by hand: officers read and acknowledge them
# (acknowledging one is changing it).
_CONTRACT_OFFICER_ACKNOWLEDGES = ["oversight.contractalert"]
_SCRUTINY_READS = [
    "strategies.commissioningstrategy",
    "strategies.outcome",
    "strategies.commissioningintention",
    "strategies.strategyrisk",
    "strategies.highlightreport",
    "performance.measure",
    "performance.measureresult",
    "scrutiny.committee",
    "scrutiny.meeting",
    "scrutiny.scrutinyconclusion",
    "scrutiny.scrutinypack",
    "scrutiny.decision",
    "scrutiny.forwardplanentry",
    "scrutiny.scrutinystage",
    "scrutiny.scrutinyrecommendation",
    "strategies.cyclestage",
    "strategies.strategictheme",
    "strategies.themestatement",
    "strategies.saving",
]

# Extra (custom) permissions per role, as "app_label.codename".
_EXTRA = {
    COMMISSIONER: ["strategies.submit_highlightreport"],
    CONTRACT_OFFICER: [
        "contracts.import_contracts",
        "providers.import_cqc_ratings",
        "providers.acknowledge_cqcratingalert",
        "oversight.approve_contractperformancenotice",
    ],
    SCRUTINY_MEMBER: [],
    ADMINISTRATOR: [],
}


# Records whose reading follows a relation, not a role: a notification is its recipient's, a document is
# readable by whoever may read the record it is attached to (commissioning.documents).
# Nor do roles read by model what no page or endpoint lists by itself: directorates and users are listed only in
# the admin (the administrator's), and child records are shown only inside their parent's page and API, which
# check the parent's view right.
_NOT_BY_ROLE = {
    "commissioning.notification",
    "commissioning.document",
    "commissioning.historicaldocument",
    # An import's progress is its uploader's (and administrators'): ImportJob.objects.visible_to.
    "commissioning.importjob",
    # Who read which safeguarding record, and the safeguarding duty rota: administrators' alone.
    "commissioning.recordread",
    # API tokens and backup codes are their owner's alone (commissioning.tokens, commissioning.otp); the
    # directory group mappings of single sign-on are administrators' (commissioning.sso).
    "commissioning.apitoken",
    "commissioning.backupcode",
    "commissioning.directorygroupmapping",
    "commissioning.ssoidentity",
    "oversight.safeguardingdutylead",
    # A user's own alert rules are theirs alone (ContractAlertRule is read and kept by its user).
    "oversight.contractalertrule",
    "commissioning.directorate",
    "commissioning.user",
    "contracts.contractchange",
    "oversight.escalationstep",
    "oversight.planaction",
    "oversight.escalationevent",
    "oversight.escalationaction",
    "oversight.governanceitem",
    "oversight.returnfinding",  # shown inside its return
    # Escalation stages and triggers are configuration only administrators set and read (their pages).
    "oversight.escalationstage",
    "oversight.escalationtrigger",
    # A quality framework's tiers are read on its page and in its API (the framework's view right).
    "oversight.qualitytier",
    "scrutiny.agendaitem",
    "scrutiny.recommendationaction",
    "scrutiny.packappendix",
    "scrutiny.packsupplement",
    "scrutiny.supplementitem",
    "scrutiny.packrevision",
    "scrutiny.exemptdocument",
    "scrutiny.reportrender",
    "strategies.reportevent",
    # Records and data protection (retention, holds, subject access, redaction, the public statements): the
    # administrators' (who act as the data protection officer's team), through their own pages.
    "records.retentionrule",
    "records.legalhold",
    "records.disposalrecord",
    "records.publicstatement",
    "records.subjectaccesssearch",
    "records.redaction",
}


def _rights(model: str, actions: tuple[str, ...]) -> set[str]:
    """``actions`` on ``model`` ("app_label.model"), less the view right of a record not read by role."""
    label, name = model.split(".")
    return {f"{label}.{action}_{name}" for action in actions if action != "view" or model not in _NOT_BY_ROLE}


def _all_view_permissions():
    names = []
    for label in DOMAIN_APPS:
        for model in global_apps.get_app_config(label).get_models():
            # History rows are read through their record's page (the admin is the administrator's).
            if f"{label}.{model._meta.model_name}" in _NOT_BY_ROLE or model._meta.model_name.startswith("historical"):
                continue
            names.append(f"{label}.view_{model._meta.model_name}")
    return names


def role_permissions(role: str) -> set[str]:
    """The "app_label.codename" permissions a role holds."""
    if role == ADMINISTRATOR:
        everything: set[str] = set()
        for label in DOMAIN_APPS:
            for model_class in global_apps.get_app_config(label).get_models():
                for action in ("add", "change", "delete", "view"):
                    everything.add(f"{label}.{action}_{model_class._meta.model_name}")
                for codename, _ in model_class._meta.permissions:
                    everything.add(f"{label}.{codename}")
        return everything
    perms: set[str] = set(_EXTRA[role])
    if role == SCRUTINY_MEMBER:
        perms |= {f"{m.split('.')[0]}.view_{m.split('.')[1]}" for m in _SCRUTINY_READS}
        return perms
    perms |= set(_all_view_permissions())
    edits = _COMMISSIONER_EDITS if role == COMMISSIONER else _CONTRACT_OFFICER_EDITS
    for model in edits:
        perms |= _rights(model, ("add", "change", "view"))
    if role == CONTRACT_OFFICER:
        for model in _CONTRACT_OFFICER_RECORDS:
            perms |= _rights(model, ("add", "view"))
        for model in _CONTRACT_OFFICER_ACKNOWLEDGES:
            perms |= _rights(model, ("change", "view"))
    if role == COMMISSIONER:
        # Conclusions are recorded, never edited.
        perms.add("scrutiny.add_scrutinyconclusion")
    return perms


def sync_role_groups(apps=global_apps, **kwargs) -> None:
    """Create the role groups and give each exactly its permissions (idempotent)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(content_type__app_label__in=DOMAIN_APPS)
    }
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [by_name[name] for name in sorted(role_permissions(role)) if name in by_name]
        group.permissions.set(wanted)
    Group.objects.get_or_create(name=SAFEGUARDING_LEAD)  # a membership holding no permissions
