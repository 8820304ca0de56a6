"""What the search finds, type by type: for each result group, the model, how a record reads in the index (its
title and text), where its page is, and which records the user may see. Visibility is always the model's own
``visible_to(user)``: the index never decides it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.urls import reverse

from commissioning import documents
from commissioning.models import Document
from contracts.models import Contract, ContractChange
from oversight.models import Concern, Visit
from providers.models import Location, Provider
from scrutiny.models import Decision
from strategies.models import CommissioningStrategy, HighlightReport


def _text(*parts: Any) -> str:
    return "\n".join(str(part) for part in parts if part)


@dataclass(frozen=True)
class SearchType:
    key: str
    label: str
    model: type[models.Model]
    title: Callable[[Any], str]
    body: Callable[[Any], str]
    url: Callable[[Any], str]
    related: tuple[str, ...] = field(default=())
    # The record's page by id, when it has one; otherwise search:go loads the record and redirects to ``url``.
    url_name: str | None = None

    def visible_ids(self, user: Any) -> QuerySet:
        """The ids of this type's records ``user`` may see, as a subquery (one query per type, whatever the hits)."""
        return self.model.objects.visible_to(user).values("pk")  # type: ignore[attr-defined]

    def indexed(self) -> QuerySet:
        """Every record of the type, with what its entry reads, for the rebuild."""
        return self.model._default_manager.select_related(*self.related).order_by("pk")


class DocumentSearchType(SearchType):
    def visible_ids(self, user: Any) -> QuerySet:
        """A document is seen by whoever sees the record it belongs to: the record's view permission, as the
        download checks (commissioning.documents), and the record among its model's ``visible_to(user)`` (so a
        restricted concern's documents are as need-to-know as the concern). Documents of other records are not
        searched."""
        governed = {model: GOVERNED_BY.get(model, model) for model in DOCUMENT_RECORD_MODELS}
        return documents.documents_visible_to(user, governed).values("pk")


def _report_body(report: HighlightReport) -> str:
    return _text(
        report.summary,
        report.needs_established,
        report.outcomes_text,
        report.success_note,
        report.key_contracts_note,
        report.pooled_budget_arrangements,
        report.property_implications,
        report.commercial_opportunities,
        report.scrutiny_note,
        report.rag_comment,
        report.commissioners_comments,
        report.board_comments,
        report.completed_by,
    )


SEARCH_TYPES: tuple[SearchType, ...] = (
    SearchType(
        key="strategies",
        url_name="strategies:detail",
        label="Strategies",
        model=CommissioningStrategy,
        title=str,
        body=lambda s: _text(s.purpose, s.summary, s.needs_established, s.sponsor, s.lead_officer),
        url=lambda s: s.get_absolute_url(),
    ),
    SearchType(
        key="reports",
        url_name="strategies:report",
        label="Highlight reports",
        model=HighlightReport,
        title=str,
        body=_report_body,
        url=lambda r: r.get_absolute_url(),
        related=("strategy",),
    ),
    SearchType(
        key="contracts",
        url_name="contracts:detail",
        label="Contracts",
        model=Contract,
        title=str,
        body=lambda c: _text(
            c.description,
            c.lead_provider,
            c.provider_summary,
            c.procurement_route,
            c.performance_note,
            c.corrective_measures,
            c.decision_reason,
        ),
        url=lambda c: c.get_absolute_url(),
        related=("lead_provider",),
    ),
    SearchType(
        key="providers",
        url_name="providers:detail",
        label="Providers",
        model=Provider,
        title=str,
        body=lambda p: _text(
            p.trading_name,
            p.address,
            p.postcode,
            p.companies_house_number,
            p.charity_number,
            p.cqc_provider_id,
            p.ppon_id,
        ),
        url=lambda p: p.get_absolute_url(),
    ),
    SearchType(
        key="locations",
        label="Locations",
        model=Location,
        title=str,
        body=lambda loc: _text(
            loc.provider,
            loc.address,
            loc.postcode,
            loc.district,
            loc.zone,
            loc.registered_manager,
            loc.cqc_location_id,
        ),
        # A location is shown on its provider's page.
        url=lambda loc: reverse("providers:detail", args=[loc.provider_id]),
        related=("provider",),
    ),
    SearchType(
        key="concerns",
        url_name="oversight:concern",
        label="Concerns",
        model=Concern,
        title=str,
        body=lambda c: _text(c.summary, c.outcome, c.s42_reference, c.location),
        url=lambda c: c.get_absolute_url(),
        related=("provider", "location"),
    ),
    SearchType(
        key="visits",
        label="Visits",
        model=Visit,
        title=str,
        body=lambda v: _text(v.provider, v.findings, v.follow_up_actions),
        # A visit is shown on its provider's page.
        url=lambda v: reverse("providers:detail", args=[v.provider_id]),
        related=("provider", "location"),
    ),
    SearchType(
        key="decisions",
        url_name="scrutiny:decision",
        label="Decisions",
        model=Decision,
        title=str,
        body=lambda d: _text(
            d.decision_maker,
            d.summary,
            d.background,
            d.recommendations,
            d.reasons,
            d.conclusion,
            d.outcome_notes,
            d.scrutiny_comments,
        ),
        url=lambda d: d.get_absolute_url(),
    ),
    DocumentSearchType(
        key="documents",
        url_name="document-download",
        label="Documents",
        model=Document,
        title=str,
        body=lambda d: d.original_filename,
        url=lambda d: d.get_absolute_url(),
    ),
)

BY_KEY = {search_type.key: search_type for search_type in SEARCH_TYPES}
BY_MODEL: dict[type[models.Model], SearchType] = {search_type.model: search_type for search_type in SEARCH_TYPES}

# Records whose documents the search finds (each has visible_to); a contract change's documents are its
# contract's (``documents_belong_to``).
DOCUMENT_RECORD_MODELS: tuple[type[models.Model], ...] = (
    CommissioningStrategy,
    HighlightReport,
    Contract,
    ContractChange,
    Provider,
    Location,
    Concern,
    Visit,
    Decision,
)
GOVERNED_BY: dict[type[models.Model], type[models.Model]] = {ContractChange: Contract}


def types_for(keys: Iterable[str] | None = None) -> list[SearchType]:
    if keys is None:
        return list(SEARCH_TYPES)
    return [BY_KEY[key] for key in keys]
