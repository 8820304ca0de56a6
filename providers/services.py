"""Writes for providers: providers and their locations, CQC ratings (the ratings import) and risk assessments.

Each is one transaction; each checks that the actor may make it (``commissioning.permissions``), checks the
rules, raising ValidationError naming the field, and records who made it (the history row's user).

The ``*_many`` services write a batch (an import, the demo volume) with the same rule functions as the
one-row services, then insert in bulk with the history rows: every row is checked first, and with any problem
nothing is written and one ValidationError names each bad row by its position and field (``refuse_rows``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commissioning import permissions, roles
from commissioning.imports import refuse_rows
from commissioning.models import Directorate, User
from commissioning.notifications import notify

from .cqc_api import CqcApiClient, CqcApiError, CqcApiRateLimited
from .models import (
    CQC_RATING_RANK,
    QUESTION_LABELS,
    CqcRating,
    CqcRatingAlert,
    CqcRatingValue,
    Location,
    Provider,
    RiskAssessment,
    RiskLevel,
    RiskMethod,
)
from .risk import check_definition, score_with

KEY_QUESTIONS = ("safe", "effective", "caring", "responsive", "well_led")


def _done_by(record: Any, by: User | None) -> None:
    """Who made the change, for the record's history row (django-simple-history reads ``_history_user``)."""
    record._history_user = by


def _require_for_import(by: User | None, perm: str, obj: Any = None) -> None:
    """An import run by a command on the server with no --user has no actor (None): the system itself."""
    if by is not None:
        permissions.require(by, perm, obj)


# Rows per INSERT in the bulk paths: a few queries per 500 rows, well inside every database's parameter limit.
BATCH_SIZE = 500


# --- Providers and locations --------------------------------------------------------------------------------


class ProviderFields(TypedDict, total=False):
    name: str
    trading_name: str
    companies_house_number: str
    charity_number: str
    ppon_id: str
    cqc_provider_id: str
    status: str
    is_sme: bool
    is_vcse: bool
    address: str
    postcode: str
    contact_email: str


class LocationFields(TypedDict, total=False):
    name: str
    cqc_location_id: str
    setting_type: str
    is_care_home: bool
    beds: int | None
    district: str
    zone: str
    in_county: bool
    postcode: str


def _check_fields(fields: dict[str, Any], allowed: type, what: str) -> None:
    unknown = set(fields) - set(allowed.__annotations__)
    if unknown:
        raise TypeError(f"Not {what} fields a user may set: {', '.join(sorted(unknown))}")


def _check_provider(provider: Provider) -> None:
    """A provider's rules: a name, and every field valid (a provider has no foreign key or unique field, so
    this costs no query)."""
    if not provider.name.strip():
        raise ValidationError({"name": "Enter the provider's name."})
    provider.full_clean()


def _location_ids_taken(locations: Iterable[Location]) -> set[str]:
    """The CQC location IDs of ``locations`` that other locations already hold. One query."""
    ids = {location.cqc_location_id for location in locations if location.cqc_location_id}
    if not ids:
        return set()
    others = Location.objects.filter(cqc_location_id__in=ids).exclude(pk__in=[loc.pk for loc in locations if loc.pk])
    return set(others.values_list("cqc_location_id", flat=True))


def _check_location(location: Location, *, taken: set[str], resolved: bool = False) -> None:
    """A location's rules: a CQC location ID used only once, and every field valid. ``resolved``: the batch
    has its provider in hand and checked the IDs once for every row, so no query per row is needed."""
    if location.cqc_location_id in taken:
        raise ValidationError(
            {"cqc_location_id": f"CQC location ID {location.cqc_location_id} is already another location's."}
        )
    if resolved:
        if location.provider_id is None:
            raise ValidationError({"provider": "Register the provider before its locations."})
        location.full_clean(exclude=["provider"], validate_unique=False, validate_constraints=False)
    else:
        location.full_clean()


def _save(record: Provider | Location, by: User | None) -> Any:
    if isinstance(record, Provider):
        _check_provider(record)
    else:
        _check_location(record, taken=_location_ids_taken([record]))
    _done_by(record, by)
    record.save()
    return record


@transaction.atomic
def provider_create(*, by: User | None, **fields: Unpack[ProviderFields]) -> Provider:
    """Add a provider. ``by`` None only for an import run by a command with no user named."""
    _check_fields(dict(fields), ProviderFields, "provider")
    provider = Provider(**fields)
    _require_for_import(by, "providers.add_provider", provider)
    return _save(provider, by)


