"""The scoring of a provider's risk by a council-defined method (``providers.models.RiskMethod``), and how risk
levels are shown.

A method is data the council sets: factors, each with a weight and the answers an officer may give (each answer
carries points), and the weighted scores at which Medium and High begin. ``score_with`` is the one scoring
function: the services score every assessment with it, by the method in force on the assessment's date.

``MATRIX_2017`` is the council's first method as data (version 1, "Provider risk matrix", in force from
1 April 2017): the providers migration records it and the demo builds on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard

from django.core.exceptions import ValidationError

from .models import RiskLevel


class MethodLike(Protocol):
    factors: list[dict[str, Any]]
    thresholds: dict[str, int]


def _answers(*labels: str) -> list[dict[str, Any]]:
    return [{"score": score, "label": label} for score, label in enumerate(labels)]


# Version 1: seven factors answered 0 (no concern) to 3 (serious concern); safety-critical ones weigh double.
MATRIX_2017: dict[str, Any] = {
    "version": 1,
    "name": "Provider risk matrix",
    "effective_from": "2017-04-01",
    "notes": "The Commercial Team's risk matrix: each factor answered 0 (no concern) to 3 (serious concern); "
    "quality and CQC rating, safeguarding and financial viability weigh double.",
    "thresholds": {"medium": 8, "high": 14},
    "factors": [
        {
            "code": "quality_cqc",
            "name": "Quality and CQC rating",
            "description": "The current CQC overall rating and key questions, and the quality officers see on visits.",
            "weight": 2,
            "answers": _answers(
                "Good or Outstanding overall, no key question below Good.",
                "Good overall with one key question Requires improvement, or not yet rated.",
                "Requires improvement overall.",
                "Inadequate overall or in any key question, or in special measures.",
            ),
        },
        {
            "code": "safeguarding",
            "name": "Safeguarding",
            "description": "Safeguarding enquiries about the service in the last 12 months and how they were handled.",
            "weight": 2,
            "answers": _answers(
                "No enquiries.",
                "One enquiry, closed with no lasting concern.",
                "Several enquiries or one open enquiry.",
                "Substantiated abuse or neglect, or several open enquiries.",
            ),
        },
        {
            "code": "serious_incidents",
            "name": "Serious incidents",
            "description": "Serious incidents reported in the last 12 months.",
            "weight": 1,
            "answers": _answers(
                "None.",
                "One, well managed and learnt from.",
                "Several, or one not reported promptly.",
                "A pattern of incidents or one causing serious harm.",
            ),
        },
        {
            "code": "complaints",
            "name": "Complaints and feedback",
            "description": "Complaints, compliments and service-user feedback levels.",
            "weight": 1,
            "answers": _answers(
                "Positive feedback, low complaint levels.",
                "Some complaints, resolved well.",
                "High or rising complaint levels.",
                "Upheld complaints showing a failure of care.",
            ),
        },
        {
            "code": "financial_viability",
            "name": "Financial viability",
            "description": "Accounts, credit checks, ownership changes and market intelligence.",
            "weight": 2,
            "answers": _answers(
                "Financially stable.",
                "Some pressure, e.g. low occupancy.",
                "Significant pressure, late payments or a change of owner.",
                "Risk of failure or in administration.",
            ),
        },
        {
            "code": "staffing",
            "name": "Staffing and management",
            "description": "Registered manager in post, staffing levels, agency use and turnover.",
            "weight": 1,
            "answers": _answers(
                "Stable registered manager and staff team.",
                "Some vacancies or agency use.",
                "No registered manager or high turnover.",
                "Unsafe staffing levels.",
            ),
        },
        {
            "code": "contract_compliance",
            "name": "Contract compliance",
            "description": "Meeting contract terms, returning monitoring information and completing action plans.",
            "weight": 1,
            "answers": _answers(
                "Fully compliant.",
                "Minor or late returns.",
                "Breaches needing an action plan.",
                "Default notice or suspension in force.",
            ),
        },
    ],
}

CODE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def max_score(factors: list[dict[str, Any]]) -> int:
    """The highest weighted score of these factors: each at its highest answer."""
    return sum(int(f["weight"]) * max(int(a["score"]) for a in f["answers"]) for f in factors)


def _check_answers(where: str, answers: Any) -> None:
    if not isinstance(answers, list) or len(answers) < 2:
        raise ValidationError({"factors": f"{where} needs at least two answers."})
    scores: set[int] = set()
    for number, answer in enumerate(answers, start=1):
        said = f"{where}, answer {number}"
        if not isinstance(answer, dict):
            raise ValidationError({"factors": f"{said} must be an object with score and label."})
        score = answer.get("score")
        if not _is_int(score) or score < 0:
            raise ValidationError({"factors": f"{said}: the score must be a whole number of 0 or more."})
        if score in scores:
            raise ValidationError({"factors": f"{said}: the score {score} is used by another answer."})
        scores.add(score)
        if not isinstance(answer.get("label"), str) or not answer["label"].strip():
            raise ValidationError({"factors": f"{said} needs a label."})


def _check_factor(position: int, factor: Any, seen: set[str]) -> None:
    where = f"Factor {position}"
    if not isinstance(factor, dict):
        raise ValidationError({"factors": f"{where} must be an object with code, name, weight and answers."})
    code = factor.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        raise ValidationError(
            {"factors": f"{where}: the code {code!r} must be lower-case letters, digits and underscores."}
        )
    where = f"Factor '{code}'"
    if code in seen:
        raise ValidationError({"factors": f"{where} appears twice: each factor's code must be different."})
    seen.add(code)
    if not isinstance(factor.get("name"), str) or not factor["name"].strip():
        raise ValidationError({"factors": f"{where} needs a name."})
    if not isinstance(factor.get("description", ""), str):
        raise ValidationError({"factors": f"{where}: the description must be text."})
    weight = factor.get("weight")
    if not _is_int(weight) or weight < 1:
        raise ValidationError({"factors": f"{where}: the weight must be a whole number of 1 or more."})
    _check_answers(where, factor.get("answers"))


def check_definition(factors: Any, thresholds: Any) -> None:
    """Refuse a method that could not score: at least one factor; codes unique and slug-like (lower case,
    digits, underscores); a name; weights whole numbers from 1; at least two answers per factor, each with a
    label and a whole-number score from 0, the scores of a factor all different; and thresholds with
    0 < medium < high <= the highest weighted score. The ValidationError names the factor and answer."""
    if not isinstance(factors, list) or not factors:
        raise ValidationError({"factors": "A method needs at least one factor."})
    seen: set[str] = set()
    for position, factor in enumerate(factors, start=1):
        _check_factor(position, factor, seen)
    if not isinstance(thresholds, dict) or set(thresholds) != {"medium", "high"}:
        raise ValidationError({"thresholds": 'Give the thresholds as {"medium": n, "high": n}.'})
    medium, high = thresholds["medium"], thresholds["high"]
    if not (_is_int(medium) and _is_int(high)):
        raise ValidationError({"thresholds": "The thresholds must be whole numbers."})
    highest = max_score(factors)
    if not 0 < medium < high <= highest:
        raise ValidationError(
            {
                "thresholds": f"Medium must be above 0, High above Medium, and High no more than the highest "
                f"possible score ({highest}); got Medium {medium}, High {high}."
            }
        )


def level_for(method: MethodLike, score: int) -> RiskLevel:
    """The level ``method``'s thresholds give a weighted score."""
    if score >= int(method.thresholds["high"]):
        return RiskLevel.HIGH
    if score >= int(method.thresholds["medium"]):
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def score_with(method: MethodLike, answers: dict[str, Any]) -> tuple[int, RiskLevel]:
    """The weighted score and level ``method`` gives ``answers`` ({factor code: the chosen answer's score}).

    Every factor must be answered with one of its allowed answers; unknown codes are refused, so a typo cannot
    quietly lower a provider's risk. Raises ValidationError on "factors" naming the factor."""
    if not isinstance(answers, dict):
        raise ValidationError({"factors": "Give an answer for each factor, by factor code."})
    codes = [factor["code"] for factor in method.factors]
    unknown = set(answers) - set(codes)
    if unknown:
        raise ValidationError({"factors": f"Unknown risk factors: {', '.join(sorted(map(str, unknown)))}."})
    score = 0
    for factor in method.factors:
        allowed = [int(answer["score"]) for answer in factor["answers"]]
        if factor["code"] not in answers:
            raise ValidationError({"factors": f"Answer '{factor['name']}'."})
        value = answers[factor["code"]]
        if not _is_int(value) or value not in allowed:
            raise ValidationError(
                {
                    "factors": f"'{factor['name']}' must be answered with one of "
                    f"{', '.join(map(str, allowed))}, not {value!r}."
                }
            )
        score += int(factor["weight"]) * value
    return score, level_for(method, score)


