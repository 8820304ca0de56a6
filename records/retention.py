"""The retention schedule: which records are kept how long, legal holds, and disposal (issue 20).

``REGISTRY`` names each record type the schedule may cover: its model, the date each trigger counts from (an SQL
expression, so what is due is one query per rule), the records it is parent of (a hold on a parent stops its
children's disposal; a hold on a child deleted with its parent stops the parent's) and how each action is done,
always through the owning app's service. A rule whose action is "review" only lists records for a person to
decide: nothing here applies it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from commissioning import permissions
from commissioning.models import User

from .models import DisposalRecord, LegalHold, RetentionRule

Trigger = RetentionRule.Trigger
Action = RetentionRule.Action


@dataclass(frozen=True)
class Child:
    """Records under a record type: ``field`` on the child names the parent. ``deleted_with`` children go when the
    parent is deleted (a cascade), so a hold on one of them stops the parent's deletion too."""

    record_type: str
    field: str
    deleted_with: bool = False


def _contract_dispose(obj: Any, by: User | None) -> None:
    from contracts.services import contract_dispose

    contract_dispose(contract=obj, by=by)


def _concern_anonymise(obj: Any, by: User | None) -> None:
    from oversight.services import concern_anonymise

    concern_anonymise(concern=obj, by=by)


def _visit_anonymise(obj: Any, by: User | None) -> None:
    from oversight.services import visit_anonymise

    visit_anonymise(visit=obj, by=by)


@dataclass(frozen=True)
class RecordType:
    key: str  # "app_label.model"
    name: str  # in the council's words, plural
    triggers: dict[str, Any]  # trigger → the SQL expression of its date
    actions: dict[str, Callable[[Any, User | None], None] | None]  # action → how it is done (review: None)
    children: tuple[Child, ...] = ()
    # Rows the schedule may touch at all (a contract still being procured has not ended).
    scope: Q = field(default_factory=Q)
    select_related: tuple[str, ...] = ()

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.key)


_CREATED = TruncDate("created_at")

REGISTRY: dict[str, RecordType] = {
    rt.key: rt
    for rt in (
        RecordType(
            key="contracts.contract",
            name="Contracts",
            # Ended on termination, else at its end date. A contract rolling on past its end has not ended.
            triggers={Trigger.CONTRACT_END: Coalesce("terminated_on", "end_date"), Trigger.CREATION: _CREATED},
            actions={Action.DELETE: _contract_dispose, Action.REVIEW: None},
            children=(
                Child("contracts.contractchange", "contract_id", deleted_with=True),
                Child("oversight.visit", "contract_id"),
                Child("oversight.concern", "contract_id"),
            ),
            scope=~Q(status="pipeline") & ~Q(status="live", reprocurement_decision="roll_on"),
        ),
        RecordType(
            key="scrutiny.meeting",
            name="Scrutiny meetings (agenda, reports and minutes)",
            triggers={Trigger.MEETING_DATE: models.F("date"), Trigger.CREATION: _CREATED},
            actions={Action.REVIEW: None},
            children=(Child("scrutiny.scrutinypack", "meeting_id"),),
            select_related=("committee",),
        ),
        RecordType(
            key="scrutiny.scrutinypack",
            name="Scrutiny report packs",
            triggers={Trigger.MEETING_DATE: models.F("meeting__date"), Trigger.CREATION: _CREATED},
            # A published pack is immutable (scrutiny.models): a person decides, never the schedule.
            actions={Action.REVIEW: None},
        ),
        RecordType(
            key="oversight.concern",
            name="Concerns",
            triggers={Trigger.CLOSURE: models.F("closed_on"), Trigger.CREATION: _CREATED},
            actions={Action.ANONYMISE: _concern_anonymise, Action.REVIEW: None},
            scope=Q(status="closed"),
            select_related=("provider",),
        ),
        RecordType(
            key="oversight.visit",
            name="Visits",
            triggers={Trigger.VISIT_DATE: models.F("visited_on"), Trigger.CREATION: _CREATED},
            actions={Action.ANONYMISE: _visit_anonymise, Action.REVIEW: None},
            select_related=("provider", "location"),
        ),
    )
}

# What a legal hold may be placed on: every scheduled type and the children disposed of with them.
HOLDABLE: dict[str, str] = {
    **{key: rt.name for key, rt in REGISTRY.items()},
    "contracts.contractchange": "Contract changes",
}


# --- selectors ------------------------------------------------------------------------------------------------


def _hold_on(record_type: str, object_id: Any) -> Exists:
    app_label, model = record_type.split(".")
    return Exists(LegalHold.objects.in_force().filter(app_label=app_label, model=model, object_id=object_id))


