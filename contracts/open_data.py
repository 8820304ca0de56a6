"""Open data exports of the contract register.

- ``contracts.csv``: the Local Government Transparency Code 2015 contracts layout (Part 2, "Contracts").
- ``ocds.json``: an Open Contracting Data Standard 1.1 release package, one release per contract, with
  the performance-failures extension carrying sanctions, and visits listed as implementation documents.

Both read the same register rows as the API, so they need the same right (``contracts.view_contract``):
the council publishes the files it downloads.
"""

import csv
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from commissioning.api import AUTHENTICATION_CLASSES, ApiAutoSchema, RoleModelPermissions
from commissioning.security import neutralise_row

from .models import Contract, Sanction, Visit

# The council as buyer, and its OCDS prefix (registered with the Open Contracting Partnership).
COUNCIL_NAME = getattr(settings, "COUNCIL_NAME", "Lincolnshire County Council")
COUNCIL_IDENTIFIER = getattr(settings, "COUNCIL_IDENTIFIER", ("GB-LAE", "LIN"))
OCDS_PREFIX = getattr(settings, "OCDS_PREFIX", "ocds-lcc001")
PERFORMANCE_FAILURES_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_performance_failures/master/extension.json"
)

CSV_COLUMNS = [
    "Reference number",
    "Title of agreement",
    "Department responsible",
    "Description of goods and services",
    "Supplier name",
    "Supplier Companies House registration number",
    "Supplier charity registration number",
    "SME",
    "VCSE",
    "Total value of contract (£)",
    "Estimated annual value (£)",
    "VAT that cannot be recovered (£)",
    "Start date",
    "End date",
    "Review date",
    "Procurement route",
]

CONTRACT_STATUS = {
    Contract.Status.PIPELINE: "pending",
    Contract.Status.LIVE: "active",
    Contract.Status.EXPIRED: "terminated",
    Contract.Status.TERMINATED: "terminated",
}


def published_contracts():
    """Contracts let (not those still in procurement), with everything both files show loaded up front."""
    return (
        Contract.objects.exclude(status=Contract.Status.PIPELINE)
        .select_related("directorate", "lead_provider")
        .prefetch_related(
            "other_providers",
            Prefetch("visits", queryset=Visit.objects.order_by("visited_on", "pk")),
            Prefetch("sanctions", queryset=Sanction.objects.order_by("issued_on", "pk")),
        )
        .order_by("reference")
    )


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def transparency_rows(contracts):
    """One row per contract in the Transparency Code's columns (dates ISO 8601, money without symbols)."""
    for contract in contracts:
        supplier = contract.lead_provider
        yield [
            contract.reference,
            contract.title,
            contract.directorate.name,
            contract.description,
            supplier.name if supplier else contract.provider_summary,
            supplier.companies_house_number if supplier else "",
            supplier.charity_number if supplier else "",
            _yes_no(supplier.is_sme) if supplier else "",
            _yes_no(supplier.is_vcse) if supplier else "",
            _money(contract.total_value),
            _money(contract.annual_value),
            _money(contract.vat_not_recoverable),
            contract.start_date.isoformat(),
            contract.end_date.isoformat(),
            contract.review_date.isoformat() if contract.review_date else "",
            contract.procurement_route,
        ]


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


class CsvRenderer(BaseRenderer):
    """Names text/csv for content negotiation and the schema; the view writes the CSV itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach a renderer (the CSV is written directly): give them as the one JSON error body.
        return JSONRenderer().render(data, "application/json", renderer_context)


class _ExportView(APIView):
    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = [IsAuthenticated, RoleModelPermissions]
    schema = ApiAutoSchema()
    # RoleModelPermissions reads the model from here: the right to view contracts.
    queryset = Contract.objects.none()

    def get_authenticate_header(self, request):
        return 'Token realm="api"'


class TransparencyCsvView(_ExportView):
    # JSON first, so that an error answers in the one error format.
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        summary="Contract register, Transparency Code 2015 layout (CSV)",
        description="Contracts let by the council, one row each, in the Local Government Transparency Code "
        "2015 contracts columns. " + ", ".join(CSV_COLUMNS) + ".",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8, with a header row.")},
        tags=["exports"],
    )
    def get(self, request):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="contracts.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        # Titles and supplier names are free text: stop a spreadsheet reading them as formulas.
        writer.writerows(neutralise_row(row) for row in transparency_rows(published_contracts()))
        return response


class OcdsView(_ExportView):
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Contracts as an OCDS 1.1 release package (JSON)",
        description="One release per contract let: parties with identifiers, the award, the contract with its "
        "period and maximum extension, and implementation (monitoring visits as documents, sanctions as "
        "performance failures).",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="An OCDS 1.1 release package.")},
        tags=["exports"],
    )
    def get(self, request):
        package = ocds_package(published_contracts(), uri=request.build_absolute_uri())
        return Response(package, content_type="application/json")


urlpatterns = [
    path("exports/contracts.csv", TransparencyCsvView.as_view(), name="export-contracts-csv"),
    path("exports/ocds.json", OcdsView.as_view(), name="export-ocds"),
]
