"""The contract register as an Open Contracting Data Standard 1.1 release package: one release per contract.

- A contract let (live, expired, terminated) is a release at the contract stage: buyer and suppliers as
  parties, the award, the contract with its period (and maximum extent), its changes (variations, extensions,
  novations) as ``contracts[].amendments``, and implementation: monitoring visits as documents (the fact and
  date of the visit, never its findings, which may name people) and performance failures.
- A contract still in procurement (``Contract.Status.PIPELINE``) is a release at the tender stage: no award,
  no contract, the tender with its estimated value and contract period.

Extensions declared (each validated by ``opendata.schema``): Performance Failures, Party Details - Scale
(``details.scale``: SME or large) and the UK extension (``details.vcse``; penalty fields of a failure).

Supplier identifiers come only from registered org-id.guide schemes: GB-COH (Companies House), GB-CHC
(Charity Commission), GB-PPON (Public Procurement Organisation Number). A supplier with none gets no
``identifier`` (OCDS does not require one) rather than a made-up scheme.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from contracts.models import Contract, ContractChange
from oversight.models import ContractPerformanceNotice, Sanction

from .schema import METRICS_EXTENSION_URL, UK_EXTENSION_URL
from .schemas import party_scale, performance_failures

# The council as buyer, and its OCDS prefix (registered with the Open Contracting Partnership).
COUNCIL_NAME = getattr(settings, "COUNCIL_NAME", "Lincolnshire County Council")
COUNCIL_IDENTIFIER = getattr(settings, "COUNCIL_IDENTIFIER", ("GB-LAE", "LIN"))
OCDS_PREFIX = getattr(settings, "OCDS_PREFIX", "ocds-lcc001")
PERFORMANCE_FAILURES_EXTENSION = performance_failures.URL
# The Metrics extension carries KPI targets (contracts[].agreedMetrics) and results (implementation.metrics);
# it comes before the UK extension, which adds measureClassification to its Observation.
EXTENSIONS = [performance_failures.URL, party_scale.URL, METRICS_EXTENSION_URL, UK_EXTENSION_URL]
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
PUBLICATION_POLICY_URL = "https://www.gov.uk/government/publications/local-government-transparency-code-2015"

CONTRACT_STATUS: dict[str, str] = {
    Contract.Status.LIVE: "active",
    Contract.Status.EXPIRED: "terminated",
    Contract.Status.TERMINATED: "terminated",
}

# Which sanctions are performance failures in the extension's sense (a breach with a penalty): service
# credits (a deduction for missing a service level), terminations for breach, and any sanction with a
# financial penalty recorded. A default notice or a suspension of admissions without a penalty is a step to
# make the provider put things right, not a recorded failure with a penalty, so it is not published as one.
FAILURE_KINDS = frozenset({Sanction.Kind.SERVICE_CREDIT, Sanction.Kind.TERMINATION})

# Registered identifier schemes, in the order the primary identifier is chosen (the rest are additional).
IDENTIFIER_SCHEMES = (
    ("GB-COH", "companies_house_number"),
    ("GB-CHC", "charity_number"),
    ("GB-PPON", "ppon_id"),
)


def is_performance_failure(sanction: Sanction) -> bool:
    return sanction.kind in FAILURE_KINDS or sanction.amount is not None


def _datetime(day: date) -> str:
    return timezone.make_aware(datetime.combine(day, time.min)).isoformat()


def _value(amount: Decimal) -> dict:
    return {"amount": float(amount), "currency": "GBP"}


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _party_id(provider) -> str:
    return f"provider-{provider.pk}"


def _identifiers(provider) -> list[dict]:
    found = []
    for scheme, attribute in IDENTIFIER_SCHEMES:
        value = (getattr(provider, attribute, "") or "").strip()
        if value:
            found.append({"scheme": scheme, "id": value})
    return found


def _party(provider) -> dict:
    party: dict = {"id": _party_id(provider), "name": provider.name, "roles": ["supplier"]}
    identifiers = _identifiers(provider)
    if identifiers:
        party["identifier"] = {**identifiers[0], "legalName": provider.name}
    if len(identifiers) > 1:
        party["additionalIdentifiers"] = identifiers[1:]
    address_lines = [line.strip() for line in (provider.address or "").splitlines() if line.strip()]
    if address_lines or provider.postcode:
        address: dict = {"countryName": "United Kingdom"}
        if address_lines:
            address["streetAddress"] = ", ".join(address_lines)
        if provider.postcode:
            address["postalCode"] = provider.postcode
        party["address"] = address
    # Scale from the partyDetails scale extension, VCSE from the UK extension.
    party["details"] = {"scale": "sme" if provider.is_sme else "large", "vcse": bool(provider.is_vcse)}
    return party


def _buyer() -> dict:
    scheme, code = COUNCIL_IDENTIFIER
    return {
        "id": f"{scheme}-{code}",
        "name": COUNCIL_NAME,
        "identifier": {"scheme": scheme, "id": code, "legalName": COUNCIL_NAME},
        "roles": ["buyer", "procuringEntity"],
    }


def _performance_failure(sanction: Sanction, contract: Contract, supplier_ids: set[str]) -> dict:
    """A sanction as a performance failure: the extension's fields (penalties as text), and the UK
    extension's penalty value, type (the council applies the contract's own remedies: "contracted"),
    decision date and responsible supplier."""
    failure: dict = {
        "id": f"sanction-{sanction.pk}",
        "category": sanction.get_kind_display(),
        "period": {
            "startDate": _datetime(sanction.issued_on),
            **({"endDate": _datetime(sanction.lifted_on)} if sanction.lifted_on else {}),
        },
        "events": 1,
        "decisionDate": _datetime(sanction.issued_on),
        "penaltyType": "contracted",
    }
    if sanction.kind == Sanction.Kind.SERVICE_CREDIT and contract.service_credit_percentage is not None:
        failure["penaltyContracted"] = (
            f"Service credit of {contract.service_credit_percentage.normalize():f}% of the contract price"
        )
    if sanction.amount is not None:
        failure["penaltyImposed"] = _pounds(sanction.amount)
        failure["penaltyValue"] = _value(sanction.amount)
    elif sanction.kind == Sanction.Kind.TERMINATION:
        failure["penaltyImposed"] = "Contract terminated"
    if _party_id(sanction.provider) in supplier_ids:
        failure["suppliers"] = [{"id": _party_id(sanction.provider), "name": sanction.provider.name}]
    return failure


def _amendment(change: ContractChange) -> dict:
    """A variation, extension or novation as an OCDS amendment. No earlier releases are published, so
    there is no release ID before or after it to point at."""
    rationale = change.get_kind_display()
    if change.kind == ContractChange.Kind.EXTENSION and change.extension_months:
        rationale = f"Extension of {change.extension_months} months"
    elif change.kind == ContractChange.Kind.NOVATION and change.from_provider_id and change.to_provider_id:
        rationale = f"Novation from {change.from_provider} to {change.to_provider}"
    elif change.kind == ContractChange.Kind.VARIATION and change.value_change:
        rationale = f"Variation changing the value by {_pounds(change.value_change)}"
    return {
        "id": f"change-{change.pk}",
        "date": _datetime(change.effective_on),
        "rationale": rationale,
        "description": change.description,
    }


# KPIs and contract performance notices (UK9), and change notices (UK10), under the Procurement Act 2023.
# The UK extension names the measureClassification codes (met, slightlyBelow, below, significantlyBelow, other:
# oversight.models.MEASURE_CLASSIFICATION) but no scheme; this is the name the council uses for the scale.
MEASURE_CLASSIFICATION_SCHEME = "UK-PA2023-REG39"


def ocid_for(contract: Contract) -> str:
    """The contract's Open Contracting ID (its contracting process)."""
    return f"{OCDS_PREFIX}-{contract.reference}"