def _held(rt: RecordType) -> Q:
    """A hold on the record, on a parent it is a child of, or on a child deleted with it."""
    held = Q(_hold_on(rt.key, OuterRef("pk")))
    for parent in REGISTRY.values():
        for child in parent.children:
            if child.record_type == rt.key:
                held |= Q(_hold_on(parent.key, OuterRef(child.field)))
    for child in rt.children:
        if child.deleted_with:
            child_model = apps.get_model(child.record_type)
            held |= Q(
                Exists(
                    child_model.objects.filter(**{child.field: OuterRef("pk")}).filter(
                        _hold_on(child.record_type, OuterRef("pk"))
                    )
                )
            )
    return held


def _cutoff(*, today: date, years: int) -> date:
    """Due the day after the period ends: a record whose trigger date is before this is due today."""
    return today - relativedelta(years=years)


def _due_queryset(rule: RetentionRule, *, today: date) -> models.QuerySet:
    rt = REGISTRY[rule.record_type]
    done = DisposalRecord.objects.filter(record_type=rt.key, object_id=OuterRef("pk"), action=rule.action)
    return (
        rt.model._default_manager.filter(rt.scope)
        .annotate(trigger_date=rt.triggers[rule.trigger])
        .filter(trigger_date__lt=_cutoff(today=today, years=rule.period_years))
        # An anonymised record stays in its table: once done, it is not due again.
        .exclude(Exists(done))
        .annotate(held=models.ExpressionWrapper(_held(rt), output_field=models.BooleanField()))
        .select_related(*rt.select_related)
        .order_by("trigger_date", "pk")
    )


@dataclass(frozen=True)
class DueItem:
    record_type: str
    object_id: int
    label: str
    trigger_date: date
    due_date: date  # the first day it may be disposed of
    action: str
    held: bool
    rule: RetentionRule = field(compare=False, repr=False)

    @property
    def record_type_name(self) -> str:
        return REGISTRY[self.record_type].name


def _item(rule: RetentionRule, obj: Any) -> DueItem:
    return DueItem(
        record_type=rule.record_type,
        object_id=obj.pk,
        label=str(obj)[:255],
        trigger_date=obj.trigger_date,
        due_date=obj.trigger_date + relativedelta(years=rule.period_years) + timedelta(days=1),
        action=rule.action,
        held=bool(obj.held),
        rule=rule,
    )


def active_rules(*, record_type: str | None = None) -> models.QuerySet[RetentionRule]:
    rules = RetentionRule.objects.filter(active=True, record_type__in=list(REGISTRY))
    return rules.filter(record_type=record_type) if record_type else rules


def retention_due(*, today: date | None = None, record_type: str | None = None) -> list[DueItem]:
    """What the schedule says is due on ``today``: each record past its period (and not already disposed of), with
    its dates, the rule's action and whether a legal hold stops it. One query per active rule."""
    today = today or timezone.localdate()
    return [
        _item(rule, obj) for rule in active_rules(record_type=record_type) for obj in _due_queryset(rule, today=today)
    ]


def due_counts(items: Iterable[DueItem]) -> list[dict[str, Any]]:
    """Per record type: how many are due, how many held, and the action."""
    rows: dict[str, dict[str, Any]] = {}
    for item in items:
        row = rows.setdefault(
            item.record_type,
            {
                "record_type": item.record_type,
                "name": item.record_type_name,
                "action": item.action,
                "due": 0,
                "held": 0,
            },
        )
        row["due"] += 1
        row["held"] += item.held
    return list(rows.values())


# --- services -------------------------------------------------------------------------------------------------


@dataclass
class ApplySummary:
    """What ``retention_apply`` did (or, in a dry run, would do)."""

    dry_run: bool
    due: list[DueItem]
    applied: Counter[str] = field(default_factory=Counter)  # record type → how many
    held: Counter[str] = field(default_factory=Counter)
    review: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[DueItem, str]] = field(default_factory=list)
    batches: int = 0

    @property
    def applied_total(self) -> int:
        return sum(self.applied.values())


