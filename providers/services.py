"""Writes for providers: providers and their locations, CQC ratings (the ratings import) and risk assessments.

Each is one transaction; each checks that the actor may make it (``commissioning.permissions``), checks the
rules, raising ValidationError naming the field, and records who made it (the history row's user).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning import permissions
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


def _save(record: Provider | Location, by: User | None) -> Any:
    if isinstance(record, Provider) and not record.name.strip():
        raise ValidationError({"name": "Enter the provider's name."})
    record.full_clean()
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
        else:
            result.created += 1
            rating = CqcRating(location=entry.location, published_on=entry.published_on)
            earlier.append(rating)
            earlier.sort(key=lambda r: r.published_on)
        for name, value in ratings.items():
            setattr(rating, name, value)
        _done_by(rating, by)
        rating.save()
    return result


# --- Risk assessments ---------------------------------------------------------------------------------------


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
    try:
        score, calculated_level = score_risk(factors)
    except ValueError as error:
        raise ValidationError({"factors": str(error)}) from error
    if assessed_on > timezone.localdate():
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
    _done_by(assessment, by)
    assessment.save()
    return assessment
