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

from .models import Decision, ExemptParagraph, ScrutinyPack
from .selectors import conclusions_for_strategies

# Bump when the document templates or the way data is gathered change, so stored files are re-rendered.
TEMPLATE_VERSION = "scrutiny-documents-7"
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
    # "A" when the highlight reports are the Appendix A of the Executive report the pack carries: then this part
    # prints as "Appendix A1", "Appendix A2"… (its number, which exempt documents and supplements count by, stays).
    letter: str = ""

    @property
    def printed_number(self) -> str:
        return f"{self.letter}{self.number}"

    @property
    def label(self) -> str:
        return f"Appendix {self.printed_number}"

    @property
    def exempt_label(self) -> str:
        return ExemptParagraph(self.exempt_paragraph).label.split(": ", 1)[-1] if self.exempt_paragraph else ""


@dataclass
class BuiltDocument:
    html: str
    title: str
    appendices: list[AppendixPart] = field(default_factory=list)
    # The Executive report the pack carries as its Appendix 1 (the highlight reports are then its Appendix A).
    executive_anchor: str = ""

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
        # The conclusions it prints: those listed, and those of the report's scrutiny stages.
        printed = [*doc["conclusions"], *(s for s in doc.get("scrutiny_stages", []) if s["text"])]
        keys = {
            _conclusion_key(committee=c.get("committee", ""), meeting_date=c.get("meeting_date", ""), text=c["text"])
            for c in printed
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


def _appendix_parts(pack: ScrutinyPack, entries: list, *, first: int = 1) -> list[AppendixPart]:
    """``entries`` (a pack's appendices or a supplement's late items, each with its strategy) as appendix parts
    numbered from ``first``, each with the report it prints: the latest report the board has finished with,
    dated on or before the pack's date (one query for them all)."""
    printed = HighlightReport.objects.printed_for_packs(
        strategy_ids=[entry.strategy_id for entry in entries], on_or_before=pack.report_date
    )
    # With an Executive report (Appendix 1), the highlight reports are that report's Appendix A: A1, A2…
    letter = pack.appendix_letter
    parts = []
    for number, entry in enumerate(entries, start=first):
        strategy = entry.strategy
        report = printed.get(strategy.pk)
        if report is not None:
            report.strategy = strategy
        parts.append(
            AppendixPart(
                number=number,
                strategy=strategy,
                report=report,
                period=report.period if report else FinancialQuarter.containing(pack.report_date),
                anchor=f"appendix-{letter.lower()}{number}",
                title=f"{strategy.name} Commissioning Highlight Report",
                exempt_paragraph=getattr(entry, "exempt_paragraph", None),
                letter=letter,
            )
        )
    return parts


def pack_appendices(pack: ScrutinyPack) -> list[AppendixPart]:
    """The appendices of a pack in order, each with the report and quarter it prints (no HTML yet): two
    queries, whatever the number of appendices. The pack page shows the same choice before any render."""
    return _appendix_parts(pack, list(pack.appendices.select_related("strategy").order_by("order", "pk")))


def build_pack_document(
    pack: ScrutinyPack, *, on_appendix_built: Callable[[int, int], None] | None = None
) -> BuiltDocument:
    """The whole pack as one HTML document. ``on_appendix_built(done, total)`` is called after each
    appendix, so the caller can show progress."""
    pack = ScrutinyPack.objects.select_related("meeting__committee", "decision").get(pk=pack.pk)
    # What the committee had concluded before this meeting: a conclusion made at it belongs in later packs.
    conclusions_up_to = pack.meeting.date - timedelta(days=1)
    parts = pack_appendices(pack)
    for part in parts:
        part.body = _appendix_body(part, conclusions_up_to=conclusions_up_to)
        if part.exempt_paragraph is not None:
            # Exempt information: the pack prints the item's title and paragraph only; the content goes into the
            # item's restricted document (build_exempt_document), never into the pack.
            part.restricted_body = part.body
            part.body = render_to_string("scrutiny/pdf/exempt_notice.html", {"part": part})
        if on_appendix_built is not None:
            on_appendix_built(part.number, len(parts))
    previous = pack.revisions.order_by("-number").first()
    revision = {"number": previous.number + 1, "replaces": previous} if previous is not None else None
    executive = executive_report_html(pack.decision, parts) if pack.decision is not None else ""
    html = render_to_string(
        "scrutiny/pdf/pack.html",
        {
            "pack": pack,
            "title": pack.title,
            "appendices": parts,
            "decision": pack.decision,
            "executive_anchor": EXECUTIVE_ANCHOR,
            "executive_report": executive,
            "revision": revision,
            "council_name": settings.COUNCIL_NAME,
            "council_logo": settings.COUNCIL_LOGO,
        },
    )
    return BuiltDocument(
        html=html, title=pack.title, appendices=parts, executive_anchor=EXECUTIVE_ANCHOR if executive else ""
    )


# --- The Executive (decision) report a pack carries -----------------------------------------------------------

EXECUTIVE_ANCHOR = "appendix-1"
EXECUTIVE_APPENDIX_LETTER = ScrutinyPack.EXECUTIVE_APPENDIX_LETTER


# The decision's fields the Executive report prints (its outcome is recorded after the pack went out).
PRINTED_DECISION_FIELDS = [
    "reference",
    "key_decision",
    "report_to",
    "report_date",
    "subject",
    "summary",
    "recommendations",
    "alternatives_considered",
    "reasons",
    "background",
    "equality_implications",
    "jsna_implications",
    "crime_and_disorder_implications",
    "climate_implications",
    "conclusion",
    "legal_comments",
    "resource_comments",
    "local_member_consulted",
    "executive_councillor_consulted",
    "scrutiny_comments",
    "risks_analysed",
    "consultation",
    "background_papers",
    "on_behalf_of",
    "author",
    "contact",
]


def decision_printed_differently_since(decision: Decision, when) -> bool:
    """Whether the Executive report would print differently now from how it printed at ``when`` (a revision's
    publication): any printed field changed since, from the decision's history."""
    try:
        then = decision.history.as_of(when)
    except Decision.DoesNotExist:
        return True
    return any(getattr(then, name) != getattr(decision, name) for name in PRINTED_DECISION_FIELDS)


def decision_alternatives(decision: Decision) -> list[str]:
    """The alternatives considered, one a line (a leading bullet or dash dropped), as the report numbers them."""
    lines = (line.strip().lstrip("-•*").strip() for line in decision.alternatives_considered.splitlines())
    return [line for line in lines if line]


def executive_report_html(decision: Decision, parts: list[AppendixPart]) -> str:
    """The decision maker's report in seed 000's order, as the pack's Appendix 1, listing the highlight reports
    (``parts``) that follow it as its Appendix A. The report's header, background papers and author line are
    the same include as the cover report's: the same fields print the same way."""
    return render_to_string(
        "scrutiny/pdf/executive_report.html",
        {
            "decision": decision,
            "anchor": EXECUTIVE_ANCHOR,
            "alternatives": decision_alternatives(decision),
            "appendices": parts,
            "appendix_letter": EXECUTIVE_APPENDIX_LETTER,
        },
    )


def build_exempt_document(pack: ScrutinyPack, part: AppendixPart, *, revision_number: int) -> BuiltDocument:
    """The restricted document of one exempt appendix (``part`` from ``build_pack_document``): its content
    under a "not for publication" notice, numbered on its own."""
    title = f"{pack.title}: exempt {part.label}, {part.strategy.name}"
    html = render_to_string(
        "scrutiny/pdf/exempt_document.html",
        {"pack": pack, "part": part, "title": title, "revision_number": revision_number},
    )
    return BuiltDocument(html=html, title=title)


# --- Supplements: late items, numbered on from the pack ----------------------------------------------------


@dataclass
class SupplementDocument(BuiltDocument):
    first_page: int = 1
    first_appendix: int = 1
    late_items: list = field(default_factory=list)

    @property
    def page_css(self) -> str:
        """Where the printed page numbers start (the page after the pack's), and a first page on the left when
        that number is even, so that appendices still start on odd, right-hand pages."""
        css = f"@page :first {{ counter-set: page {self.first_page}; }}"
        return css + (" html { break-before: left; }" if self.first_page % 2 == 0 else "")

    @property
    def checksum(self) -> str:
        return sha256_hex(document_checksum(self.html), self.page_css)


def supplement_numbering(supplement) -> tuple[int, int]:
    """Where a supplement starts: (first printed page, first appendix number). The page after the last page of
    the pack's current published revision and of the earlier supplements already published, and the appendix
    after the pack's and theirs."""
    from .models import PackSupplement

    pack = supplement.pack
    latest = pack.revisions.order_by("-number").first()
    earlier = list(
        PackSupplement.objects.filter(
            pack_id=pack.pk, number__lt=supplement.number, status=PackSupplement.Status.PUBLISHED
        ).prefetch_related("items")
    )
    pages = (latest.page_count if latest else 0) + sum(s.page_count or 0 for s in earlier)
    appendices = pack.appendices.count() + sum(len(s.items.all()) for s in earlier)
    return pages + 1, appendices + 1


def _supplement_parts(supplement, *, first_appendix: int) -> list[AppendixPart]:
    """The supplement's late items as appendices numbered on from the pack's (after an Executive report's
    Appendix A1, A2…, the late ones go on from there), each with the report it prints, as the pack chooses it."""
    entries = list(supplement.items.select_related("strategy").order_by("order", "pk"))
    return _appendix_parts(supplement.pack, entries, first=first_appendix)


def _appendix_body(part: AppendixPart, *, conclusions_up_to) -> str:
    """One appendix as the pack (or a supplement) prints it: the report (or the "no report" notice), the
    conclusions since, and the performance page."""
    if part.report is not None:
        section = _report_section(part.report)
    else:
        section = ReportSection(render_to_string("scrutiny/pdf/no_report.html", {"strategy": part.strategy}))
    later = _later_conclusions(
        part.strategy,
        after=part.report.report_date if part.report else None,
        up_to=conclusions_up_to,
        printed=section.conclusion_keys,
    )
    return render_to_string(
        "scrutiny/pdf/appendix.html",
        {
            "part": part,
            "report_html": section.html,
            "later_conclusions": later,
            "has_report": part.report is not None,
            "performance_heading": _performance_heading(part.period),
            "performance_html": _performance_section(part.strategy, part.period),
        },
    )


def build_supplement_document(supplement) -> SupplementDocument:
    """A supplement as one HTML document: its cover (supplement N to the agenda, the reasons for urgency, the
    late items), contents, then the late items' appendices. Its printed page numbers start at the page after
    the pack's (CSS ``counter-set`` on the first page) and its appendices after the pack's; the first page is a
    left-hand page when its number is even, so appendices still start on odd, right-hand pages."""
    from .models import AgendaItem, PackSupplement

    supplement = PackSupplement.objects.select_related("pack__meeting__committee").get(pk=supplement.pk)
    pack = supplement.pack
    first_page, first_appendix = supplement_numbering(supplement)
    parts = _supplement_parts(supplement, first_appendix=first_appendix)
    conclusions_up_to = pack.meeting.date - timedelta(days=1)
    for part in parts:
        part.body = _appendix_body(part, conclusions_up_to=conclusions_up_to)
    by_strategy = {part.strategy.pk: part for part in parts}
    agenda = AgendaItem.objects.filter(supplement=supplement).order_by("number")
    late_items = [
        {"item": item, "part": by_strategy.get(item.strategy_id) if item.strategy_id else None} for item in agenda
    ]
    title = f"Supplement {supplement.number} to the agenda for {pack.meeting}"
    html = render_to_string(
        "scrutiny/pdf/supplement.html",
        {
            "supplement": supplement,
            "pack": pack,
            "title": title,
            "appendices": parts,
            "late_items": late_items,
            "first_page": first_page,
            "council_name": settings.COUNCIL_NAME,
            "council_logo": settings.COUNCIL_LOGO,
        },
    )
    return SupplementDocument(
        html=html,
        title=title,
        appendices=parts,
        first_page=first_page,
        first_appendix=first_appendix,
        late_items=late_items,
    )


def label_pages(content: bytes, *, first: int) -> bytes:
    """The PDF with page labels (/PageLabels) from ``first``, so that a viewer's page numbers are the printed
    ones. pikepdf (qpdf) changes only the catalogue's /PageLabels: the structure tree (the accessibility tags),
    language, outline and metadata stay as WeasyPrint wrote them (tests/scrutiny/test_supplements.py reads the
    tags back), object streams are written again, so the file keeps its size (pypdf's clone tripled it), and
    the document ID is derived from the content, so the same input gives the same bytes."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(content)) as pdf:
        pdf.Root.PageLabels = pikepdf.Dictionary(
            Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D, St=first)])
        )
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    return out.getvalue()
