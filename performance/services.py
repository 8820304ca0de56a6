"""Writes of measures and quarterly results. Each records who did it, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commissioning.models import User
from commissioning.periods import FinancialQuarter

from .models import Measure, MeasureResult

MEASURE_FIELDS = (
    "outcome",
    "name",
    "description",
    "unit",
    "decimal_places",
    "polarity",
    "is_targeted",
    "framework",
    "framework_code",
    "data_source",
    "frequency",
    "order",
    "is_active",
)


class ResultsInvalid(Exception):
    """Some rows break a rule; ``errors`` maps a measure id to {field: message}. Nothing was saved."""

    def __init__(self, errors: dict[int, dict[str, str]]):
        super().__init__(f"{len(errors)} row(s) have errors.")
        self.errors = errors


@dataclass(frozen=True)
class ResultEntry:
    measure: Measure
    value: Decimal | None
    target: Decimal | None
    commentary: str = ""


def result_problems(*, measure: Measure, value: Decimal | None, target: Decimal | None) -> dict[str, str]:
    """The council's rules for one result, as {field: message}: percentages lie between 0 and 100,
    counts, rates, days and money are not negative, and a measured-only measure has no target."""
    problems: dict[str, str] = {}
    for field, number in (("value", value), ("target", target)):
        if number is None:
            continue
        if measure.unit == Measure.Unit.PERCENTAGE and not (0 <= number <= 100):
            problems[field] = f"Enter a {field} for '{measure.name}' between 0 and 100 (it is a percentage)."
        elif measure.unit != Measure.Unit.SCORE and number < 0:
            problems[field] = f"Enter a {field} for '{measure.name}' of 0 or more."
    if target is not None and not measure.is_targeted and "target" not in problems:
        problems["target"] = f"'{measure.name}' is measured only: leave the target blank."
    return problems


@transaction.atomic
def measure_create(*, strategy, by: User, **fields) -> Measure:
    """Add a measure to a strategy."""
    measure = Measure(strategy=strategy, **{k: v for k, v in fields.items() if k in MEASURE_FIELDS})
    measure._history_user = by
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def measure_update(*, measure: Measure, by: User, **fields) -> Measure:
    """Change a measure's definition (unit, polarity, target or measured only, framework, source, frequency)."""
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    for name, value in fields.items():
        if name in MEASURE_FIELDS:
            setattr(measure, name, value)
    measure._history_user = by
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def results_save(*, period: FinancialQuarter, entries: list[ResultEntry], by: User | None) -> list[MeasureResult]:
    """Save one quarter's results for several measures at once: all or nothing.

    A row with nothing entered and nothing stored is skipped; a changed row records who entered it and when.
    Raises ``ResultsInvalid`` naming each row's problems.
    """
    errors = {}
    for entry in entries:
        problems = result_problems(measure=entry.measure, value=entry.value, target=entry.target)
        if problems:
            errors[entry.measure.pk] = problems
    if errors:
        raise ResultsInvalid(errors)
    existing = {
        r.measure_id: r
        for r in MeasureResult.objects.select_for_update().filter(
            measure__in=[e.measure.pk for e in entries], year=period.year, quarter=period.quarter
        )
    }
    now = timezone.now()
    saved = []
    for entry in entries:
        commentary = (entry.commentary or "").strip()
        result = existing.get(entry.measure.pk)
        if result is None:
            if entry.value is None and entry.target is None and not commentary:
                continue
            result = MeasureResult(measure=entry.measure, year=period.year, quarter=period.quarter)
        elif (result.value, result.target, result.commentary) == (entry.value, entry.target, commentary):
            saved.append(result)
            continue
        result.value, result.target, result.commentary = entry.value, entry.target, commentary
        result.entered_by, result.entered_at = by, now
        result._history_user = by
        result.full_clean(validate_unique=False, validate_constraints=False)
        result.save()
        saved.append(result)
    return saved


@transaction.atomic
def results_save_many(*, rows: list[tuple[FinancialQuarter, ResultEntry]], by: User | None) -> int:
    """Save results spanning several quarters (the CSV import) in one transaction; returns rows written."""
    by_period: dict[FinancialQuarter, list[ResultEntry]] = {}
    for period, entry in rows:
        by_period.setdefault(period, []).append(entry)
    count = 0
    for period, entries in sorted(by_period.items()):
        count += len(results_save(period=period, entries=entries, by=by))
    return count