@transaction.atomic
def provider_update(*, provider: Provider, by: User, **fields: Unpack[ProviderFields]) -> Provider:
    """Change a provider's details (name, identifiers, status, whether an SME or VCSE, contact)."""
    _check_fields(dict(fields), ProviderFields, "provider")
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    permissions.require(by, "providers.change_provider", provider)
    for name, value in fields.items():
        setattr(provider, name, value)
    return _save(provider, by)


@transaction.atomic
def provider_record_exit(
    *, provider: Provider, exited_on: date, by: User | None, status: str = Provider.Status.EXITED
) -> Provider:
    """Record that a provider left the market on ``exited_on`` (``status``: exited, or in administration).

    From that day the provider no longer counts in the risk methodology's month-end counts. The day may not be in
    the future, nor before a risk assessment already made of the provider."""
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    _require_for_import(by, "providers.change_provider", provider)
    if status not in (Provider.Status.EXITED, Provider.Status.IN_ADMINISTRATION):
        raise ValidationError({"status": "A provider leaves the market as exited or in administration."})
    if exited_on > timezone.localdate():
        raise ValidationError({"exited_on": "The day a provider left the market cannot be in the future."})
    last = provider.risk_assessments.aggregate(last=Max("assessed_on"))["last"]
    if last is not None and last > exited_on:
        raise ValidationError(
            {"exited_on": f"The provider was risk assessed on {last:%d/%m/%Y}, after this day: check the date."}
        )
    provider.exited_on = exited_on
    provider.status = status
    return _save(provider, by)


@transaction.atomic
def location_record_status(*, location: Location, status: str, on: date, by: User | None) -> Location:
    """Record that a location is open again, closing (from ``on``, the day the closure was announced) or closed
    (on ``on``). A location closes only once it is closing or straight away; it is not closed in the future."""
    location = Location.objects.select_for_update().get(pk=location.pk)
    _require_for_import(by, "providers.change_location", location)
    if status not in Location.Status.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(Location.Status.labels)}."})
    if on > timezone.localdate():
        raise ValidationError({"on": "The date cannot be in the future."})
    if status == Location.Status.CLOSING:
        location.closing_from, location.closed_on = on, None
    elif status == Location.Status.CLOSED:
        if location.closing_from and on < location.closing_from:
            raise ValidationError({"on": "A location cannot close before its closure was announced."})
        location.closed_on = on
    else:
        location.closing_from = location.closed_on = None
    location.status = status
    return _save(location, by)


@transaction.atomic
def location_create(*, provider: Provider, by: User, **fields: Unpack[LocationFields]) -> Location:
    """Add a care setting or service location to a provider. A CQC location ID may be used only once."""
    _check_fields(dict(fields), LocationFields, "location")
    location = Location(provider=provider, **fields)
    permissions.require(by, "providers.add_location", location)
    return _save(location, by)


@transaction.atomic
def location_update(*, location: Location, by: User, **fields: Unpack[LocationFields]) -> Location:
    """Change a location's details; it stays with its provider."""
    _check_fields(dict(fields), LocationFields, "location")
    location = Location.objects.select_for_update().get(pk=location.pk)
    permissions.require(by, "providers.change_location", location)
    for name, value in fields.items():
        setattr(location, name, value)
    return _save(location, by)


@transaction.atomic
def providers_register_many(*, providers: list[ProviderFields], by: User | None) -> list[Provider]:
    """Add many providers at once (an import, the demo volume), with their history rows, by the rules of
    ``provider_create``. All or nothing: with any problem nothing is written and one ValidationError names
    each bad row (``providers[3].name``). ``by`` None only for an import run by a command with no user named.
    Returns the providers, saved, in the order given."""
    records: list[Provider] = []
    problems: dict[int, ValidationError] = {}
    for position, fields in enumerate(providers):
        _check_fields(dict(fields), ProviderFields, "provider")
        provider = Provider(**fields)
        _require_for_import(by, "providers.add_provider", provider)
        try:
            _check_provider(provider)
        except ValidationError as error:
            problems[position] = error
        records.append(provider)
    if problems:
        raise refuse_rows("providers", problems)
    return bulk_create_with_history(records, Provider, batch_size=BATCH_SIZE, default_user=by)


