"""Writes for providers: risk assessments. CQC ratings are written by providers.imports."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning.models import User

from .models import Provider, RiskAssessment, RiskLevel
from .risk import score_risk


@transaction.atomic
def risk_assessment_record(
    *,
    provider: Provider,
    factors: dict,
    assessed_on: date,
    by: User,
    override_level: str | None = None,
    override_reason: str = "",
    rationale: str = "",
) -> RiskAssessment:
    """Score a provider against the risk matrix and keep the assessment as a new row.

    Assessments are never edited: each is history. An officer may set a different level than the
    matrix gives, but must say why.
    """
    try:
        score, calculated_level = score_risk(factors)
    except ValueError as error:
        raise ValidationError({"factors": str(error)}) from error
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The assessment date must be today or in the past."})
    override_reason = override_reason.strip()
    level = calculated_level
    if override_level and override_level != calculated_level:
        if override_level not in RiskLevel.values:
            raise ValidationError({"override_level": f"'{override_level}' is not a risk level."})
        if not override_reason:
            raise ValidationError(
                {
                    "override_reason": (
                        f"Give the reason for setting the level to {RiskLevel(override_level).label.lower()} "
                        f"when the matrix gives {calculated_level.label.lower()}."
                    )
                }
            )
        level = RiskLevel(override_level)
    else:
        override_reason = ""
    return RiskAssessment.objects.create(
        provider=provider,
        assessed_on=assessed_on,
        assessed_by=by,
        factors=dict(factors),
        score=score,
        calculated_level=calculated_level,
        level=level,
        override_reason=override_reason,
        rationale=rationale.strip(),
    )
