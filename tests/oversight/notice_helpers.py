"""Shared set-ups of the notice and breach tests (helper C's): an assessed contract whose KPIs are ready."""

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from commissioning import roles
from commissioning.models import Document
from oversight.models import KpiResult

from ..factories import (
    ActContractFactory,
    CompletedAssessmentFactory,
    NoticeKpiFactory,
    NoticeKpiResultFactory,
    UserFactory,
)


def officer(username: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=roles.CONTRACT_OFFICER))
    return user


def attach_evidence(result: KpiResult, by) -> Document:
    """Evidence on a result, as commissioning.documents would store it (the file's checks are its own tests')."""
    return Document.objects.create(
        content_type=ContentType.objects.get_for_model(KpiResult),
        object_id=result.pk,
        file=f"documents/evidence-{result.pk}.pdf",
        title="Supplier return",
        original_filename="return.pdf",
        mime_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=by,
    )


def assessed_contract(*, by, kpis: int = 3, evidence: bool = True, **contract):
    """A contract under the Act over £5m with ``kpis`` KPIs, each rated Good for 2025/26 (with evidence), and
    its completed annual assessment. Returns (contract, assessment, results)."""
    contract_ = ActContractFactory(**contract)
    results = []
    for position in range(kpis):
        kpi = NoticeKpiFactory(contract=contract_, position=position, name=f"KPI {position + 1}")
        result = NoticeKpiResultFactory(kpi=kpi)
        if evidence:
            attach_evidence(result, by)
        results.append(result)
    assessment = CompletedAssessmentFactory(contract=contract_, assessed_by=by)
    return contract_, assessment, results
