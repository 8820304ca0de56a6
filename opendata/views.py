"""The open data exports of the contract register, under /api/v1/exports/.

- ``contracts.csv``: the Local Government Transparency Code 2015 contracts layout (see ``transparency``).
- ``ocds.json``: an Open Contracting Data Standard 1.1 release package (see ``ocds``).

Both read the same register rows as the API, so they need the same right (``contracts.view_contract``):
the council publishes the files it downloads.
"""

import csv

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from commissioning.api import AUTHENTICATION_CLASSES, ApiAutoSchema, RoleModelPermissions
from commissioning.security import neutralise_row
from contracts.models import Contract

from .ocds import ocds_package
from .selectors import published_contracts
from .transparency import CSV_COLUMNS, transparency_rows


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
        writer.writerows(neutralise_row(row) for row in transparency_rows(published_contracts(user=request.user)))
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
        package = ocds_package(published_contracts(user=request.user), uri=request.build_absolute_uri())
        return Response(package, content_type="application/json")