@dataclass(frozen=True)
class RiskColour:
    """How a risk level is coloured: the GOV.UK tag on pages, the line or bar on charts (chosen to keep 3:1
    contrast with a white background, which GOV.UK's light orange does not)."""

    tag: str
    chart: str


# The one mapping of risk colours: the risk tag (providers/includes/risk_tag.html) and every chart use it.
NOT_ASSESSED = "none"
RISK_COLOURS: dict[str, RiskColour] = {
    RiskLevel.HIGH: RiskColour("red", "#d4351c"),
    RiskLevel.MEDIUM: RiskColour("orange", "#b35900"),
    RiskLevel.LOW: RiskColour("green", "#00703c"),
    NOT_ASSESSED: RiskColour("grey", "#505a5f"),
}
# Highest first, as the dashboards and the risk overview list them.
RISK_ORDER: tuple[str, ...] = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, NOT_ASSESSED)


def risk_label(level: str | None) -> str:
    """'high' -> 'High'; no level (never assessed) -> 'Not assessed'."""
    if not level or level == NOT_ASSESSED:
        return "Not assessed"
    try:
        return RiskLevel(level).label
    except ValueError:
        return level


def risk_colour(level: str | None) -> RiskColour:
    return RISK_COLOURS.get(level or NOT_ASSESSED, RISK_COLOURS[NOT_ASSESSED])
