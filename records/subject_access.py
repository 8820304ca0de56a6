"""Subject access (UK GDPR article 15) and redaction: a search for a person's name or identifier across the
narrative fields and the named people of officers' and democratic records, its export, and the replacement of
the person's details in chosen records through the owning app's services.

``SOURCES`` is the one list of what is searched: add a record type or a field there and the search, the
results page, the exports and the redaction follow."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.urls import reverse

from commissioning import permissions, redaction, roles
from commissioning.audit import record_reads
from commissioning.models import User
from oversight import services as oversight_services
from oversight.models import (
    ActionPlan,
    Concern,
    Escalation,
    EscalationEvent,
    EscalationStep,
    GovernanceMeeting,
    PlanAction,
    Visit,
)
from scrutiny import services as scrutiny_services
from scrutiny.models import Decision, ScrutinyPack
from strategies.models import HighlightReport

from .models import Redaction, SubjectAccessSearch

# A search lists at most this many hits (the page says so when there were more).
HIT_CAP = 2000
TERMS_MIN, TERMS_MAX, MAX_TERMS = 3, 200, 10
SNIPPET_CONTEXT = 60
DEFAULT_REPLACEMENT = "[redacted]"

Redactor = Callable[..., dict[str, int]]


@dataclass(frozen=True)
class Source:
    """One record type searched: its narrative fields, the users it names, its date, where it is read and how a
    person's details are redacted from it (None: it is not redacted from here, ``not_redactable`` says why)."""

    key: str
    label: str
    model: type[models.Model]
    text_fields: tuple[str, ...]
    people: tuple[str, ...] = ()
    date_field: str = ""
    related: tuple[str, ...] = ()
    redact: Redactor | None = None
    redactable: tuple[str, ...] = ()
    not_redactable: Callable[[Any], str] = lambda record: ""
    restricted: Callable[[Any], bool] = lambda record: False
    url: Callable[[Any], str] = lambda record: record.get_absolute_url()


def _officer_redact(record: Any, **kwargs: Any) -> dict[str, int]:
    return oversight_services.officer_record_redact(record=record, **kwargs)


def _pack_frozen(pack: ScrutinyPack) -> str:
    return scrutiny_services.PUBLISHED_PACK_NOT_REDACTED if pack.is_frozen else ""


def _plan_url(record: Any) -> str:
    return reverse("oversight:action_plan", args=[record.plan_id])


def _officer(model: type[models.Model], key: str, label: str, **kwargs: Any) -> Source:
    return Source(
        key=key,
        label=label,
        model=model,
        redact=_officer_redact,
        redactable=oversight_services.REDACTABLE_FIELDS[model],
        **kwargs,
    )


