"""Every write of measures and quarterly results.

Each service asks the core (``commissioning.permissions``) whether the actor may write the record — their
role's model permission and, for everyone tied to a directorate, the record's directorate — then checks the
council's rules, then writes and records who did it (simple_history's user; a result's ``entered_by`` and
``entered_at``), all in one transaction: a refusal or a broken rule leaves nothing half-saved.

The pages, the API, the CSV import and ``manage.py import_results`` call these and nothing else writes
measures or results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Required, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning import permissions
from commissioning.models import User
from commissioning.periods import FinancialQuarter

from .models import Measure, MeasureResult
from .permissions import ADD_MEASURE, ADD_RESULT, CHANGE_MEASURE, CHANGE_RESULT

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

# Shared with the page's form, whose outcome list offers only the strategy's outcomes: the same words whichever
# way an outcome of another strategy is sent.
OUTCOME_OF_ANOTHER_STRATEGY = "Choose one of this strategy's outcomes, or none."
NOTHING_ENTERED = "Enter a value, a target or a commentary."


class _MeasureDetails(TypedDict, total=False):
    outcome: Any  # a strategies.Outcome of the measure's strategy, or None
    description: str
    unit: str
    decimal_places: int
    polarity: str
    is_targeted: bool
    framework: str
    framework_code: str
    data_source: str
    frequency: str
    order: int
    is_active: bool


class MeasureFields(_MeasureDetails, total=False):
    """What a measure's definition holds (the strategy aside, which a measure never leaves)."""

    name: str


class NewMeasureFields(_MeasureDetails, total=False):
    name: Required[str]


class ResultChanges(TypedDict, total=False):
    value: Decimal | None
    target: Decimal | None
    commentary: str


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


# --- Rules -------------------------------------------------------------------------------------------------------


def measure_problems(measure: Measure) -> dict[str, str]:
    """The council's rules for a measure's definition, as {field: message}: its outcome is one of its own
    strategy's, and no other measure of the strategy has the same name (results are imported by strategy and
    measure name, so two alike would make a file ambiguous)."""
    problems: dict[str, str] = {}
    if measure.outcome is not None and measure.outcome.strategy_id != measure.strategy_id:
        problems["outcome"] = OUTCOME_OF_ANOTHER_STRATEGY
    name = (measure.name or "").strip()
    if name:
        namesakes = Measure.objects.filter(strategy_id=measure.strategy_id, name__iexact=name)
        if measure.pk is not None:
            namesakes = namesakes.exclude(pk=measure.pk)
        if namesakes.exists():
            problems["name"] = f"'{measure.strategy.name}' already has a measure called '{name}': name this one apart."
    return problems


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


def _model_problems(instance: Measure | MeasureResult) -> dict[str, list[str]]:
    """The model's own validation (fields, validators, constraints), as {field: [messages]}."""
    try:
        instance.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


def _check_measure(measure: Measure) -> None:
    errors: dict[str, list[str]] = {field: [message] for field, message in measure_problems(measure).items()}
    for field, messages in _model_problems(measure).items():
        errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


# --- Measures ----------------------------------------------------------------------------------------------------


@transaction.atomic
def measure_create(*, strategy: Any, by: User, **fields: Unpack[NewMeasureFields]) -> Measure:
    """Add a measure to a strategy (a commissioner of the strategy's directorate, or council-wide staff)."""
    measure = Measure(strategy=strategy, **fields)
    permissions.require(by, ADD_MEASURE, measure)
    _check_measure(measure)
    measure._history_user = by  # type: ignore[attr-defined]
    measure.save()
    return measure


@transaction.atomic
def measure_update(*, measure: Measure, by: User, **changes: Unpack[MeasureFields]) -> Measure:
    """Change a measure's definition (unit, polarity, target or measured only, framework, source, frequency).

    The directorate asked about is the stored one, whatever the caller's copy says."""
    measure = Measure.objects.select_for_update(of=("self",)).select_related("strategy").get(pk=measure.pk)
    permissions.require(by, CHANGE_MEASURE, measure)
    for name, value in changes.items():
        setattr(measure, name, value)
    _check_measure(measure)
    measure._history_user = by  # type: ignore[attr-defined]
    measure.save()
    return measure


# --- Results -----------------------------------------------------------------------------------------------------


def _same(stored: MeasureResult, entry: ResultEntry, commentary: str) -> bool:
    return (stored.value, stored.target, stored.commentary) == (entry.value, entry.target, commentary)