def _number(text: str | None) -> float | None:
    return None if text in (None, "") else float(Decimal(str(text)))


def _agreed_metric(kpi) -> dict:
    """A KPI as an agreed metric: its target as the one observation."""
    metric: dict = {"id": f"kpi-{kpi.pk}", "title": kpi.name}
    description = " ".join(part for part in (kpi.description.strip(), kpi.measure.strip()) if part)
    if description:
        metric["description"] = description
    target: dict = {"id": f"kpi-{kpi.pk}-target", "measure": float(kpi.target)}
    if kpi.unit:
        target["unit"] = {"name": kpi.unit}
    metric["observations"] = [target]
    return metric


def _result_metrics(notices: list) -> list[dict]:
    """Each KPI's results as published in the contract's performance notices (their fixed content, never a
    result still being checked), one observation per notice, rated with the UK measureClassification."""
    metrics: dict[str, dict] = {}
    for notice in sorted(notices, key=lambda n: (n.period_end, n.pk)):
        period = notice.content.get("period") or {}
        for kpi in notice.content.get("kpis") or []:
            metric = metrics.setdefault(kpi["id"], {"id": kpi["id"], "title": kpi["name"], "observations": []})
            observation: dict = {"id": f"notice-{notice.pk}-{kpi['id']}"}
            if period.get("startDate") and period.get("endDate"):
                observation["period"] = {
                    "startDate": _datetime(date.fromisoformat(period["startDate"])),
                    "endDate": _datetime(date.fromisoformat(period["endDate"])),
                }
            value = _number(kpi.get("value"))
            if value is not None:
                observation["measure"] = value
            if kpi.get("unit"):
                observation["unit"] = {"name": kpi["unit"]}
            if kpi.get("measureClassification"):
                observation["measureClassification"] = {
                    "scheme": MEASURE_CLASSIFICATION_SCHEME,
                    "id": kpi["measureClassification"],
                    "description": kpi.get("ratingLabel") or kpi["measureClassification"],
                }
            metric["observations"].append(observation)
    return [metric for metric in metrics.values() if metric["observations"]]


