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
from datetime import date
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commissioning import permissions
from commissioning.imports import refuse_rows
from commissioning.models import User

from .models import CQC_RATING_RANK, CqcRating, CqcRatingValue, Location, Provider, RiskAssessment, RiskLevel
from .risk import score_risk

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
    location: Location
    previous: str
    previous_on: date
    new: str
    new_on: date

    @property
    def previous_label(self) -> str:
        return CqcRatingValue(self.previous).label

    @property
    def new_label(self) -> str:
        return CqcRatingValue(self.new).label


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
    nothing is written. Reports the drops: a new overall rating below the one before it.
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
        before = [r for r in earlier if r.published_on < entry.published_on]
        if before and _is_drop(before[-1].overall, ratings["overall"]):
            was = before[-1]
            drop = RatingDrop(entry.location, was.overall, was.published_on, ratings["overall"], entry.published_on)
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


# --- Risk assessments ---------------------------------------------------------------------------------------


def _score(
    assessment: RiskAssessment,
    *,
    factors: dict,
    override_level: str | None,
    override_reason: str,
    rationale: str,
    today: date,
) -> None:
    """Score ``assessment`` by the risk matrix and set its levels, or raise ValidationError naming the field:
    the factors must all be scored, the date not in the future, and a level other than the matrix's needs
    its reason."""
    try:
        score, calculated_level = score_risk(factors)
    except ValueError as error:
        raise ValidationError({"factors": str(error)}) from error
    if assessment.assessed_on > today:
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
    """Score a provider against the risk matrix and keep the assessment as a new row.

    Assessments are never edited: each is history. An officer may set a different level than the
    matrix gives, but must say why.
    """
    assessment = RiskAssessment(provider=provider, assessed_on=assessed_on, assessed_by=by)
    permissions.require(by, "providers.add_riskassessment", assessment)
    _score(
        assessment,
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
    """Record many risk assessments (an import of past assessments, the demo volume), each scored by the matrix
    by the rules of ``risk_assessment_record``, with their history rows. Each is made by its ``assessed_by``,
    or by ``by``. All or nothing: with any problem nothing is written and one ValidationError names each bad
    row (``assessments[3].factors``). ``by`` None only for an import run by a command with no user named.
    Returns the assessments, saved, in the order given (the order of two on one day)."""
    today = today or timezone.localdate()
    records: list[RiskAssessment] = []
    problems: dict[int, ValidationError] = {}
    for position, entry in enumerate(assessments):
        assessment = RiskAssessment(
            provider=entry.provider, assessed_on=entry.assessed_on, assessed_by=entry.assessed_by or by
        )
        _require_for_import(by, "providers.add_riskassessment", assessment)
        try:
            _score(
                assessment,
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