def _batches(items: list[DueItem], size: int) -> Iterable[list[DueItem]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply_batch(batch: list[DueItem], *, today: date, by: User | None, summary: ApplySummary) -> None:
    rule = batch[0].rule
    rt = REGISTRY[rule.record_type]
    do = rt.actions[rule.action]
    assert do is not None
    # Read again inside the transaction: a hold placed or a record disposed of since the list was made counts.
    current = {obj.pk: obj for obj in _due_queryset(rule, today=today).filter(pk__in=[i.object_id for i in batch])}
    for item in batch:
        obj = current.get(item.object_id)
        if obj is None:
            continue
        if obj.held:
            summary.held[item.record_type] += 1
            continue
        try:
            with transaction.atomic():
                do(obj, by)
                DisposalRecord.objects.create(
                    record_type=item.record_type,
                    object_id=item.object_id,
                    label=item.label,
                    action=rule.action,
                    rule=rule,
                    applied_by=by,
                )
        except ValidationError as error:
            summary.failed.append((item, " ".join(error.messages)))
            continue
        summary.applied[item.record_type] += 1


def retention_apply(
    *,
    today: date | None = None,
    by: User | None = None,
    dry_run: bool,
    batch_size: int = 500,
    record_type: str | None = None,
) -> ApplySummary:
    """Dispose of what is due (``retention_due``): delete or anonymise each record through its owning app's
    service, ``batch_size`` records to a transaction, writing a ``DisposalRecord`` for each. Held records (and
    records under a held parent) are skipped; "review" items are counted, never applied. A dry run writes
    nothing and says what would be done. ``by`` None: the daily task."""
    if by is not None:
        permissions.require(by, "records.add_disposalrecord")
    if batch_size < 1:
        raise ValidationError({"batch_size": "The batch size must be at least 1."})
    today = today or timezone.localdate()
    due = retention_due(today=today, record_type=record_type)
    summary = ApplySummary(dry_run=dry_run, due=due)
    to_apply: dict[int, list[DueItem]] = {}
    for item in due:
        if item.action == Action.REVIEW:
            summary.review[item.record_type] += 1
        elif item.held:
            summary.held[item.record_type] += 1
        elif dry_run:
            summary.applied[item.record_type] += 1
        else:
            to_apply.setdefault(item.rule.pk, []).append(item)
    for items in to_apply.values():
        for batch in _batches(items, batch_size):
            with transaction.atomic():
                _apply_batch(batch, today=today, by=by, summary=summary)
            summary.batches += 1
    return summary


def retention_rule_save(
    *,
    by: User,
    rule: RetentionRule | None = None,
    record_type: str,
    period_years: int,
    trigger: str,
    action: str,
    note: str = "",
    active: bool = True,
) -> RetentionRule:
    """Add a rule to the schedule or change one (administrators). Each type's triggers and actions are the
    registry's: a published scrutiny pack, for one, may only be listed for review."""
    permissions.require(by, "records.change_retentionrule" if rule else "records.add_retentionrule")
    rt = REGISTRY.get(record_type)
    if rt is None:
        raise ValidationError({"record_type": "Choose a record type the schedule covers."})
    errors: dict[str, str] = {}
    if not isinstance(period_years, int) or period_years < 1:
        errors["period_years"] = "The period in years must be a whole number of at least 1."
    if trigger not in rt.triggers:
        allowed = ", ".join(str(Trigger(t).label).lower() for t in rt.triggers)
        errors["trigger"] = f"The trigger for {rt.name.lower()} must be one of: {allowed}."
    if action not in rt.actions:
        allowed = ", ".join(str(Action(a).label).lower() for a in rt.actions)
        errors["action"] = f"The action for {rt.name.lower()} must be one of: {allowed}."
    clash = RetentionRule.objects.filter(record_type=record_type)
    if rule is not None:
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        errors["record_type"] = f"The schedule already has a rule for {rt.name.lower()}: change that one."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = rule or RetentionRule()
        rule.record_type, rule.period_years, rule.trigger, rule.action = record_type, period_years, trigger, action
        rule.note, rule.active, rule.updated_by = note, active, by
        rule.save()
    return rule


def _target(record_type: str, object_id: int) -> models.Model:
    if record_type not in HOLDABLE:
        raise ValidationError({"record_type": "Choose a type of record a legal hold may be placed on."})
    obj = apps.get_model(record_type)._default_manager.filter(pk=object_id).first()
    if obj is None:
        raise ValidationError({"object_id": f"There is no {HOLDABLE[record_type].lower()} record {object_id}."})
    return obj


@transaction.atomic
def legal_hold_place(
    *, record_type: str, object_id: int, reason: str, by: User, today: date | None = None
) -> LegalHold:
    """Stop a record and its children being disposed of, whatever the schedule says, until the hold is
    released. The reason is required: it is what a reviewer reads to decide whether the hold still applies."""
    permissions.require(by, "records.add_legalhold")
    obj = _target(record_type, object_id)
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the legal hold."})
    app_label, model = record_type.split(".")
    if LegalHold.objects.in_force().filter(app_label=app_label, model=model, object_id=object_id).exists():
        raise ValidationError({"object_id": f"{obj} is already under a legal hold."})
    return LegalHold.objects.create(
        app_label=app_label,
        model=model,
        object_id=object_id,
        label=str(obj)[:255],
        reason=reason.strip(),
        placed_by=by,
        placed_on=today or timezone.localdate(),
    )


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, reason: str, by: User, today: date | None = None) -> LegalHold:
    """Release a hold: from the next run the record is disposed of if the schedule says it is due."""
    permissions.require(by, "records.change_legalhold")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not hold.in_force:
        raise ValidationError({"released_on": "This legal hold has already been released."})
    if not reason.strip():
        raise ValidationError({"release_reason": "Enter the reason for releasing the legal hold."})
    hold.released_by, hold.released_on = by, today or timezone.localdate()
    hold.release_reason = reason.strip()
    hold.save(update_fields=["released_by", "released_on", "release_reason"])
    return hold