@transaction.atomic
def locations_register_many(*, locations: list[tuple[Provider, LocationFields]], by: User | None) -> list[Location]:
    """Add many locations, each to its (saved) provider, with their history rows, by the rules of
    ``location_create``: a CQC location ID is used only once, on the register or in the batch. All or nothing,
    as ``providers_register_many``. Returns the locations, saved, in the order given."""
    records: list[Location] = []
    for provider, fields in locations:
        _check_fields(dict(fields), LocationFields, "location")
        location = Location(provider=provider, **fields)
        _require_for_import(by, "providers.add_location", location)
        records.append(location)
    taken = _location_ids_taken(records)
    problems: dict[int, ValidationError] = {}
    for position, location in enumerate(records):
        try:
            _check_location(location, taken=taken, resolved=True)
        except ValidationError as error:
            problems[position] = error
        if location.cqc_location_id:
            taken.add(location.cqc_location_id)  # a second row with the same ID is refused too
    if problems:
        raise refuse_rows("locations", problems)
    return bulk_create_with_history(records, Location, batch_size=BATCH_SIZE, default_user=by)


# --- CQC ratings --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingEntry:
    """One published rating to record: the location, the publication date, the overall rating and the key
    questions (a blank key question is one the file did not rate)."""

    location: Location
    published_on: date
    ratings: dict[str, str]


@dataclass(frozen=True)
class RatingDrop:
    """A new rating below the location's previous real one (``rating_drops_between``). ``previous`` and
    ``new`` are the overall ratings; ``questions`` lists every one that fell, overall included, as
    ``{"question", "previous", "new"}`` (what the alert keeps)."""

    location: Location
    previous: str
    previous_on: date
    new: str
    new_on: date
    questions: tuple[dict[str, str], ...] = ()

    @property
    def previous_label(self) -> str:
        return CqcRatingValue(self.previous).label if self.previous else "Not rated"

    @property
    def new_label(self) -> str:
        return CqcRatingValue(self.new).label if self.new else "Not rated"

    @property
    def summary(self) -> str:
        """Each fall in words: "Overall: Good to Requires improvement; Safe: Good to Inadequate"."""
        return "; ".join(
            f"{QUESTION_LABELS[fell['question']]}: {CqcRatingValue(fell['previous']).label} "
            f"to {CqcRatingValue(fell['new']).label}"
            for fell in self.questions
        )


