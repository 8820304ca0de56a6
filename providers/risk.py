"""The provider risk matrix: the documented way contract officers score a provider's risk.

Each factor is scored 0 (no concern) to 3 (serious concern) using the guidance below, and multiplied
by its weight. Factors that bear most directly on people's safety (quality and CQC rating,
safeguarding, financial viability) weigh double. The weighted total gives the level:

    0-7   Low     routine contract management
    8-13  Medium  closer monitoring, an action plan where there are shortfalls
    14+   High    frequent visits, action plan, escalation if actions are not completed

The highest possible score is 30. An officer may override the calculated level, giving a reason;
both the calculated and the resulting level are kept on every assessment.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import RiskLevel

SCORE_CHOICES = [(0, "0 – no concern"), (1, "1 – minor concern"), (2, "2 – significant concern"), (3, "3 – serious")]


@dataclass(frozen=True)
class RiskFactor:
    code: str
    name: str
    description: str
    weight: int
    guidance: tuple[str, str, str, str]  # what 0, 1, 2 and 3 look like


FACTORS: tuple[RiskFactor, ...] = (
    RiskFactor(
        "quality_cqc",
        "Quality and CQC rating",
        "The current CQC overall rating and key questions, and the quality officers see on visits.",
        2,
        (
            "Good or Outstanding overall, no key question below Good.",
            "Good overall with one key question Requires improvement, or not yet rated.",
            "Requires improvement overall.",
            "Inadequate overall or in any key question, or in special measures.",
        ),
    ),
    RiskFactor(
        "safeguarding",
        "Safeguarding",
        "Safeguarding enquiries about the service in the last 12 months and how they were handled.",
        2,
        (
            "No enquiries.",
            "One enquiry, closed with no lasting concern.",
            "Several enquiries or one open enquiry.",
            "Substantiated abuse or neglect, or several open enquiries.",
        ),
    ),
    RiskFactor(
        "serious_incidents",
        "Serious incidents",
        "Serious incidents reported in the last 12 months.",
        1,
        (
            "None.",
            "One, well managed and learnt from.",
            "Several, or one not reported promptly.",
            "A pattern of incidents or one causing serious harm.",
        ),
    ),
    RiskFactor(
        "complaints",
        "Complaints and feedback",
        "Complaints, compliments and service-user feedback levels.",
        1,
        (
            "Positive feedback, low complaint levels.",
            "Some complaints, resolved well.",
            "High or rising complaint levels.",
            "Upheld complaints showing a failure of care.",
        ),
    ),
    RiskFactor(
        "financial_viability",
        "Financial viability",
        "Accounts, credit checks, ownership changes and market intelligence.",
        2,
        (
            "Financially stable.",
            "Some pressure, e.g. low occupancy.",
            "Significant pressure, late payments or a change of owner.",
            "Risk of failure or in administration.",
        ),
    ),
    RiskFactor(
        "staffing",
        "Staffing and management",
        "Registered manager in post, staffing levels, agency use and turnover.",
        1,
        (
            "Stable registered manager and staff team.",
            "Some vacancies or agency use.",
            "No registered manager or high turnover.",
            "Unsafe staffing levels.",
        ),
    ),
    RiskFactor(
        "contract_compliance",
        "Contract compliance",
        "Meeting contract terms, returning monitoring information and completing action plans.",
        1,
        (
            "Fully compliant.",
            "Minor or late returns.",
            "Breaches needing an action plan.",
            "Default notice or suspension in force.",
        ),
    ),
)

FACTORS_BY_CODE = {factor.code: factor for factor in FACTORS}
MAX_FACTOR_SCORE = 3
MAX_SCORE = sum(factor.weight * MAX_FACTOR_SCORE for factor in FACTORS)

# The lowest weighted score for each level, from highest level down.
THRESHOLDS: tuple[tuple[RiskLevel, int], ...] = ((RiskLevel.HIGH, 14), (RiskLevel.MEDIUM, 8), (RiskLevel.LOW, 0))


def threshold_bands() -> list[tuple[str, int, int]]:
    """The bands as (label, lowest, highest) for showing on the form, lowest level first."""
    bands = []
    upper = MAX_SCORE
    for level, lowest in THRESHOLDS:
        bands.append((level.label, lowest, upper))
        upper = lowest - 1
    return list(reversed(bands))


def level_for_score(score: int) -> RiskLevel:
    for level, lowest in THRESHOLDS:
        if score >= lowest:
            return level
    return RiskLevel.LOW


def score_risk(factors: dict) -> tuple[int, RiskLevel]:
    """Weighted score and level for factor scores keyed by factor code.

    Every factor must be present and scored 0 to 3; unknown codes are refused, so a typo
    cannot quietly lower a provider's risk.
    """
    unknown = set(factors) - set(FACTORS_BY_CODE)
    if unknown:
        raise ValueError(f"Unknown risk factors: {', '.join(sorted(unknown))}.")
    score = 0
    for factor in FACTORS:
        if factor.code not in factors:
            raise ValueError(f"Score '{factor.name}'.")
        value = factors[factor.code]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FACTOR_SCORE:
            raise ValueError(f"'{factor.name}' must be scored 0 to {MAX_FACTOR_SCORE}, not {value!r}.")
        score += factor.weight * value
    return score, level_for_score(score)


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
