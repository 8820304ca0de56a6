"""The contract register as an Open Contracting Data Standard 1.1 release package: one release per contract,
with the performance-failures extension carrying sanctions, and visits listed as implementation documents."""

from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from contracts.models import Contract

# The council as buyer, and its OCDS prefix (registered with the Open Contracting Partnership).
COUNCIL_NAME = getattr(settings, "COUNCIL_NAME", "Lincolnshire County Council")
COUNCIL_IDENTIFIER = getattr(settings, "COUNCIL_IDENTIFIER", ("GB-LAE", "LIN"))
OCDS_PREFIX = getattr(settings, "OCDS_PREFIX", "ocds-lcc001")
PERFORMANCE_FAILURES_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_performance_failures/master/extension.json"
)

CONTRACT_STATUS: dict[str, str] = {
    Contract.Status.PIPELINE: "pending",
    Contract.Status.LIVE: "active",
    Contract.Status.EXPIRED: "terminated",
    Contract.Status.TERMINATED: "terminated",
}


def _datetime(day: date) -> str:
    return timezone.make_aware(datetime.combine(day, time.min)).isoformat()


def _value(amount: Decimal) -> dict:
    return {"amount": float(amount), "currency": "GBP"}


def _party(provider) -> dict:
    party = {"id": f"provider-{provider.pk}", "name": provider.name, "roles": ["supplier"]}
    if provider.companies_house_number:
        party["identifier"] = {"scheme": "GB-COH", "id": provider.companies_house_number, "legalName": provider.name}
    elif provider.charity_number:
        party["identifier"] = {"scheme": "GB-CHC", "id": provider.charity_number, "legalName": provider.name}
    else:
        party["identifier"] = {"scheme": "GB-LAE-SUPPLIER", "id": str(provider.pk), "legalName": provider.name}
    party["details"] = {"scale": "sme" if provider.is_sme else "large"}
    if provider.postcode:
        party["address"] = {"postalCode": provider.postcode, "countryName": "United Kingdom"}
    return party


def _buyer() -> dict:
    scheme, code = COUNCIL_IDENTIFIER
    return {
        "id": f"{scheme}-{code}",
        "name": COUNCIL_NAME,
        "identifier": {"scheme": scheme, "id": code, "legalName": COUNCIL_NAME},
        "roles": ["buyer", "procuringEntity"],
    }


def ocds_release(contract: Contract) -> dict:
    """One contract as an OCDS 1.1 release: buyer and suppliers as parties, an award, the contract with its
    period (and maximum extent), and implementation: visits as documents, sanctions as performance failures."""
    ocid = f"{OCDS_PREFIX}-{contract.reference}"
    buyer = _buyer()
    providers = [p for p in [contract.lead_provider, *contract.other_providers.all()] if p is not None]
    parties = [buyer, *({p.pk: _party(p) for p in providers}.values())]
    suppliers = [{"id": party["id"], "name": party["name"]} for party in parties[1:]]
    award_id = f"{ocid}-award"
    period = {"startDate": _datetime(contract.start_date), "endDate": _datetime(contract.end_date)}
    period["maxExtentDate"] = _datetime(contract.maximum_end_date)
    implementation = {
        "documents": [
            {
                "id": f"visit-{visit.pk}",
                "documentType": "physicalProgressReport",
                "title": f"{visit.get_kind_display()} monitoring visit",
                "description": visit.findings,
                "datePublished": _datetime(visit.visited_on),
            }
            for visit in contract.visits.all()
        ],
        "performanceFailures": [
            {
                "id": f"sanction-{sanction.pk}",
                "category": sanction.get_kind_display(),
                "period": {
                    "startDate": _datetime(sanction.issued_on),
                    **({"endDate": _datetime(sanction.lifted_on)} if sanction.lifted_on else {}),
                },
                "events": 1,
                **({"penaltyImposed": _value(sanction.amount)} if sanction.amount is not None else {}),
            }
            for sanction in contract.sanctions.all()
        ],
    }
    return {
        "ocid": ocid,
        "id": f"{ocid}-{contract.updated_at:%Y%m%d%H%M%S}",
        "date": contract.updated_at.isoformat(),
        "tag": ["contract", "implementation"]
        if implementation["documents"] or implementation["performanceFailures"]
        else ["contract"],
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": {
            "id": f"{ocid}-tender",
            "title": contract.title,
            "procurementMethodDetails": contract.procurement_route,
        },
        "awards": [
            {
                "id": award_id,
                "title": contract.title,
                "status": "active",
                "date": _datetime(contract.start_date),
                "value": _value(contract.total_value),
                "suppliers": suppliers,
                "contractPeriod": period,
            }
        ],
        "contracts": [
            {
                "id": contract.reference,
                "awardID": award_id,
                "title": contract.title,
                "description": contract.description,
                "status": CONTRACT_STATUS[contract.status],
                "period": period,
                "value": _value(contract.total_value),
                "implementation": implementation,
            }
        ],
    }


def ocds_package(contracts, *, uri: str) -> dict:
    """An OCDS 1.1 release package of the given contracts."""
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": [PERFORMANCE_FAILURES_EXTENSION],
        "publishedDate": timezone.now().isoformat(),
        "publisher": {"name": COUNCIL_NAME, "scheme": COUNCIL_IDENTIFIER[0], "uid": COUNCIL_IDENTIFIER[1]},
        "license": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "publicationPolicy": "https://www.gov.uk/government/publications/local-government-transparency-code-2015",
        "releases": [ocds_release(contract) for contract in contracts],
    }
