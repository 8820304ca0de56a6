"""Contract grading on the Joint Evaluation Toolkit (JET) scale of seed 002, the council's children's services
commissioning overview: the pure rules, with no database access (``oversight.returns`` reads the records).

Three scales describe how a contract performs, and they are not the same thing:

* **The JET score** (9 Exceptional … 1 Poor) is the contract officer's judgement of the whole service, made "after
  consideration with the Service Manager and Supplier", in each contract return. It rolls up to the Ofsted-style
  grade: 9–8 Outstanding, 7–6 Good, 5–4 Requires Improvement, 3–1 Inadequate.
* **The statutory KPI ratings** (Good, Approaching target, Requires improvement, Inadequate, Other: regulation 39
  of the Procurement Regulations 2024) rate each KPI result of a contract under the Procurement Act 2023. They are
  one input to the JET score: the return's *KPI descriptor* ("All are above target" … "All are under target")
  is computed from them for the return's period, and shows which scores the KPIs point to.
* **The older Good / Average / Poor field** on the contract register (``Contract.performance``) is no longer typed
  by hand: it is derived from the latest submitted return's grade (Outstanding or Good → Good, Requires
  Improvement → Average, Inadequate → Poor), and reads "Not assessed" until a return is submitted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models


class JetGrade(models.TextChoices):
    """The rolled-up grade, on "the Ofsted grading headings" the seed names."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires Improvement"
    INADEQUATE = "inadequate", "Inadequate"


# Best first, for reports and charts.
GRADE_ORDER = [JetGrade.OUTSTANDING, JetGrade.GOOD, JetGrade.REQUIRES_IMPROVEMENT, JetGrade.INADEQUATE]


@dataclass(frozen=True)
class JetScore:
    score: int
    grade: JetGrade
    descriptor: str
    guidance: str  # on strengths and weaknesses
    kpis: str  # what the KPIs look like at this score


JET_SCALE: dict[int, JetScore] = {
    s.score: s
    for s in [
        JetScore(
            9, JetGrade.OUTSTANDING, "Exceptional", "Exceptionally strong with essentially no weaknesses",
            "All are above target",
        ),
        JetScore(
            8, JetGrade.OUTSTANDING, "Outstanding", "Extremely strong with negligible weaknesses",
            "Most are above target and are at least on target",
        ),
        JetScore(
            7, JetGrade.GOOD, "Excellent", "Very strong with only some minor weaknesses",
            "All are at least on target",
        ),
        JetScore(
            6, JetGrade.GOOD, "Good", "Strong but with numerous minor weaknesses",
            "Majority are on target with plans in place for all others to improve",
        ),
        JetScore(
            5, JetGrade.REQUIRES_IMPROVEMENT, "Effective", "Strong but with at least one moderate weakness",
            "Some are under target, but showing signs of improvement",
        ),
        JetScore(
            4, JetGrade.REQUIRES_IMPROVEMENT, "Satisfactory", "Some strengths but also some moderate weaknesses",
            "Some are under target and provider has action plan in place to improve",
        ),
        JetScore(
            3, JetGrade.INADEQUATE, "Fair", "Some strengths but with at least one major weakness",
            "Majority are under target but provider can evidence action plans are in place to improve",
        ),
        JetScore(
            2, JetGrade.INADEQUATE, "Marginal", "A few strengths and a few major weaknesses",
            "Majority are under target but provider has desire to improve",
        ),
        JetScore(
            1, JetGrade.INADEQUATE, "Poor", "Very few strengths and numerous major weaknesses",
            "All are under target and no plans in place to improve",
        ),
    ]
}  # fmt: skip

# The seed's definitions of a weakness's severity.
SEVERITY_GUIDANCE = {
    "minor": "An easily addressable weakness that does not substantially lessen impact",
    "moderate": "A weakness that lessens impact",
    "major": "A weakness that severely limits impact",
}

