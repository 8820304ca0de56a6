"""The HTML of the printed documents: a highlight report on its own, and a scrutiny pack
(cover report, contents, one appendix per strategy), laid out as one document so that page
numbers run through the whole pack.

Building the HTML is the "data" part of a render; WeasyPrint's layout is the rest
(commissioning.pdf). The checksum of a document is taken over this HTML plus the stylesheet
and TEMPLATE_VERSION, so it changes exactly when the printed content would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from commissioning.pdf import sha256_hex, static_path
from commissioning.periods import FinancialQuarter
from contracts.selectors import key_contracts_for_strategies
from performance.selectors import measures_summary, measures_with_results
from strategies.models import CommissioningStrategy, HighlightReport

from .models import ExemptParagraph, ScrutinyPack
from .selectors import conclusions_for_strategies

# Bump when the document templates or the way data is gathered change, so stored files are re-rendered.
TEMPLATE_VERSION = "scrutiny-documents-5"
PDF_STYLESHEET = "css/pdf.css"
PERFORMANCE_QUARTERS = 4


@dataclass
class AppendixPart:
    number: int
    strategy: CommissioningStrategy
    report: HighlightReport | None
    period: FinancialQuarter
    anchor: str
    title: str
    body: str = ""
    # Exempt information (Schedule 12A paragraph): the pack prints a notice; ``restricted_body`` is the content.
    exempt_paragraph: int | None = None
    restricted_body: str = ""

    @property
    def exempt_label(self) -> str:
        return ExemptParagraph(self.exempt_paragraph).label.split(": ", 1)[-1] if self.exempt_paragraph else ""


@dataclass
class BuiltDocument:
    html: str
    title: str
    appendices: list[AppendixPart] = field(default_factory=list)

    @property
    def checksum(self) -> str:
        return document_checksum(self.html)


def stylesheet_paths():
    return [static_path(PDF_STYLESHEET)]


def document_checksum(html: str) -> str:
    styles = "".join(path.read_text() for path in stylesheet_paths())
    return sha256_hex(TEMPLATE_VERSION, styles, html)


def report_for_pack(*, strategy: CommissioningStrategy, on_or_before) -> HighlightReport | None:
    """The highlight report a pack prints for a strategy: the latest non-draft report dated on or
    before the pack's date; failing that, the strategy's latest non-draft report. Never a draft: a published
    pack is read by councillors, and HighlightReport.visible_to shows them what packs print."""
    report = HighlightReport.objects.printed_for_pack(strategy_id=strategy.pk, on_or_before=on_or_before)
    if report is not None:
        report.strategy = strategy
    return report


# Fragments other apps own; until they exist the document falls back to this app's own rendering.
def _shared_fragment(module: str, function: str, template: str):
    try:
        selector = getattr(__import__(module, fromlist=[function]), function)
        return selector, get_template(template)
    except (ImportError, AttributeError, TemplateDoesNotExist):
        return None, None


def _conclusion_key(*, committee: str, meeting_date: str, text: str) -> tuple[str, str, str]:
    """What makes two printed conclusions the same: committee, meeting date ("5 September 2018") and words."""
    return committee, meeting_date, " ".join(text.split())


def _printed_key(conclusion) -> tuple[str, str, str]:
    return _conclusion_key(
        committee=conclusion.meeting.committee.name,
        meeting_date=f"{conclusion.meeting.date:%-d %B %Y}",
        text=conclusion.text,
    )


@dataclass
class ReportSection:
    html: str
    # The conclusions the section prints, so that the appendix does not print them a second time.
    conclusion_keys: set[tuple[str, str, str]] = field(default_factory=set)


def _report_section(report: HighlightReport) -> ReportSection:
    """The highlight report in the template's layout, ending with the conclusions known at its date."""
    selector, template = _shared_fragment(
        "strategies.selectors", "highlight_report_document", "strategies/includes/report_document.html"
    )
    if selector is not None:
        doc = selector(report=report)
        keys = {
            _conclusion_key(committee=c.get("committee", ""), meeting_date=c.get("meeting_date", ""), text=c["text"])
            for c in doc["conclusions"]
        }
        return ReportSection(template.render({"doc": doc, "for_pdf": True}), keys)
    strategy = report.strategy
    contracts = list(key_contracts_for_strategies(strategy_ids=[strategy.pk]))
    conclusions = list(conclusions_for_strategies(strategy_ids=[strategy.pk], up_to=report.report_date))
    html = render_to_string(
        "scrutiny/pdf/report_fallback.html",
        {
            "report": report,
            "strategy": strategy,
            "outcomes": list(strategy.outcomes.all()),
            "summary": measures_summary(strategy_ids=[strategy.pk], period=report.period)[strategy.pk],
            "contracts": contracts,
            "pooled_budgets": list(strategy.pooled_budgets.all()),
            "conclusions": conclusions,
        },
    )
    return ReportSection(html, {_printed_key(c) for c in conclusions})


def _performance_section(strategy: CommissioningStrategy, period: FinancialQuarter) -> str:
    selector, template = _shared_fragment(
        "performance.selectors", "strategy_performance_context", "performance/includes/strategy_performance.html"
    )
    if selector is not None:
        return template.render({"perf": selector(strategy=strategy, period=period), "for_pdf": True})
    periods = period.last(PERFORMANCE_QUARTERS)
    measures = measures_with_results(strategy_id=strategy.pk, periods=periods)
    rows = []
    for measure in measures:
        by_period = {r.period: r for r in measure.period_results}  # type: ignore[attr-defined]
        rows.append({"measure": measure, "cells": [by_period.get(p) for p in periods]})
    return render_to_string(
        "scrutiny/pdf/performance_fallback.html",
        {"strategy": strategy, "period": period, "periods": periods, "rows": rows},
    )