def _notice_document(notice) -> dict:
    """A published contract performance notice as an implementation document (the UK documentType)."""
    document: dict = {
        "id": f"notice-{notice.pk}",
        "documentType": "implementationNotice",
        "noticeType": "UK9",
        "title": f"Contract performance notice, {notice.period_start:%d/%m/%Y} to {notice.period_end:%d/%m/%Y}",
        "datePublished": notice.published_at.isoformat(),
        "language": "en",
    }
    if notice.cdp_notice_id:
        document["description"] = f"Central Digital Platform notice {notice.cdp_notice_id}"
    return document


def _performance(contract: Contract, implementation: dict) -> dict:
    """Add the published notices (documents) and the KPI results they report (metrics) to ``implementation``;
    return the contract's agreed metrics (its KPIs' targets), or the recorded reason it has none."""
    notices = [n for n in contract.performance_notices.all() if n.status == ContractPerformanceNotice.Status.PUBLISHED]
    if notices:
        implementation["documents"] = [*implementation.get("documents", []), *map(_notice_document, notices)]
    metrics = _result_metrics(notices)
    if metrics:
        implementation["metrics"] = metrics
    agreed = [_agreed_metric(kpi) for kpi in contract.kpis.all()]
    if agreed:
        return {"agreedMetrics": agreed}
    if contract.kpi_exemption_reason.strip():
        return {"noAgreedMetricsRationale": contract.kpi_exemption_reason.strip()}
    return {}


def _amendments(contract: Contract) -> tuple[list[dict], list[dict]]:
    """(amendments, proposedAmendments): a change that needs a change notice (UK10) is a proposed amendment
    (the UK extension's) until it takes effect; every other change, and those once effective, amendments."""
    today = timezone.localdate()
    amendments, proposed = [], []
    for change in contract.changes.all():
        amendment = _amendment(change)
        if change.change_notice_required and change.change_notice_reason:
            amendment["rationale"] = f"{amendment['rationale']}. {change.change_notice_reason}"
        if change.change_notice_required and change.effective_on > today:
            proposed.append(amendment)
        else:
            amendments.append(amendment)
    return amendments, proposed