@dataclass
class RatingsRecorded:
    """What ``cqc_ratings_record`` did: nothing if there are problems (by position in ``entries``)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    drops: list[RatingDrop] = field(default_factory=list)
    problems: dict[int, ValidationError] = field(default_factory=dict)


def _rating_problems(entry: RatingEntry, today: date) -> dict[str, str]:
    problems = {}
    if entry.ratings.get("overall") not in CqcRatingValue.values:
        problems["overall"] = "Enter the overall rating."
    for question in KEY_QUESTIONS:
        value = entry.ratings.get(question, "")
        if value and value not in CqcRatingValue.values:
            problems[question] = f"'{value}' is not a CQC rating."
    unknown = set(entry.ratings) - {"overall", *KEY_QUESTIONS}
    if unknown:
        problems["overall"] = f"Not a CQC key question: {', '.join(sorted(unknown))}."
    if entry.published_on > today:
        problems["published_on"] = f"{entry.published_on:%d/%m/%Y} is in the future."
    return problems


def _is_drop(previous: str, new: str) -> bool:
    if previous not in CQC_RATING_RANK or new not in CQC_RATING_RANK:
        return False
    return CQC_RATING_RANK[new] < CQC_RATING_RANK[previous]


@transaction.atomic
def cqc_ratings_record(*, entries: list[RatingEntry], by: User | None, today: date | None = None) -> RatingsRecorded:
    """Record published CQC ratings (the ratings import). A location's rating of the same date is updated,
    not added again, and left alone if nothing in it changed. Every entry is checked first: with any problem
    nothing is written. Reports the drops (``rating_drops_between``: overall or a key question down a level
    from the location's previous real rating) and, for a location's latest rating, raises one alert per rating
    that fell, told to the location's contract officers (``cqc_rating_alert_raise``).
    ``by`` None only for an import run by a command with no user named."""
    today = today or timezone.localdate()
    _require_for_import(by, "providers.add_cqcrating")
    _require_for_import(by, "providers.change_cqcrating")
    result = RatingsRecorded()
    for position, entry in enumerate(entries):
        problems = _rating_problems(entry, today)
        if problems:
            result.problems[position] = ValidationError(problems)
    if result.problems:
        return result
    history: dict[int, list[CqcRating]] = {}
    locations = {entry.location.pk for entry in entries}
    for rating in CqcRating.objects.filter(location__in=locations).order_by("published_on", "pk"):
        history.setdefault(rating.location_id, []).append(rating)
    # Written in bulk after the loop, with their history rows: a file or the demo volume holds hundreds.
    to_create: list[CqcRating] = []
    to_update: dict[int, CqcRating] = {}
    for entry in entries:
        ratings = dict.fromkeys(KEY_QUESTIONS, "") | entry.ratings
        earlier = history.setdefault(entry.location.pk, [])
        same_day = next((r for r in earlier if r.published_on == entry.published_on), None)
        # Compared with the latest earlier *real* rating: an earlier "not yet rated" is no baseline.
        before = [r for r in earlier if r.published_on < entry.published_on and r.overall in CQC_RATING_RANK]
        if before:
            was = before[-1]
            fell = rating_drops_between(previous=_ratings_of(was), new=ratings)
            if fell:
                drop = RatingDrop(
                    entry.location, was.overall, was.published_on, ratings["overall"], entry.published_on, tuple(fell)
                )
                result.drops.append(drop)
        if same_day is not None:
            if all(getattr(same_day, name) == value for name, value in ratings.items()):
                result.unchanged += 1
                continue
            result.updated += 1
            rating = same_day
            if rating.pk is not None:
                to_update[rating.pk] = rating
        else:
            result.created += 1
            rating = CqcRating(location=entry.location, published_on=entry.published_on)
            earlier.append(rating)
            earlier.sort(key=lambda r: r.published_on)
            to_create.append(rating)
        for name, value in ratings.items():
            setattr(rating, name, value)
    _write_ratings(to_create, list(to_update.values()), by)
    _raise_rating_alerts(result.drops, by=by)
    return result


def _write_ratings(to_create: list[CqcRating], to_update: list[CqcRating], by: User | None) -> None:
    if to_create:
        bulk_create_with_history(to_create, CqcRating, batch_size=BATCH_SIZE, default_user=by)
    if to_update:
        now = timezone.now()
        for rating in to_update:
            rating.updated_at = now
        fields = ["overall", *KEY_QUESTIONS, "updated_at"]
        bulk_update_with_history(to_update, CqcRating, fields, batch_size=BATCH_SIZE, default_user=by)


# Rating drops, their alerts and acknowledgement, and the refresh from CQC's API.

RATED_QUESTIONS = ("overall", *KEY_QUESTIONS)
ALERT_KIND = "providers.cqc_rating_fell"
# Generic on purpose: the e-mail leaves the council; the provider page it links to says which location and how.
ALERT_SUBJECT = "A CQC rating has fallen at a provider you manage: please review and acknowledge it"
NOTE_MAX_LENGTH = 2000


class AlertAlreadyAcknowledged(Exception):
    """An alert is acknowledged once: a second acknowledgement is refused, naming the first."""


def _ratings_of(rating: CqcRating) -> dict[str, str]:
    return {question: getattr(rating, question) for question in RATED_QUESTIONS}


def rating_drops_between(*, previous: dict[str, str], new: dict[str, str]) -> list[dict[str, str]]:
    """The one rule of a CQC rating drop: overall or any key question one or more levels lower in ``new`` than
    in ``previous``. A question blank, "not yet rated" (or any value without a level, such as insufficient
    evidence) on either side is never a drop. Returns ``[{"question", "previous", "new"}]`` in CQC's order."""
    return [
        {"question": question, "previous": previous.get(question, ""), "new": new.get(question, "")}
        for question in RATED_QUESTIONS
        if _is_drop(previous.get(question, ""), new.get(question, ""))
    ]


def alert_recipients(*, location: Location) -> list[User]:
    """Who is told a location's rating fell: the contract officers who manage the provider's live contracts
    (led, shared or naming the location); if none, the contract officers of the directorates holding any of
    its contracts; if none, every contract officer, so that no fall goes untold. Active users only. Reached
    through the reverse relations, as providers may not import contracts."""
    provider_id = location.provider_id
    officers = User.objects.filter(is_active=True, groups__name=roles.CONTRACT_OFFICER)
    of_contract = (
        Q(managed_contracts__lead_provider=provider_id)
        | Q(managed_contracts__other_providers=provider_id)
        | Q(managed_contracts__locations=location.pk)
    )
    managers = officers.filter(of_contract, managed_contracts__status="live").distinct().order_by("pk")
    if managers:
        return list(managers)
    holds = Q(contracts__lead_provider=provider_id) | Q(contracts__other_providers=provider_id)
    directorates = Directorate.objects.filter(holds | Q(contracts__locations=location.pk)).values("pk")
    in_directorate = officers.filter(directorate__in=directorates).distinct().order_by("pk")
    if in_directorate:
        return list(in_directorate)
    return list(officers.distinct().order_by("pk"))


def _raise_rating_alerts(drops: list[RatingDrop], *, by: User | None) -> list[CqcRatingAlert]:
    """One alert per rating that fell, when it is the location's latest (a fall already overtaken by a later
    rating needs no one's attention), told to ``alert_recipients``. A rating alerted before (the same file
    imported twice) gets no second alert: the alert is one-to-one with its rating."""
    if not drops:
        return []
    latest_drop = {(drop.location.pk, drop.new_on): drop for drop in drops}
    location_ids = {pk for pk, _ in latest_drop}
    days = {day for drop in drops for day in (drop.new_on, drop.previous_on)}
    ratings = {
        (rating.location_id, rating.published_on): rating
        for rating in CqcRating.objects.filter(location__in=location_ids, published_on__in=days)
    }
    latest_day = dict(
        CqcRating.objects.filter(location__in=location_ids)
        .values("location")
        .annotate(latest=Max("published_on"))
        .values_list("location", "latest")
    )
    alerted = set(
        CqcRatingAlert.objects.filter(rating__location__in=location_ids, rating__published_on__in=days).values_list(
            "rating_id", flat=True
        )
    )
    created: list[CqcRatingAlert] = []
    for (location_id, day), drop in latest_drop.items():
        rating = ratings.get((location_id, day))
        previous = ratings.get((location_id, drop.previous_on))
        if rating is None or previous is None or rating.pk in alerted or latest_day.get(location_id) != day:
            continue
        alert = CqcRatingAlert.objects.create(
            location_id=location_id, rating=rating, previous_rating=previous, drops=list(drop.questions)
        )
        created.append(alert)
        notify(
            recipients=alert_recipients(location=drop.location),
            kind=ALERT_KIND,
            subject=ALERT_SUBJECT,
            link=reverse("providers:detail", args=[drop.location.provider_id]),
            dedupe_key=f"cqc-rating-alert:{alert.pk}",
            by=by,
        )
    return created


@transaction.atomic
def cqc_rating_alert_acknowledge(*, alert: CqcRatingAlert, by: User, note: str = "") -> CqcRatingAlert:
    """Record that a contract officer has seen a fall in a CQC rating (who, when, an optional note): it then
    leaves the provider page's and the dashboard's lists of falls to acknowledge, and stays in the page's
    history. Needs ``providers.acknowledge_cqcratingalert``; a second acknowledgement is refused."""
    alert = CqcRatingAlert.objects.select_for_update().get(pk=alert.pk)
    permissions.require(by, "providers.acknowledge_cqcratingalert", alert)
    if alert.acknowledged_at is not None:
        raise AlertAlreadyAcknowledged(
            f"This fall in the CQC rating was already acknowledged by {alert.acknowledged_by} "
            f"on {timezone.localtime(alert.acknowledged_at):%d/%m/%Y at %H:%M}."
        )
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note to {NOTE_MAX_LENGTH} characters (it has {len(note)})."})
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.acknowledgement_note = note
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note", "updated_at"])
    return alert


@dataclass
class CqcRefreshed:
    """What ``cqc_refresh`` did: changed location IDs in CQC's feed, how many the council holds, the ratings
    recorded, and each held location that could not be refreshed with the reason."""

    changed: int = 0
    held: int = 0
    recorded: RatingsRecorded = field(default_factory=RatingsRecorded)
    not_rated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def cqc_refresh(
    *, client: CqcApiClient, start: datetime, end: datetime, by: User | None = None, today: date | None = None
) -> CqcRefreshed:
    """Fetch from CQC's API the current ratings of the locations the council holds that CQC lists as changed
    between ``start`` and ``end``, and record them through ``cqc_ratings_record`` (so a fall raises its alert).
    The network calls happen outside any transaction; a location CQC answers badly for is skipped and named
    in ``failed``, the others recorded. ``by`` None for the scheduled task (the system itself)."""
    today = today or timezone.localdate()
    done = CqcRefreshed()
    changed = client.changes(start=start, end=end)
    done.changed = len(changed)
    held = list(Location.objects.filter(cqc_location_id__in=changed).select_related("provider").order_by("pk"))
    done.held = len(held)
    entries: list[RatingEntry] = []
    for position, location in enumerate(held):
        try:
            found = client.location(location.cqc_location_id)
        except CqcApiRateLimited as error:
            # Asked to slow down: stop, and leave the rest to the next run (recording is idempotent).
            for left in held[position:]:
                done.failed[left.cqc_location_id] = str(error)
            break
        except CqcApiError as error:
            done.failed[location.cqc_location_id] = str(error)
            continue
        if found.published_on is None or not found.ratings.get("overall"):
            done.not_rated.append(location.cqc_location_id)
            continue
        entry = RatingEntry(location=location, published_on=found.published_on, ratings=found.ratings)
        problems = _rating_problems(entry, today)
        if problems:
            done.failed[location.cqc_location_id] = "; ".join(f"{k}: {v}" for k, v in sorted(problems.items()))
            continue
        entries.append(entry)
    if entries:
        done.recorded = cqc_ratings_record(entries=entries, by=by, today=today)
    return done


# --- Risk methods -------------------------------------------------------------------------------------------


class RiskMethodInUse(ValidationError):
    """A method an assessment used is history: it is never changed or deleted (record a new version)."""


def _method_in_force(day: date) -> RiskMethod:
    method = RiskMethod.objects.in_force_on(day)
    if method is None:
        raise ValidationError({"assessed_on": f"No risk method was in force on {day:%d/%m/%Y}."})
    return method


@transaction.atomic
def risk_method_create(
    *,
    by: User,
    name: str,
    effective_from: date,
    factors: list[dict[str, Any]],
    thresholds: dict[str, int],
    notes: str = "",
) -> RiskMethod:
    """Record a new version of the council's risk method, in force from ``effective_from``: the next version
    number. It scores the assessments dated from then on; earlier ones keep the method they were scored by.

    The factors and thresholds must be a method that can score (``risk.check_definition``: the error names the
    factor and answer); it may not take effect before the latest version already recorded."""
    permissions.require(by, "providers.add_riskmethod")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the method a name."})
    check_definition(factors, thresholds)
    latest = RiskMethod.objects.select_for_update().order_by("-version").first()
    if latest is not None and effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": f"A new version must take effect after version {latest.version}, which is in "
                f"force from {latest.effective_from:%d/%m/%Y}."
            }
        )
    method = RiskMethod(
        name=name,
        version=(latest.version + 1) if latest else 1,
        effective_from=effective_from,
        factors=[
            {
                "code": f["code"],
                "name": f["name"].strip(),
                "description": str(f.get("description", "")).strip(),
                "weight": f["weight"],
                "answers": [{"score": a["score"], "label": a["label"].strip()} for a in f["answers"]],
            }
            for f in factors
        ],
        thresholds={"medium": thresholds["medium"], "high": thresholds["high"]},
        notes=notes.strip(),
        created_by=by,
    )
    _done_by(method, by)
    method.save()
    return method


