"""The published contract performance notices (UK9) as JSON, under /api/v1/exports/: each notice's fixed
regulation 39 content as it was published, with the contract's OCID. Drafts and approved notices not yet
published never appear. Who may read it follows ``OPEN_DATA_PUBLIC`` as for the other exports."""

from __future__ import annotations

import json

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer

from oversight.models import ContractPerformanceNotice
from oversight.notices import published_notices

from .ocds import COUNCIL_NAME, LICENCE_URL, ocid_for
from .views import LICENCE_NAME, _ExportView


def notice_record(notice: ContractPerformanceNotice) -> dict:
    """One published notice: who published it and when, its identifiers, and its content exactly as fixed."""
    return {
        "id": notice.pk,
        "ocid": ocid_for(notice.contract),
        "contractReference": notice.contract.reference,
        "kind": notice.kind,
        "periodStart": notice.period_start.isoformat(),
        "periodEnd": notice.period_end.isoformat(),
        "publishedAt": notice.published_at.isoformat() if notice.published_at else None,
        "cdpNoticeId": notice.cdp_notice_id or None,
        "content": notice.content,
    }


def notices_document(notices) -> dict:
    return {
        "publisher": {"name": COUNCIL_NAME},
        "publishedDate": timezone.now().isoformat(),
        "license": LICENCE_URL,
        "notices": [notice_record(notice) for notice in notices],
    }


class PerformanceNoticesJsonView(_ExportView):
    renderer_classes = [JSONRenderer]
    # RoleModelPermissions reads the model from here: the right to view notices (officers).
    queryset = ContractPerformanceNotice.objects.none()  # type: ignore[assignment]

    def build(self, request, user) -> bytes:
        return json.dumps(notices_document(published_notices(user=user)), ensure_ascii=False).encode("utf-8")

    @extend_schema(
        summary="Published contract performance notices (JSON)",
        description="Every contract performance notice (UK9) the council has published, oldest first: the "
        "notice's id, the contract's OCID and reference, its kind (assessment under section 71(2), breach under "
        "section 71(5)), period, publication time, Central Digital Platform identifier and its content as fixed "
        "at approval (the contracting authority and its contact details, the contract, the supplier's name, "
        "address, e-mail and identifiers, and each KPI with its rating, or the breach). Published under the "
        f"{LICENCE_NAME}.",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="{publisher, publishedDate, license, notices}")
        },
        tags=["exports"],
    )
    def get(self, request):
        return self.respond(request)
