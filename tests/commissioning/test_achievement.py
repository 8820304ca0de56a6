"""The achievement rule in the council's words: met, missed, measured only, awaiting data; either direction;
with a tolerance for the figures that have one (contract KPIs)."""

from decimal import Decimal

import pytest

from commissioning.achievement import Achievement, Polarity, achievement

D = Decimal
HIGHER, LOWER = Polarity.HIGHER_IS_BETTER, Polarity.LOWER_IS_BETTER


@pytest.mark.parametrize(
    ("value", "target", "polarity", "expected"),
    [
        (D("66.7"), D("60"), HIGHER, Achievement.ACHIEVED),
        (D("60"), D("60"), HIGHER, Achievement.ACHIEVED),
        (D("59.9999"), D("60"), HIGHER, Achievement.NOT_ACHIEVED),
        (D("12"), D("14"), LOWER, Achievement.ACHIEVED),
        (D("14"), D("14"), LOWER, Achievement.ACHIEVED),
        (D("14.0001"), D("14"), LOWER, Achievement.NOT_ACHIEVED),
        (D("-3"), D("-2"), LOWER, Achievement.ACHIEVED),  # a score may fall below zero
    ],
)
def test_a_value_meeting_its_target_in_the_better_direction_is_achieved_and_equal_counts(
    value, target, polarity, expected
):
    assert achievement(value=value, target=target, polarity=polarity) == expected


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
def test_with_no_value_yet_a_figure_is_awaiting_data_whatever_its_target(polarity):
    assert achievement(value=None, target=D("60"), polarity=polarity) == Achievement.AWAITING_DATA
    assert achievement(value=None, target=None, polarity=polarity, is_targeted=False) == Achievement.AWAITING_DATA


def test_a_figure_with_no_target_or_measured_only_is_measured_only():
    assert achievement(value=D("84.8"), target=None, polarity=HIGHER) == Achievement.MEASURED_ONLY
    assert achievement(value=D("84.8"), target=D("90"), polarity=HIGHER, is_targeted=False) == Achievement.MEASURED_ONLY


@pytest.mark.parametrize(
    ("value", "polarity", "expected"),
    [
        (D("93"), HIGHER, Achievement.ACHIEVED),  # 95% with 2 points of tolerance
        (D("92.9"), HIGHER, Achievement.NOT_ACHIEVED),
        (D("97"), LOWER, Achievement.ACHIEVED),  # at most 95 with 2 points of tolerance
        (D("97.1"), LOWER, Achievement.NOT_ACHIEVED),
    ],
)
def test_a_tolerance_widens_the_target_in_the_figures_favour(value, polarity, expected):
    assert achievement(value=value, target=D("95"), polarity=polarity, tolerance=D("2")) == expected


def test_no_tolerance_and_a_tolerance_of_zero_are_the_same():
    for tolerance in (None, D("0")):
        assert achievement(value=D("94.99"), target=D("95"), polarity=HIGHER, tolerance=tolerance) == (
            Achievement.NOT_ACHIEVED
        )


def test_a_negative_tolerance_or_an_unknown_polarity_is_a_programming_error():
    with pytest.raises(ValueError, match="0 or more"):
        achievement(value=D("1"), target=D("1"), polarity=HIGHER, tolerance=D("-1"))
    with pytest.raises(ValueError, match="Polarity"):
        achievement(value=D("1"), target=D("1"), polarity="sideways")


def test_the_choices_are_the_ones_stored_on_measures():
    """Measures store these values: the rule moved to the core without a migration."""
    assert Polarity.values == ["higher", "lower"]
    assert Achievement.values == ["achieved", "not_achieved", "measured_only", "awaiting_data"]
    assert Achievement.NOT_ACHIEVED.label == "Not achieved"


def test_the_rule_imports_no_domain_app():
    import ast
    from pathlib import Path

    import commissioning.achievement as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert imported <= {"__future__", "decimal", "django"}