@transaction.atomic
def risk_method_update(*, method: RiskMethod, by: User, notes: str) -> RiskMethod:
    """Change a method's notes while no assessment has used it; a used method is history and is refused
    (``RiskMethodInUse``): record a new version instead. The factors and thresholds are never edited."""
    method = RiskMethod.objects.select_for_update().get(pk=method.pk)
    permissions.require(by, "providers.change_riskmethod", method)
    if method.assessments.exists():
        raise RiskMethodInUse(
            f"Version {method.version} has scored assessments, so it cannot be changed: record a new version."
        )
    method.notes = notes.strip()
    _done_by(method, by)
    method.save(update_fields=["notes", "updated_at"])
    return method


@transaction.atomic
def risk_method_delete(*, method: RiskMethod, by: User) -> None:
    """Delete a method no assessment has used (one recorded by mistake); a used one is refused."""
    method = RiskMethod.objects.select_for_update().get(pk=method.pk)
    permissions.require(by, "providers.delete_riskmethod", method)
    if method.assessments.exists():
        raise RiskMethodInUse(
            f"Version {method.version} has scored assessments, so it cannot be deleted: record a new version."
        )
    _done_by(method, by)
    method.delete()


# --- Risk assessments ---------------------------------------------------------------------------------------


def _score(
    assessment: RiskAssessment,
    *,
    method: RiskMethod,
    factors: dict,
    override_level: str | None,
    override_reason: str,
    rationale: str,
    today: date,
) -> None:
    """Score ``assessment`` by ``method`` (the one in force on its date, ``score_with``) and set its levels, or
    raise ValidationError naming the field: every factor answered with an allowed answer, the date not in the
    future, and a level other than the method's needs its reason."""
    if assessment.assessed_on > today:
        raise ValidationError({"assessed_on": "The assessment date must be today or in the past."})
    score, calculated_level = score_with(method, factors)
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
                        f"when the method gives {calculated_level.label.lower()}."
                    )
                }
            )
        level = RiskLevel(override_level)
    else:
        override_reason = ""
    assessment.method = method
    assessment.factors = dict(factors)
    assessment.score = score
    assessment.calculated_level = calculated_level
    assessment.level = level
    assessment.override_reason = override_reason
    assessment.rationale = rationale.strip()


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
    """Score a provider by the risk method in force on ``assessed_on`` and keep the assessment as a new row,
    with the method, the answers, the score and the levels.

    Assessments are never edited: each is history. An officer may set a different level than the
    method gives, but must say why.
    """
    assessment = RiskAssessment(provider=provider, assessed_on=assessed_on, assessed_by=by)
    permissions.require(by, "providers.add_riskassessment", assessment)
    _score(
        assessment,
        method=_method_in_force(assessed_on),
        factors=factors,
        override_level=override_level,
        override_reason=override_reason,
        rationale=rationale,
        today=timezone.localdate(),
    )
    _done_by(assessment, by)
    assessment.save()
    return assessment