SOURCES: tuple[Source, ...] = (
    _officer(
        Visit,
        "oversight.visit",
        "Visit",
        text_fields=("findings", "follow_up_actions"),
        people=("officer",),
        date_field="visited_on",
        related=("officer", "provider"),
        url=lambda visit: visit.provider.get_absolute_url(),
    ),
    _officer(
        Concern,
        "oversight.concern",
        "Concern",
        text_fields=("summary", "outcome", "s42_reference"),
        people=("recorded_by",),
        date_field="raised_on",
        related=("recorded_by",),
        restricted=lambda concern: concern.is_restricted,
    ),
    _officer(ActionPlan, "oversight.actionplan", "Action plan", text_fields=("title",), date_field="agreed_on"),
    _officer(
        PlanAction,
        "oversight.planaction",
        "Action plan action",
        text_fields=("description", "owner"),
        date_field="due_on",
        url=_plan_url,
    ),
    _officer(
        EscalationStep,
        "oversight.escalationstep",
        "Action plan escalation step",
        text_fields=("note",),
        people=("taken_by",),
        date_field="taken_on",
        related=("taken_by",),
        url=_plan_url,
    ),
    _officer(
        Escalation,
        "oversight.escalation",
        "Escalation",
        text_fields=("reason", "told", "outcome"),
        people=("opened_by",),
        date_field="opened_on",
        related=("opened_by",),
    ),
    _officer(
        EscalationEvent,
        "oversight.escalationevent",
        "Escalation event",
        text_fields=("text",),
        people=("by",),
        date_field="happened_on",
        related=("by",),
        url=lambda event: reverse("oversight:escalation_detail", args=[event.escalation_id]),
    ),
    _officer(
        GovernanceMeeting,
        "oversight.governancemeeting",
        "Governance meeting",
        text_fields=("chair", "attendees", "minutes"),
        people=("agreed_by", "created_by"),
        date_field="held_on",
        related=("agreed_by", "created_by"),
    ),
    Source(
        key="scrutiny.decision",
        label="Decision record",
        model=Decision,
        text_fields=scrutiny_services.REDACTABLE_DECISION_FIELDS,
        date_field="report_date",
        redact=lambda record, **kwargs: scrutiny_services.decision_redact(decision=record, **kwargs),
        redactable=scrutiny_services.REDACTABLE_DECISION_FIELDS,
    ),
    Source(
        key="scrutiny.scrutinypack",
        label="Scrutiny pack",
        model=ScrutinyPack,
        text_fields=scrutiny_services.REDACTABLE_PACK_FIELDS,
        date_field="report_date",
        redact=lambda record, **kwargs: scrutiny_services.pack_redact(pack=record, **kwargs),
        redactable=scrutiny_services.REDACTABLE_PACK_FIELDS,
        not_redactable=_pack_frozen,
    ),
    Source(
        key="strategies.highlightreport",
        label="Highlight report",
        model=HighlightReport,
        text_fields=("summary", "completed_by", "rag_comment", "commissioners_comments", "board_comments"),
        date_field="report_date",
        not_redactable=lambda report: "Not redacted from here: a highlight report changes through its workflow.",
    ),
)
SOURCES_BY_KEY = {source.key: source for source in SOURCES}


@dataclass(frozen=True)
class Hit:
    source: Source
    record: Any
    field: str
    field_label: str
    snippet: str
    matches: int
    url: str
    restricted: bool
    redactable: bool
    not_redactable: str

    @property
    def date(self) -> date | None:
        return getattr(self.record, self.source.date_field, None) if self.source.date_field else None

    @property
    def choice(self) -> str:
        """How a redaction form names this hit: "app.model:id:field"."""
        return f"{self.source.key}:{self.record.pk}:{self.field}"


@dataclass
class SearchResult:
    hits: list[Hit] = field(default_factory=list)
    truncated: bool = False

    @property
    def groups(self) -> list[tuple[str, list[Hit]]]:
        grouped: dict[str, list[Hit]] = defaultdict(list)
        for hit in self.hits:
            grouped[hit.source.label].append(hit)
        return [(source.label, grouped[source.label]) for source in SOURCES if grouped.get(source.label)]


def _require_dpo(user: Any) -> None:
    if not permissions.has_role(user, roles.ADMINISTRATOR):
        raise PermissionDenied("Subject access searches and redactions are for administrators.")


def clean_terms(text: str) -> list[str]:
    """The names or identifiers in ``text`` (one a line or separated by commas), or a ValidationError naming
    the terms field: the whole at most 200 characters, each term at least 3, at most 10 terms."""
    text = (text or "").strip()
    if len(text) > TERMS_MAX:
        raise ValidationError({"terms": f"Enter terms of at most {TERMS_MAX} characters."})
    terms = [" ".join(part.split()) for line in text.splitlines() for part in line.split(",")]
    terms = list(dict.fromkeys(term for term in terms if term))
    if not terms:
        raise ValidationError({"terms": "Enter a name or identifier to search for."})
    if any(len(term) < TERMS_MIN for term in terms):
        raise ValidationError({"terms": f"Enter terms of at least {TERMS_MIN} characters each."})
    if len(terms) > MAX_TERMS:
        raise ValidationError({"terms": f"Enter at most {MAX_TERMS} terms."})
    return terms


def _snippet(text: str, start: int, end: int) -> str:
    before = max(0, start - SNIPPET_CONTEXT)
    after = min(len(text), end + SNIPPET_CONTEXT)
    snippet = " ".join(text[before:after].split())
    return ("…" if before else "") + snippet + ("…" if after < len(text) else "")