def _save_quarter(*, period: FinancialQuarter, entries: Iterable[ResultEntry], by: User) -> list[MeasureResult]:
    """One quarter's results for several measures: every row allowed and right, or nothing written.

    The actor must hold the right (add for a new result, change for a stored one) on every row's measure,
    asked with the measure as stored. A row with nothing entered and nothing stored is skipped; a row that
    changes nothing is returned as stored; a changed row records who entered it and when."""
    entries = list(entries)
    measures = Measure.objects.select_related("strategy").in_bulk([entry.measure.pk for entry in entries])
    stored = {
        result.measure_id: result
        for result in MeasureResult.objects.select_for_update().filter(
            measure__in=list(measures), year=period.year, quarter=period.quarter
        )
    }
    errors: dict[int, dict[str, str]] = {}
    rows: list[tuple[MeasureResult, bool]] = []  # (result, changed), in the order given
    seen: set[int] = set()
    for entry in entries:
        measure = measures.get(entry.measure.pk)
        if measure is None or measure.pk in seen:
            errors[entry.measure.pk] = {"measure": f"'{entry.measure}' is not a measure to enter once for {period}."}
            continue
        seen.add(measure.pk)
        current = stored.get(measure.pk)
        result = current or MeasureResult(measure=measure, year=period.year, quarter=period.quarter)
        permissions.require(by, CHANGE_RESULT if current else ADD_RESULT, result)
        commentary = (entry.commentary or "").strip()
        if current is None and entry.value is None and entry.target is None and not commentary:
            continue
        if current is not None and _same(current, entry, commentary):
            rows.append((current, False))
            continue
        result.value, result.target, result.commentary = entry.value, entry.target, commentary
        problems = result_problems(measure=measure, value=entry.value, target=entry.target)
        for field, messages in _model_problems(result).items():
            problems.setdefault(field, messages[0])
        if problems:
            errors[measure.pk] = problems
        rows.append((result, True))
    if errors:
        raise ResultsInvalid(errors)
    now = timezone.now()
    for result, changed in rows:
        if changed:
            result.entered_by, result.entered_at = by, now
            result._history_user = by  # type: ignore[attr-defined]
            result.save()
    return [result for result, _ in rows]


@transaction.atomic
def results_save(*, period: FinancialQuarter, entries: list[ResultEntry], by: User) -> list[MeasureResult]:
    """Save one quarter's results for several measures at once (the results grid): all or nothing.

    Raises PermissionDenied if any row is not the actor's to enter, ``ResultsInvalid`` naming each row's
    problems."""
    return _save_quarter(period=period, entries=entries, by=by)


@transaction.atomic
def results_save_many(*, rows: list[tuple[FinancialQuarter, ResultEntry]], by: User | None) -> int:
    """Save results spanning several quarters (the CSV import) in one transaction; returns the rows saved
    or kept. Nobody (``by=None``) enters nothing: an import names the person it is made for."""
    if by is None:
        raise PermissionDenied("Say who is importing the results: an import is entered by a named person.")
    by_period: dict[FinancialQuarter, list[ResultEntry]] = {}
    for period, entry in rows:
        by_period.setdefault(period, []).append(entry)
    count = 0
    for period, entries in sorted(by_period.items()):
        count += len(_save_quarter(period=period, entries=entries, by=by))
    return count


@transaction.atomic
def result_save(
    *,
    measure: Measure,
    period: FinancialQuarter,
    by: User,
    value: Decimal | None = None,
    target: Decimal | None = None,
    commentary: str = "",
) -> MeasureResult:
    """Enter one measure's result for a quarter, replacing what is stored for that quarter.

    Raises ValidationError by field (the same words as the grid's and the import's)."""
    entry = ResultEntry(measure=measure, value=value, target=target, commentary=commentary)
    try:
        saved = _save_quarter(period=period, entries=[entry], by=by)
    except ResultsInvalid as invalid:
        raise ValidationError(invalid.errors[measure.pk]) from None
    if not saved:
        raise ValidationError({"value": NOTHING_ENTERED})
    return saved[0]


@transaction.atomic
def result_update(*, result: MeasureResult, by: User, **changes: Unpack[ResultChanges]) -> MeasureResult:
    """Correct a stored result; what ``changes`` leaves out keeps what is stored."""
    stored = MeasureResult.objects.select_related("measure__strategy").get(pk=result.pk)
    return result_save(
        measure=stored.measure,
        period=stored.period,
        by=by,
        value=changes.get("value", stored.value),
        target=changes.get("target", stored.target),
        commentary=changes.get("commentary", stored.commentary),
    )