@dataclass(frozen=True)
class AssessmentEntry:
    """One assessment for ``risk_assessments_record_many``: what ``risk_assessment_record`` takes, and who
    made it when that is not the one recording the batch (assessments brought from another system)."""

    provider: Provider
    factors: dict
    assessed_on: date
    assessed_by: User | None = None
    override_level: str | None = None
    override_reason: str = ""
    rationale: str = ""


@transaction.atomic
def risk_assessments_record_many(
    *, assessments: list[AssessmentEntry], by: User | None, today: date | None = None
) -> list[RiskAssessment]:
    """Record many risk assessments (an import of past assessments, the demo volume), each scored by the method
    in force on its date by the rules of ``risk_assessment_record``, with their history rows. Each is made by
    its ``assessed_by``, or by ``by``. All or nothing: with any problem nothing is written and one
    ValidationError names each bad row (``assessments[3].factors``). ``by`` None only for an import run by a
    command with no user named. Returns the assessments, saved, in the order given (the order of two on one
    day)."""
    today = today or timezone.localdate()
    methods = list(RiskMethod.objects.order_by("-effective_from", "-version"))
    records: list[RiskAssessment] = []
    problems: dict[int, ValidationError] = {}
    for position, entry in enumerate(assessments):
        assessment = RiskAssessment(
            provider=entry.provider, assessed_on=entry.assessed_on, assessed_by=entry.assessed_by or by
        )
        _require_for_import(by, "providers.add_riskassessment", assessment)
        try:
            method = next((m for m in methods if m.effective_from <= entry.assessed_on), None)
            if method is None:
                raise ValidationError({"assessed_on": f"No risk method was in force on {entry.assessed_on:%d/%m/%Y}."})
            _score(
                assessment,
                method=method,
                factors=entry.factors,
                override_level=entry.override_level,
                override_reason=entry.override_reason,
                rationale=entry.rationale,
                today=today,
            )
        except ValidationError as error:
            problems[position] = error
        records.append(assessment)
    if problems:
        raise refuse_rows("assessments", problems)
    return bulk_create_with_history(records, RiskAssessment, batch_size=BATCH_SIZE, default_user=by)