def _named_users(terms: Sequence[str]) -> dict[int, str]:
    """Users whose username, first or last name or full name is one of ``terms`` (one query)."""
    match = Q()
    for term in terms:
        match |= Q(username__iexact=term) | Q(first_name__iexact=term) | Q(last_name__iexact=term)
        match |= Q(full_name__iexact=term)
    users = User.objects.annotate(full_name=Concat("first_name", Value(" "), "last_name")).filter(match)
    return {user.pk: (user.get_full_name() or user.username) for user in users}


def _verbose(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name)).capitalize()


def _source_match(source: Any, terms: Sequence[str], named: dict[int, str]) -> Q:
    """A source's rows that may hold a hit: a text field containing a term's first word, or a matched user named
    (the whole-word pattern then decides, in Python)."""
    match = Q()
    for name in source.text_fields:
        for term in terms:
            match |= Q(**{f"{name}__icontains": term.split()[0]})
    if named:
        for person in source.people:
            match |= Q(**{f"{person}_id__in": list(named)})
    return match


def _record_hits(*, source: Any, record: models.Model, pattern: Any, named: dict[int, str]) -> list[Hit]:
    """The hits in one record: one per text field the pattern matches, one per field naming a matched user."""
    hits: list[Hit] = []
    refused = source.not_redactable(record)
    restricted = source.restricted(record)
    for name in source.text_fields:
        text = getattr(record, name) or ""
        found = list(pattern.finditer(text))
        if found:
            hits.append(
                Hit(
                    source=source,
                    record=record,
                    field=name,
                    field_label=_verbose(source.model, name),
                    snippet=_snippet(text, found[0].start(), found[0].end()),
                    matches=len(found),
                    url=source.url(record),
                    restricted=restricted,
                    redactable=source.redact is not None and name in source.redactable and not refused,
                    not_redactable=refused,
                )
            )
    for person in source.people:
        person_id = getattr(record, f"{person}_id")
        if person_id in named:
            hits.append(
                Hit(
                    source=source,
                    record=record,
                    field=person,
                    field_label=_verbose(source.model, person),
                    snippet=f"Named as {_verbose(source.model, person).lower()}: {named[person_id]}",
                    matches=1,
                    url=source.url(record),
                    restricted=restricted,
                    redactable=False,
                    not_redactable="A named user: the person's account, not text in the record.",
                )
            )
    return hits


def find_person(*, terms: Sequence[str], user: Any) -> SearchResult:
    """Every hit of ``terms`` in the sources: one per (record, field) with a snippet around the first match,
    and one per user field naming a matched user. At most HIT_CAP hits. One query for the users and one per
    source; the restricted records read are recorded (commissioning.audit) in one more."""
    _require_dpo(user)
    pattern = redaction.person_pattern(terms)
    named = _named_users(terms)
    result = SearchResult()
    read: list[models.Model] = []
    for source in SOURCES:
        room = HIT_CAP - len(result.hits)
        if room <= 0:
            result.truncated = True
            break
        queryset = (
            source.model._default_manager.filter(_source_match(source, terms, named))
            .select_related(*source.related)
            .order_by("pk")
        )
        for record in queryset[: room + 1]:
            record_hits = _record_hits(source=source, record=record, pattern=pattern, named=named)
            if not record_hits:
                continue  # "Ann" found "Annual": not a whole-word match
            if len(result.hits) + len(record_hits) > HIT_CAP:
                result.truncated = True
                break
            result.hits.extend(record_hits)
            if record_hits[0].restricted:
                read.append(record)
    record_reads(user=user, objects=read, via="page")
    return result


def subject_access_search(
    *, terms: str, reference: str, reason: str, by: User
) -> tuple[SubjectAccessSearch, SearchResult]:
    """Search for a person's details and keep the audit of the search (who, when, what, under which request,
    how many hits)."""
    _require_dpo(by)
    term_list = clean_terms(terms)
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": "Enter the reference of the subject access request."})
    result = find_person(terms=term_list, user=by)
    search = SubjectAccessSearch.objects.create(
        by=by,
        terms="\n".join(term_list),
        reference=reference[:100],
        reason=reason.strip(),
        result_count=len(result.hits),
        truncated=result.truncated,
    )
    return search, result


