"""The JET scale of seed 002 (oversight.grading): its descriptors and roll-up, the severity guidance, the KPI
descriptor and the older Good / Average / Poor field it derives."""

import pytest

from oversight import grading


def test_the_scale_runs_from_9_exceptional_to_1_poor_in_the_seeds_words():
    assert [(s, grading.JET_SCALE[s].descriptor) for s in range(9, 0, -1)] == [
        (9, "Exceptional"),
        (8, "Outstanding"),
        (7, "Excellent"),
        (6, "Good"),
        (5, "Effective"),
        (4, "Satisfactory"),
        (3, "Fair"),
        (2, "Marginal"),
        (1, "Poor"),
    ]
    assert grading.JET_SCALE[6].guidance == "Strong but with numerous minor weaknesses"
    assert grading.JET_SCALE[1].kpis == "All are under target and no plans in place to improve"


@pytest.mark.parametrize(
    ("score", "grade"),
    [(9, "outstanding"), (8, "outstanding"), (7, "good"), (6, "good"), (5, "requires_improvement"),
     (4, "requires_improvement"), (3, "inadequate"), (2, "inadequate"), (1, "inadequate")],
)  # fmt: skip
def test_scores_roll_up_to_the_ofsted_headings(score, grade):
    assert grading.grade_for(score) == grade


@pytest.mark.parametrize(
    ("grade", "performance"),
    [("outstanding", "good"), ("good", "good"), ("requires_improvement", "average"), ("inadequate", "poor"),
     ("", "not_assessed")],
)  # fmt: skip
def test_the_older_field_is_derived_from_the_grade(grade, performance):
    assert grading.performance_for_grade(grade) == performance


def test_a_good_score_may_have_minor_weaknesses_only():
    assert grading.severity_problem(7, ["minor", "minor"]) is None
    assert grading.severity_problem(9, []) is None
    problem = grading.severity_problem(7, ["moderate"])
    assert problem is not None
    assert "cannot have a moderate weakness" in problem


def test_requires_improvement_needs_a_moderate_weakness_and_no_major_one():
    assert "needs a moderate weakness" in (grading.severity_problem(5, ["minor"]) or "")
    assert grading.severity_problem(4, ["moderate", "minor"]) is None
    assert "cannot have a major weakness" in (grading.severity_problem(5, ["major"]) or "")


def test_inadequate_needs_a_major_weakness():
    assert "needs a major weakness" in (grading.severity_problem(3, ["moderate"]) or "")
    assert grading.severity_problem(1, ["major", "major"]) is None


@pytest.mark.parametrize(
    ("above", "on", "under", "text", "scores"),
    [
        (3, 0, 0, "All are above target", (9,)),
        (2, 1, 0, "Most are above target and are at least on target", (8,)),
        (1, 2, 0, "All are at least on target", (7,)),
        (0, 3, 1, "Majority are on target", (6,)),
        (1, 1, 2, "Some are under target", (5, 4)),
        (0, 1, 2, "Majority are under target", (3, 2)),
        (0, 0, 3, "All are under target", (1,)),
    ],
)
def test_the_kpi_descriptor_counts_results_above_on_and_under_target(above, on, under, text, scores):
    descriptor = grading.kpi_descriptor(has_kpis=True, above=above, on=on, under=under)
    assert (descriptor.text, descriptor.scores) == (text, scores)


def test_a_contract_without_kpis_says_so():
    assert grading.kpi_descriptor(has_kpis=False, above=0, on=0, under=0).text == "No KPIs"
    assert grading.kpi_descriptor(has_kpis=True, above=0, on=0, under=0).text == "No KPI results for the period"