# What CQC's HSCA active locations file says of a location, kept current by its import
# (providers.imports.cqc_locations_import): the file is the source of these fields, not the council's forms.
CQC_FILE_FIELDS = (
    "is_care_home",
    "beds",
    "postcode",
    "address",
    "local_authority",
    "registered_manager",
    "is_dormant",
)


class CqcLocationAttributes(TypedDict, total=False):
    is_care_home: bool
    beds: int | None
    postcode: str
    address: str
    local_authority: str
    registered_manager: str
    is_dormant: bool


@dataclass(frozen=True)
class LocationInFile:
    """A register location found in CQC's file, with what the file says of it."""

    location: Location
    attributes: CqcLocationAttributes


def cqc_location_changes(location: Location, attributes: CqcLocationAttributes) -> dict[str, tuple[Any, Any]]:
    """What CQC's file would change on ``location``: field -> (now, in the file). A review flag the file clears
    counts as a change (``cqc_review_reason``). Writes nothing: the import's dry run lists exactly these."""
    changes: dict[str, tuple[Any, Any]] = {}
    for name in CQC_FILE_FIELDS:
        if name in attributes and getattr(location, name) != attributes[name]:  # type: ignore[literal-required]
            changes[name] = (getattr(location, name), attributes[name])  # type: ignore[literal-required]
    if location.cqc_review_reason:
        changes["cqc_review_reason"] = (location.cqc_review_reason, "")
    return changes


def _bulk_update_locations(records: list[Location], fields: list[str], by: User | None) -> None:
    now = timezone.now()
    for record in records:
        record.updated_at = now
    bulk_update_with_history(records, Location, [*fields, "updated_at"], batch_size=BATCH_SIZE, default_user=by)