def search_results(*, search: SubjectAccessSearch, user: Any) -> SearchResult:
    """The search run again (for its page and its exports): what the records hold now."""
    return find_person(terms=search.term_list, user=user)


# --- Redaction ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedRedaction:
    hit: Hit
    after: str
    replacements: int


def _chosen(result: SearchResult, choices: Sequence[str]) -> list[Hit]:
    by_choice = {hit.choice: hit for hit in result.hits}
    unknown = [choice for choice in choices if choice not in by_choice]
    if not choices:
        raise ValidationError({"choices": "Choose at least one record to redact."})
    if unknown:
        raise ValidationError({"choices": "A chosen record is no longer among the results: search again."})
    refused = [by_choice[choice] for choice in choices if not by_choice[choice].redactable]
    if refused:
        first = refused[0]
        raise ValidationError(
            {"choices": f"{first.source.label} {first.record.pk} cannot be redacted: {first.not_redactable}"}
        )
    return [by_choice[choice] for choice in dict.fromkeys(choices)]


def clean_replacement(*, replacement: str, terms: Sequence[str]) -> str:
    replacement = (replacement or "").strip() or DEFAULT_REPLACEMENT
    if len(replacement) > 100:
        raise ValidationError({"replacement": "Enter a replacement of at most 100 characters."})
    if redaction.person_pattern(terms).search(replacement):
        raise ValidationError({"replacement": "The replacement must not contain the person's details."})
    return replacement


def redaction_preview(
    *, search: SubjectAccessSearch, choices: Sequence[str], replacement: str, user: Any
) -> list[PlannedRedaction]:
    """What a redaction would change, field by field, before it is confirmed."""
    _require_dpo(user)
    terms = search.term_list
    replacement = clean_replacement(replacement=replacement, terms=terms)
    planned = []
    for hit in _chosen(search_results(search=search, user=user), choices):
        text = getattr(hit.record, hit.field) or ""
        after, count = redaction.replace_person_details(text, terms=terms, replacement=replacement)
        start = max(0, after.find(replacement))
        planned.append(
            PlannedRedaction(hit=hit, after=_snippet(after, start, start + len(replacement)), replacements=count)
        )
    return planned


@transaction.atomic
def records_redact(
    *, search: SubjectAccessSearch, choices: Sequence[str], replacement: str, reason: str, by: User
) -> list[Redaction]:
    """Replace the person's details in the chosen fields of the chosen records, each record through its owning
    app's service (which writes its history row naming ``by``), and log a Redaction per field changed: who,
    when, why, which record and field and how many replacements, never the text replaced."""
    _require_dpo(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the records are redacted."})
    terms = search.term_list
    replacement = clean_replacement(replacement=replacement, terms=terms)
    fields_by_record: dict[tuple[str, int], list[Hit]] = defaultdict(list)
    for hit in _chosen(search_results(search=search, user=by), choices):
        fields_by_record[(hit.source.key, hit.record.pk)].append(hit)
    logged = []
    for hits in fields_by_record.values():
        source, record = hits[0].source, hits[0].record
        assert source.redact is not None  # _chosen refused the others
        counts = source.redact(record, fields=[hit.field for hit in hits], terms=terms, replacement=replacement, by=by)
        for name, count in counts.items():
            logged.append(
                Redaction(
                    by=by,
                    search=search,
                    reason=reason,
                    app_label=record._meta.app_label,
                    model=record._meta.model_name,
                    object_id=record.pk,
                    field=name,
                    replacement=replacement,
                    replacements=count,
                )
            )
    return Redaction.objects.bulk_create(logged)


def redactions() -> models.QuerySet[Redaction]:
    """The redaction log, newest first, with who redacted and the search it came from."""
    return Redaction.objects.select_related("by", "search").order_by("-redacted_at", "-pk")