# The most severe weakness a score allows, and the one it needs (the guidance column): Outstanding and Good have
# minor weaknesses at most; Requires Improvement has at least one moderate weakness and no major one; Inadequate
# has at least one major weakness.
_SEVERITY_RANK = {"": 0, "minor": 1, "moderate": 2, "major": 3}
_WORST_WEAKNESS_FOR_GRADE = {
    JetGrade.OUTSTANDING: (0, 1),
    JetGrade.GOOD: (0, 1),
    JetGrade.REQUIRES_IMPROVEMENT: (2, 2),
    JetGrade.INADEQUATE: (3, 3),
}

# The older register field, derived from the grade.
PERFORMANCE_FOR_GRADE = {
    JetGrade.OUTSTANDING: "good",
    JetGrade.GOOD: "good",
    JetGrade.REQUIRES_IMPROVEMENT: "average",
    JetGrade.INADEQUATE: "poor",
}


def score_choices() -> list[tuple[int, str]]:
    """Best first: "9 – Exceptional (Outstanding)"."""
    return [
        (s.score, f"{s.score} – {s.descriptor} ({s.grade.label})")
        for s in sorted(JET_SCALE.values(), key=lambda s: -s.score)
    ]


def grade_for(score: int) -> str:
    """The rolled-up grade of a JET score (``JetGrade`` value)."""
    return JET_SCALE[score].grade.value


def performance_for_grade(grade: str) -> str:
    """``Contract.performance`` derived from a rolled-up grade ("" grade: not assessed)."""
    return PERFORMANCE_FOR_GRADE.get(JetGrade(grade), "not_assessed") if grade else "not_assessed"


def severity_problem(score: int, severities: Iterable[str]) -> str | None:
    """Why ``score`` does not fit the weaknesses recorded (their severities), in the seed's guidance words, or
    None when it does."""
    worst = max((_SEVERITY_RANK[s] for s in severities), default=0)
    grade = JET_SCALE[score].grade
    low, high = _WORST_WEAKNESS_FOR_GRADE[grade]
    jet = JET_SCALE[score]
    if worst > high:
        worst_name = {2: "moderate", 3: "major"}[worst]
        return (
            f"A score of {score} ({jet.descriptor}, {grade.label}) cannot have a {worst_name} weakness: "
            f"the guidance is “{jet.guidance}”."
        )
    if worst < low:
        needed = {2: "a moderate", 3: "a major"}[low]
        return (
            f"A score of {score} ({jet.descriptor}, {grade.label}) needs {needed} weakness recorded: "
            f"the guidance is “{jet.guidance}”."
        )
    return None


# --- The KPI descriptor ---------------------------------------------------------------------------------------
# Computed from the latest rated result of each of the contract's KPIs for the return's period. A result is
# *above target* when it is rated Good and its value is better than the target, *on target* when it is rated
# Good and equals the target, and *under target* when it is rated anything else but Other (Other, no value, is
# left out, as the statutory rating leaves it out of performance).

NO_KPIS = "No KPIs"
NO_RESULTS = "No KPI results for the period"


@dataclass(frozen=True)
class KpiDescriptor:
    text: str
    scores: tuple[int, ...]  # the JET scores whose KPI column this matches


def kpi_descriptor(*, has_kpis: bool, above: int, on: int, under: int) -> KpiDescriptor:
    """The descriptor for a count of KPI results above, on and under target."""
    if not has_kpis:
        return KpiDescriptor(NO_KPIS, ())
    total = above + on + under
    if total == 0:
        return KpiDescriptor(NO_RESULTS, ())
    if above == total:
        return KpiDescriptor("All are above target", (9,))
    if under == 0 and above * 2 > total:
        return KpiDescriptor("Most are above target and are at least on target", (8,))
    if under == 0:
        return KpiDescriptor("All are at least on target", (7,))
    if under == total:
        return KpiDescriptor("All are under target", (1,))
    if under * 2 > total:
        return KpiDescriptor("Majority are under target", (3, 2))
    if (above + on) * 2 > total:
        return KpiDescriptor("Majority are on target", (6,))
    return KpiDescriptor("Some are under target", (5, 4))
