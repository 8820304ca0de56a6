"""The open data exports of the contract register, under /api/v1/exports/, and their landing page.

- ``contracts.csv``: the Local Government Transparency Code 2015 contracts layout (see ``transparency``).
- ``invitations-to-tender.csv``: the Code's invitations to tender over £5,000 (contracts in procurement).
- ``ocds.json``: an Open Contracting Data Standard 1.1 release package (see ``ocds``).

Who may read them depends on ``settings.OPEN_DATA_PUBLIC``:

- False (the default): the same right as the register's API (``contracts.view_contract``), each user seeing
  the rows their ``visible_to`` rules give them.
- True: anyone, without logging in: the whole register as the council publishes it, built once and kept in
  the cache for ``OPEN_DATA_CACHE_SECONDS``, with ``Cache-Control: public``.

Either way the files are read-only (GET and HEAD only) and published under the Open Government Licence v3.0,
named in a ``Link: <…>; rel="license"`` header (and in the OCDS package's ``license``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from commissioning.api import AUTHENTICATION_CLASSES, ApiAutoSchema, RoleModelPermissions
from commissioning.security import neutralise_row
from contracts.models import Contract

from .ocds import LICENCE_URL, ocds_package
from .selectors import (
    INVITATION_TO_TENDER_THRESHOLD,
    invitations_to_tender,
    published_contracts,
    with_performance,
)
from .transparency import CSV_COLUMNS, INVITATION_COLUMNS, invitation_rows, transparency_rows

LICENCE_NAME = "Open Government Licence v3.0"
CACHE_KEY_PREFIX = "opendata:v1:"


class CsvRenderer(BaseRenderer):
    """Names text/csv for content negotiation and the schema; the view writes the CSV itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach a renderer (the CSV is written directly): give them as the one JSON error body.
        return JSONRenderer().render(data, "application/json", renderer_context)


def _csv_bytes(columns: list[str], rows: Iterable[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    # Titles and supplier names are free text: stop a spreadsheet reading them as formulas.
    writer.writerows(neutralise_row(row) for row in rows)
    return out.getvalue().encode("utf-8")


class _ExportView(APIView):
    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = [IsAuthenticated, RoleModelPermissions]
    schema = ApiAutoSchema()
    # RoleModelPermissions reads the model from here: the right to view contracts.
    queryset = Contract.objects.none()
    # Read-only whoever asks: anything but GET and HEAD is 405.
    http_method_names = ["get", "head"]
    content_type = "application/json"
    filename = ""

    def get_permissions(self):
        # Read at each request, so that the setting can be changed without a code change (and in tests).
        if settings.OPEN_DATA_PUBLIC:
            return [AllowAny()]
        return super().get_permissions()

    def get_authenticate_header(self, request):
        return 'Token realm="api"'

    def build(self, request, user) -> bytes:
        raise NotImplementedError

    def respond(self, request) -> HttpResponse:
        if settings.OPEN_DATA_PUBLIC:
            # The public file is the same for everyone: build it once per host and keep it for a while.
            key = f"{CACHE_KEY_PREFIX}{type(self).__name__}:{request.get_host()}"
            timeout = settings.OPEN_DATA_CACHE_SECONDS
            body = cache.get(key)
            if body is None:
                body = self.build(request, None)
                cache.set(key, body, timeout)
        else:
            body = self.build(request, request.user)
        response = HttpResponse(body, content_type=self.content_type)
        if self.filename:
            response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        response["Link"] = f'<{LICENCE_URL}>; rel="license"; title="{LICENCE_NAME}"'
        if settings.OPEN_DATA_PUBLIC:
            patch_cache_control(response, public=True, max_age=settings.OPEN_DATA_CACHE_SECONDS)
        else:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get(self, request):
        return self.respond(request)


class TransparencyCsvView(_ExportView):
    # JSON first, so that an error answers in the one error format.
    renderer_classes = [JSONRenderer, CsvRenderer]
    content_type = "text/csv; charset=utf-8"
    filename = "contracts.csv"

    def build(self, request, user) -> bytes:
        return _csv_bytes(CSV_COLUMNS, transparency_rows(published_contracts(user=user, pipeline=False)))

    @extend_schema(
        summary="Contract register, Transparency Code 2015 layout (CSV)",
        description="Contracts let by the council, one row each, in the Local Government Transparency Code "
        "2015 contracts columns. " + ", ".join(CSV_COLUMNS) + f". Published under the {LICENCE_NAME}.",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8, with a header row.")},
        tags=["exports"],
    )
    def get(self, request):
        return self.respond(request)


class InvitationsToTenderCsvView(_ExportView):
    renderer_classes = [JSONRenderer, CsvRenderer]
    content_type = "text/csv; charset=utf-8"
    filename = "invitations-to-tender.csv"

    def build(self, request, user) -> bytes:
        return _csv_bytes(INVITATION_COLUMNS, invitation_rows(invitations_to_tender(user=user)))

    @extend_schema(
        summary="Invitations to tender over £5,000, Transparency Code 2015 (CSV)",
        description=f"Contracts still in procurement worth more than £{INVITATION_TO_TENDER_THRESHOLD:,.0f}, "
        "one row each. " + ", ".join(INVITATION_COLUMNS) + f". Published under the {LICENCE_NAME}.",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8, with a header row.")},
        tags=["exports"],
    )
    def get(self, request):
        return self.respond(request)


class OcdsView(_ExportView):
    renderer_classes = [JSONRenderer]

    def build(self, request, user) -> bytes:
        contracts = with_performance(published_contracts(user=user), user=user)
        package = ocds_package(contracts, uri=request.build_absolute_uri())
        return json.dumps(package, ensure_ascii=False).encode("utf-8")

    @extend_schema(
        summary="Contracts as an OCDS 1.1 release package (JSON)",
        description="One release per contract: those let with parties and registered identifiers, the award, "
        "the contract with its period and maximum extension, its amendments (variations, extensions, "
        "novations) and implementation (monitoring visits as documents, breaches with a penalty as "
        "performance failures); those in procurement as tenders. Declares the Performance Failures, Party "
        f"Scale and UK extensions. Published under the {LICENCE_NAME}.",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="An OCDS 1.1 release package.")},
        tags=["exports"],
    )
    def get(self, request):
        return self.respond(request)


@require_safe
def landing(request):
    """The open data page: what each file holds, where to download it and the licence. Open to anyone when
    the council publishes open data (``OPEN_DATA_PUBLIC``), else to those who are logged in."""
    return render(
        request,
        "opendata/landing.html",
        {
            "public": settings.OPEN_DATA_PUBLIC,
            "licence_url": LICENCE_URL,
            "licence_name": LICENCE_NAME,
            "threshold": INVITATION_TO_TENDER_THRESHOLD,
        },
    )