def _performance_heading(period: FinancialQuarter) -> str:
    return f"Quarter {period.quarter} {period.financial_year_label} Performance Information"


def build_report_document(report: HighlightReport) -> BuiltDocument:
    """A highlight report on its own: the template's sections, then its performance page."""
    report = HighlightReport.objects.select_related("strategy__directorate", "strategy__commissioning_lead").get(
        pk=report.pk
    )
    title = f"{report.strategy.name} Commissioning Highlight Report, {report.period}"
    html = render_to_string(
        "scrutiny/pdf/report.html",
        {
            "title": title,
            "report": report,
            "body": _report_section(report).html,
            "performance_heading": _performance_heading(report.period),
            "performance": _performance_section(report.strategy, report.period),
        },
    )
    return BuiltDocument(html=html, title=title)


def _later_conclusions(strategy: CommissioningStrategy, *, after, up_to, printed=frozenset()) -> list:
    """Conclusions the report could not know (made after its date) but the pack's readers should, less any
    the report section already prints (``printed``, keys from ReportSection): a report reviewed at a later
    meeting, or approved later, can print some of them itself, and each conclusion is printed once."""
    conclusions = conclusions_for_strategies(strategy_ids=[strategy.pk], up_to=up_to)
    return [c for c in conclusions if (after is None or c.meeting.date > after) and _printed_key(c) not in printed]


def pack_appendices(pack: ScrutinyPack) -> list[AppendixPart]:
    """The appendices of a pack in order, each with the report and quarter it prints (no HTML yet): two
    queries, whatever the number of appendices. The pack page shows the same choice before any render."""
    appendices = list(pack.appendices.select_related("strategy").order_by("order", "pk"))
    printed = HighlightReport.objects.printed_for_packs(
        strategy_ids=[a.strategy_id for a in appendices], on_or_before=pack.report_date
    )
    parts = []
    for number, appendix in enumerate(appendices, start=1):
        strategy = appendix.strategy
        report = printed.get(strategy.pk)
        if report is not None:
            report.strategy = strategy
        period = report.period if report else FinancialQuarter.containing(pack.report_date)
        parts.append(
            AppendixPart(
                number=number,
                strategy=strategy,
                report=report,
                period=period,
                anchor=f"appendix-{number}",
                title=f"{strategy.name} Commissioning Highlight Report",
                exempt_paragraph=appendix.exempt_paragraph,
            )
        )
    return parts


def build_pack_document(
    pack: ScrutinyPack, *, on_appendix_built: Callable[[int, int], None] | None = None
) -> BuiltDocument:
    """The whole pack as one HTML document. ``on_appendix_built(done, total)`` is called after each
    appendix, so the caller can show progress."""
    pack = ScrutinyPack.objects.select_related("meeting__committee").get(pk=pack.pk)
    # What the committee had concluded before this meeting: a conclusion made at it belongs in later packs.
    conclusions_up_to = pack.meeting.date - timedelta(days=1)
    parts = pack_appendices(pack)
    for part in parts:
        if part.report is not None:
            section = _report_section(part.report)
        else:
            section = ReportSection(render_to_string("scrutiny/pdf/no_report.html", {"strategy": part.strategy}))
        report_html = section.html
        later = _later_conclusions(
            part.strategy,
            after=part.report.report_date if part.report else None,
            up_to=conclusions_up_to,
            printed=section.conclusion_keys,
        )
        part.body = render_to_string(
            "scrutiny/pdf/appendix.html",
            {
                "part": part,
                "report_html": report_html,
                "later_conclusions": later,
                "has_report": part.report is not None,
                "performance_heading": _performance_heading(part.period),
                "performance_html": _performance_section(part.strategy, part.period),
            },
        )
        if part.exempt_paragraph is not None:
            # Exempt information: the pack prints the item's title and paragraph only; the content goes into the
            # item's restricted document (build_exempt_document), never into the pack.
            part.restricted_body = part.body
            part.body = render_to_string("scrutiny/pdf/exempt_notice.html", {"part": part})
        if on_appendix_built is not None:
            on_appendix_built(part.number, len(parts))
    previous = pack.revisions.order_by("-number").first()
    revision = {"number": previous.number + 1, "replaces": previous} if previous is not None else None
    html = render_to_string(
        "scrutiny/pdf/pack.html",
        {
            "pack": pack,
            "title": pack.title,
            "appendices": parts,
            "revision": revision,
            "council_name": settings.COUNCIL_NAME,
            "council_logo": settings.COUNCIL_LOGO,
        },
    )
    return BuiltDocument(html=html, title=pack.title, appendices=parts)


def build_exempt_document(pack: ScrutinyPack, part: AppendixPart, *, revision_number: int) -> BuiltDocument:
    """The restricted document of one exempt appendix (``part`` from ``build_pack_document``): its content
    under a "not for publication" notice, numbered on its own."""
    title = f"{pack.title}: exempt appendix {part.number}, {part.strategy.name}"
    html = render_to_string(
        "scrutiny/pdf/exempt_document.html",
        {"pack": pack, "part": part, "title": title, "revision_number": revision_number},
    )
    return BuiltDocument(html=html, title=title)