def _tender_release(contract: Contract, ocid: str, buyer: dict) -> dict:
    """A contract still in procurement: the invitation to tender, with no award or contract yet."""
    tender: dict = {
        "id": f"{ocid}-tender",
        "title": contract.title,
        "status": "active",
        "value": _value(contract.total_value),
        "contractPeriod": {"startDate": _datetime(contract.start_date), "endDate": _datetime(contract.end_date)},
    }
    if contract.description:
        tender["description"] = contract.description
    if contract.procurement_route:
        tender["procurementMethodDetails"] = contract.procurement_route
    return {
        "ocid": ocid,
        "id": f"{ocid}-{contract.updated_at:%Y%m%d%H%M%S}",
        "date": contract.updated_at.isoformat(),
        "tag": ["tender"],
        "initiationType": "tender",
        "language": "en",
        "parties": [buyer],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": tender,
    }


def ocds_release(contract: Contract) -> dict:
    """One contract as an OCDS 1.1 release (see the module's description for what each stage carries)."""
    ocid = f"{OCDS_PREFIX}-{contract.reference}"
    buyer = _buyer()
    if contract.status == Contract.Status.PIPELINE:
        return _tender_release(contract, ocid, buyer)
    providers = [p for p in [contract.lead_provider, *contract.other_providers.all()] if p is not None]
    supplier_parties = list({p.pk: _party(p) for p in providers}.values())
    supplier_ids = {party["id"] for party in supplier_parties}
    suppliers = [{"id": party["id"], "name": party["name"]} for party in supplier_parties]
    award_id = f"{ocid}-award"
    period = {"startDate": _datetime(contract.start_date), "endDate": _datetime(contract.end_date)}
    period["maxExtentDate"] = _datetime(contract.maximum_end_date)
    implementation: dict = {}
    documents = [
        {
            "id": f"visit-{visit.pk}",
            "documentType": "physicalProgressReport",
            "title": f"{visit.get_kind_display()} monitoring visit",
            "datePublished": _datetime(visit.visited_on),
        }
        for visit in contract.visits.all()
    ]
    if documents:
        implementation["documents"] = documents
    failures = [
        _performance_failure(sanction, contract, supplier_ids)
        for sanction in contract.sanctions.all()
        if is_performance_failure(sanction)
    ]
    if failures:  # the extension requires at least one item when the field is there
        implementation["performanceFailures"] = failures
    amendments, proposed = _amendments(contract)
    performance = _performance(contract, implementation)
    ocds_contract: dict = {
        "id": contract.reference,
        "awardID": award_id,
        "title": contract.title,
        "status": CONTRACT_STATUS[contract.status],
        "period": period,
        "value": _value(contract.total_value),
    }
    if contract.description:
        ocds_contract["description"] = contract.description
    if implementation:
        ocds_contract["implementation"] = implementation
    if amendments:
        ocds_contract["amendments"] = amendments
    if proposed:
        ocds_contract["proposedAmendments"] = proposed
    ocds_contract.update(performance)
    tag = ["contract"]
    if amendments:
        tag.append("contractAmendment")
    if implementation:
        tag.append("implementation")
    tender: dict = {"id": f"{ocid}-tender", "title": contract.title, "status": "complete"}
    if contract.procurement_route:
        tender["procurementMethodDetails"] = contract.procurement_route
    award: dict = {
        "id": award_id,
        "title": contract.title,
        "status": "active",
        "date": _datetime(contract.start_date),
        "value": _value(contract.total_value),
        "suppliers": suppliers,
        "contractPeriod": period,
    }
    return {
        "ocid": ocid,
        "id": f"{ocid}-{contract.updated_at:%Y%m%d%H%M%S}",
        "date": contract.updated_at.isoformat(),
        "tag": tag,
        "initiationType": "tender",
        "language": "en",
        "parties": [buyer, *supplier_parties],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": tender,
        "awards": [award],
        "contracts": [ocds_contract],
    }


def ocds_package(contracts, *, uri: str) -> dict:
    """An OCDS 1.1 release package of the given contracts, published under the Open Government Licence."""
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": list(EXTENSIONS),
        "publishedDate": timezone.now().isoformat(),
        "publisher": {"name": COUNCIL_NAME, "scheme": COUNCIL_IDENTIFIER[0], "uid": COUNCIL_IDENTIFIER[1]},
        "license": LICENCE_URL,
        "publicationPolicy": PUBLICATION_POLICY_URL,
        "releases": [ocds_release(contract) for contract in contracts],
    }