@transaction.atomic
def cqc_locations_seen_in_file(*, entries: list[LocationInFile], seen_on: date, by: User | None) -> list[Location]:
    """Bring register locations up to date with CQC's HSCA active locations file: the attributes the file holds
    (care home, beds, postcode, address, local authority, registered manager, dormant), the day the file last
    listed them, and any review flag cleared (a location that reappears is registered after all).
    All or nothing: a value a field cannot hold is refused for every row (``locations[3].postcode``).
    ``by`` None only for an import run by a command with no user named."""
    problems: dict[int, ValidationError] = {}
    records: list[Location] = []
    for position, entry in enumerate(entries):
        location = entry.location
        _require_for_import(by, "providers.change_location", location)
        for name, value in entry.attributes.items():
            if name not in CQC_FILE_FIELDS:
                raise TypeError(f"Not a field CQC's file sets: {name}")
            setattr(location, name, value)
        location.last_seen_in_cqc_file = seen_on
        location.cqc_review_reason = ""
        location.cqc_review_since = None
        try:
            # The IDs are not changed here, so no query per row for the unique checks.
            location.full_clean(
                exclude=["provider", "previous_location"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            problems[position] = error
        records.append(location)
    if problems:
        raise refuse_rows("locations", problems)
    fields = [*CQC_FILE_FIELDS, "last_seen_in_cqc_file", "cqc_review_reason", "cqc_review_since"]
    if records:
        _bulk_update_locations(records, fields, by)
    return records


@transaction.atomic
def cqc_locations_flag_for_review(
    *, locations: list[Location], reason: str, since: date, by: User | None
) -> list[Location]:
    """Flag locations for an officer's review (CQC's file no longer lists them, or lists a successor).
    A location already flagged keeps the day it was first flagged; its reason becomes the latest one.
    ``by`` None only for an import run by a command with no user named."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"cqc_review_reason": "Say why the location needs review."})
    for location in locations:
        _require_for_import(by, "providers.change_location", location)
        location.cqc_review_reason = reason[:300]
        location.cqc_review_since = location.cqc_review_since or since
    if locations:
        _bulk_update_locations(locations, ["cqc_review_reason", "cqc_review_since"], by)
    return locations


@transaction.atomic
def cqc_location_change_of_owner(
    *,
    previous: Location,
    cqc_location_id: str,
    name: str,
    provider: Provider,
    attributes: CqcLocationAttributes,
    registered_by: str,
    seen_on: date,
    by: User | None,
) -> Location:
    """Record a change of owner: CQC registers the same service under a new location ID (with the rating of
    the one it took over, "inherited"). The new registration becomes a location of ``provider`` (the register's
    provider with the file's CQC provider ID, else the previous location's provider until the contract is
    novated) that keeps the previous one's district, zone and setting and points back to it
    (``previous_location``); the previous location is flagged for review as replaced, not as deregistered.
    Contracts stay with the previous location: moving them is a contract change an officer makes.
    ``by`` None only for an import run by a command with no user named."""
    location = Location(
        provider=provider,
        name=name.strip()[:200] or previous.name,
        cqc_location_id=cqc_location_id,
        setting_type=previous.setting_type,
        district=previous.district,
        zone=previous.zone,
        in_county=previous.in_county,
        previous_location=previous,
        last_seen_in_cqc_file=seen_on,
    )
    for field_name, value in attributes.items():
        if field_name not in CQC_FILE_FIELDS:
            raise TypeError(f"Not a field CQC's file sets: {field_name}")
        setattr(location, field_name, value)
    _require_for_import(by, "providers.add_location", location)
    _save(location, by)
    cqc_locations_flag_for_review(
        locations=[Location.objects.select_for_update().get(pk=previous.pk)],
        reason=(
            f"Change of owner: CQC now registers this service as location {cqc_location_id}"
            f"{f' ({registered_by})' if registered_by else ''}. Check the contract."
        ),
        since=seen_on,
        by=by,
    )
    return location


@transaction.atomic
def cqc_ratings_mark_inherited(*, ratings: list[tuple[Location, date, bool]], by: User | None) -> int:
    """Say which recorded ratings CQC shows as inherited (a new registration showing the rating of the service
    it took over): ``(location, published_on, inherited)`` each. Returns how many ratings changed."""
    _require_for_import(by, "providers.change_cqcrating")
    wanted = {(location.pk, published_on): inherited for location, published_on, inherited in ratings}
    if not wanted:
        return 0
    records = CqcRating.objects.filter(
        location__in={key[0] for key in wanted}, published_on__in={key[1] for key in wanted}
    )
    changed = []
    for rating in records:
        inherited = wanted.get((rating.location_id, rating.published_on))
        if inherited is not None and rating.inherited != inherited:
            rating.inherited = inherited
            rating.updated_at = timezone.now()
            changed.append(rating)
    if changed:
        fields = ["inherited", "updated_at"]
        bulk_update_with_history(changed, CqcRating, fields, batch_size=BATCH_SIZE, default_user=by)
    return len(changed)
