"""The council dashboard: a read model across the apps. Strategies by RAG, measures achieving or not, and for
officers contracts needing a decision, visits and concerns, providers by risk and CQC ratings.

What each reader sees is decided by the core, once: ``permissions.is_officer`` for the contract and provider
figures (councillors see performance, never those), ``permissions.may_see_drafts`` for the RAG of a
highlight report still in draft. The figures are counted for an *audience* (those two answers), so the
cache shares them only between readers who see the same."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from commissioning import permissions
from commissioning.charts import RAG_COLOURS, Series, bar_chart, line_chart, stacked_bar
from commissioning.periods import FinancialQuarter, financial_year_bounds, financial_year_label, month_ends
from contracts.selectors import NEEDS_DECISION_WINDOWS, contracts_needing_decision, needs_decision_counts
from oversight.models import Concern, Visit
from oversight.notices import notices_due
from oversight.performance import assessments_overdue, contracts_missing_kpis
from performance.selectors import measures_summary
from providers.models import CqcRating, CqcRatingAlert, CqcRatingValue, Location, Provider
from providers.risk import NOT_ASSESSED, RISK_COLOURS, RISK_ORDER, risk_label
from strategies.models import CommissioningStrategy, HighlightReport, Saving
from strategies.selectors import savings_table

from .returns_panel import returns_panel

RAG_ORDER = ("red", "amber", "green", "none")
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "none": "No RAG reported"}
GOOD_RATINGS = ("good", "outstanding")
NEEDS_DECISION_MONTHS = 12


@dataclass(frozen=True)
class Audience:
    """What a reader of the dashboard may see, as the core answers it."""

    officer: bool  # contract and provider figures
    drafts: bool  # the RAG of a report still in draft

    @classmethod
    def of(cls, user) -> Audience:
        return cls(officer=permissions.is_officer(user), drafts=permissions.may_see_drafts(user))

    @property
    def key(self) -> str:
        return f"{int(self.officer)}{int(self.drafts)}"


def strategies_rag(*, period: FinancialQuarter, drafts: bool = False) -> list:
    """Every strategy with ``quarter_rag``: the RAG of its highlight report for ``period`` ("none" if no report,
    no RAG given, or ``drafts`` is False and the report has not yet gone to scrutiny). One query."""
    reports = HighlightReport.objects.all() if drafts else HighlightReport.objects.gone_to_scrutiny()
    report_rag = reports.filter(strategy=OuterRef("pk"), year=period.year, quarter=period.quarter)
    strategies = list(
        CommissioningStrategy.objects.annotate(report_rag=Subquery(report_rag.values("rag")[:1])).order_by("name")
    )
    for strategy in strategies:
        setattr(strategy, "quarter_rag", strategy.report_rag or "none")  # noqa: B010
    return strategies


def _link(path: str, **params) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def dashboard_context_cached(*, period: FinancialQuarter, audience: Audience) -> dict:
    """``dashboard_context``, kept for ``settings.DASHBOARD_CACHE_SECONDS`` (a minute by default): at quarter-end
    everyone opens the dashboard at once, and its council-wide counts are the same for everyone of the same
    audience. The page says when its figures were counted."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    today = timezone.localdate()
    if not seconds:
        return dashboard_context(period=period, audience=audience, today=today)
    key = f"dashboard:v5:{period.key}:{audience.key}:{today.isoformat()}"
    context = cache.get(key)
    if context is None:
        context = dashboard_context(period=period, audience=audience, today=today)
        cache.set(key, context, seconds)
    # Counted afresh each time: an acknowledged fall leaves the panel at once.
    if audience.officer:
        context = {**context, **cqc_alerts_panel()}
    return context


def dashboard_context(*, period: FinancialQuarter, audience: Audience, today: date | None = None) -> dict:
    """The council dashboard for ``period``: strategies by RAG, measures achieving or not by strategy and,
    for officers, contracts needing a decision, providers by risk with the monthly trend, visits and concerns
    against last quarter, and CQC ratings. Each figure comes with the link to the records behind it.
    A fixed number of queries whatever the number of strategies, measures, contracts and providers."""
    today = today or timezone.localdate()
    quarter_key = period.key
    context: dict = {
        "period": period,
        "show_officer_figures": audience.officer,
        "counted_at": timezone.now(),
    }

    # Strategies by RAG.
    strategies = strategies_rag(period=period, drafts=audience.drafts)
    rag_counts = {rag: sum(1 for s in strategies if s.quarter_rag == rag) for rag in RAG_ORDER}
    rag_links = [_link("/strategies/", rag=rag, quarter=quarter_key) for rag in RAG_ORDER]
    context["strategies"] = strategies
    context["rag_counts"] = rag_counts
    context["rag_rows"] = [
        {"rag": rag, "label": RAG_LABELS[rag], "count": rag_counts[rag], "url": url}
        for rag, url in zip(RAG_ORDER, rag_links, strict=True)
    ]
    context["rag_chart"] = bar_chart(
        title=f"Strategies by RAG status, {period}",
        description="Number of commissioning strategies whose highlight report for the quarter is red, amber, green "
        "or has no RAG.",
        series=[
            # Each bar in its status's colour, named in full under it (the meaning is never the colour alone).
            Series(
                "Strategies",
                [rag_counts[r] for r in RAG_ORDER],
                links=rag_links,
                colours=[RAG_COLOURS[r] for r in RAG_ORDER],
            )
        ],
        labels=[RAG_LABELS[r] for r in RAG_ORDER],
        label_heading="RAG status",
    )

    # Measures achieving or not, by strategy.
    summaries = measures_summary(strategy_ids=[s.pk for s in strategies], period=period)
    measured = [s for s in strategies if summaries[s.pk].total]
    links = [_link(f"/performance/strategies/{s.pk}/", quarter=quarter_key) for s in measured]
    context["measure_rows"] = [
        {"strategy": s, "summary": summaries[s.pk], "url": url} for s, url in zip(measured, links, strict=True)
    ]
    context["measure_totals"] = {
        name: sum(getattr(summaries[s.pk], name) for s in measured)
        for name in ("total", "targeted", "measured_only", "achieved", "not_achieved", "awaiting_data")
    }
    context["measures_chart"] = stacked_bar(
        title=f"Targeted measures achieving or not, by strategy, {period}",
        description="For each strategy, how many targeted measures achieved their target, did not, or have no "
        "value yet.",
        series=[
            Series("Achieved", [summaries[s.pk].achieved for s in measured], links=links, colour="#00703c"),
            Series("Not achieved", [summaries[s.pk].not_achieved for s in measured], links=links, colour="#d4351c"),
            Series("Awaiting data", [summaries[s.pk].awaiting_data for s in measured], links=links, colour="#505a5f"),
        ],
        labels=[s.name for s in measured],
        label_heading="Strategy",
        width=640,
    )

    # Savings of the quarter's financial year by directorate (every role reads savings).
    context.update(_savings_panel(year=period.year))

    if audience.officer:
        context.update(_contracts_panels(period=period, today=today))
        context.update(_providers_panels(period=period, today=today))
        # Seed 002's contract grading: live contracts by their latest return's grade and RAG.
        context.update(returns_panel(audience))
        context.update(cqc_alerts_panel())
        context.update(procurement_act_panel(today=today))
    return context


def procurement_act_panel(*, today: date) -> dict:
    """Officers' Procurement Act 2023 figures: contracts whose performance assessment is overdue, contract
    performance notices awaiting publication (and how many are late), and in-scope contracts with fewer than
    three KPIs, each linked to its list."""
    due = notices_due(user=None, today=today)
    return {
        "act_assessments_overdue": len(assessments_overdue(user=None, today=today)),
        "act_notices_due": len(due),
        "act_notices_overdue": sum(1 for row in due if row.overdue),
        "act_missing_kpis": contracts_missing_kpis(user=None).count(),
    }


# --- Savings panel (issue 16) -----------------------------------------------------------------------


def _savings_panel(*, year: int) -> dict:
    """The financial year's commissioning savings by directorate: budgeted against achieved, with the totals
    and a link to the savings list for the year. One query (strategies.selectors.savings_table)."""
    table = savings_table(savings=Saving.objects.filter(year=year))
    rows = [
        {
            "directorate": row["directorate"],
            "figures": row["cells"][0],
            "url": _link("/strategies/savings/", directorate=row["directorate_id"], year=year),
        }
        for row in table.rows
    ]
    label = financial_year_label(year)
    return {
        "savings_year": label,
        "savings_rows": rows,
        "savings_totals": table.totals.get(year),
        "savings_url": _link("/strategies/savings/", year=year),
        "savings_chart": bar_chart(
            title=f"Commissioning savings by directorate, {label}",
            description="For each directorate, the savings budgeted for the year and those achieved so far.",
            series=[
                Series("Budgeted", [float(r["figures"].budgeted) for r in rows], colour="#1d70b8"),
                Series("Achieved", [float(r["figures"].achieved or 0) for r in rows], colour="#00703c"),
            ],
            labels=[r["directorate"] for r in rows],
            label_heading="Directorate",
        )
        if rows
        else None,
    }


def _contracts_panels(*, period: FinancialQuarter, today: date) -> dict:
    # The panel shows the count and the ten soonest: fetch only those rows, however many there are.
    needing_all = contracts_needing_decision(within_months=NEEDS_DECISION_MONTHS, today=today)
    needing = list(needing_all[:10])
    needing_count = needing_all.count()
    counts = needs_decision_counts(today=today)
    needs_decision_rows = [
        {
            "label": "Running past their latest possible end",
            "count": counts.past_end,
            "url": _link("/contracts/needs-decision/", within=NEEDS_DECISION_WINDOWS[0]) + "#past_end",
        },
        *[
            {
                "label": f"Ending within {months} months",
                "count": counts.within[months],
                "url": _link("/contracts/needs-decision/", within=months),
            }
            for months in NEEDS_DECISION_WINDOWS
        ],
    ]
    previous = period.previous()
    this_range, last_range = (period.start, period.end), (previous.start, previous.end)
    visits = Visit.objects.aggregate(
        this=Count("pk", filter=Q(visited_on__range=this_range)),
        last=Count("pk", filter=Q(visited_on__range=last_range)),
    )
    concern_counts: dict[str, Mapping[str, Any]] = {
        row["kind"]: row
        for row in Concern.objects.filter(raised_on__range=(previous.start, period.end))
        .values("kind")
        .annotate(
            this=Count("pk", filter=Q(raised_on__range=this_range)),
            last=Count("pk", filter=Q(raised_on__range=last_range)),
        )
        .order_by()
    }

    def dates(q: FinancialQuarter) -> dict:
        return {"from": q.start.isoformat(), "to": q.end.isoformat()}

    concern_rows = [
        {
            "kind": kind,
            "label": label,
            "this": concern_counts.get(kind, {}).get("this", 0),
            "last": concern_counts.get(kind, {}).get("last", 0),
            "this_url": _link("/oversight/concerns/", **dates(period), kind=kind),
            "last_url": _link("/oversight/concerns/", **dates(previous), kind=kind),
        }
        for kind, label in Concern.Kind.choices
    ]
    activity_labels = ["Visits", *[r["label"] for r in concern_rows]]
    this_links = [_link("/oversight/visits/", **dates(period)), *[r["this_url"] for r in concern_rows]]
    last_links = [_link("/oversight/visits/", **dates(previous)), *[r["last_url"] for r in concern_rows]]
    return {
        "previous_period": previous,
        "needs_decision": needing,
        "needs_decision_count": needing_count,
        "needs_decision_past_end": counts.past_end,
        "needs_decision_rows": needs_decision_rows,
        "needs_decision_url": _link("/contracts/needs-decision/", within=NEEDS_DECISION_MONTHS),
        "visits": {
            "this": visits["this"],
            "last": visits["last"],
            "this_url": this_links[0],
            "last_url": last_links[0],
        },
        "concern_rows": concern_rows,
        "activity_chart": bar_chart(
            title=f"Visits and concerns, {period} against {previous}",
            description="Number of contract-monitoring visits and of concerns raised, by kind, this quarter "
            "beside last quarter.",
            series=[
                Series(str(previous), [visits["last"], *[r["last"] for r in concern_rows]], links=last_links),
                Series(str(period), [visits["this"], *[r["this"] for r in concern_rows]], links=this_links),
            ],
            labels=activity_labels,
            label_heading="Activity",
            width=640,
        ),
    }


def _providers_panels(*, period: FinancialQuarter, today: date) -> dict:
    risk_counts = dict.fromkeys(RISK_ORDER, 0)
    # Providers that have left the market are no longer risk assessed: they are not "Not assessed".
    in_market = Provider.objects.in_market_on(today)
    for row in in_market.with_current_risk(today).values("current_risk_level").annotate(n=Count("pk")).order_by():
        risk_counts[row["current_risk_level"] or NOT_ASSESSED] += row["n"]
    risk_rows: list[dict[str, Any]] = [
        {
            "level": level,
            "label": risk_label(level),
            "count": risk_counts[level],
            "url": _link("/providers/", risk=level),
        }
        for level in RISK_ORDER
    ]
    start, _ = financial_year_bounds(period.year)
    days = month_ends(start=start, end=min(period.end, today))
    trend = Provider.objects.risk_counts_on(days)
    risk_trend_chart = line_chart(
        title=f"Providers by risk level at each month end, {period.financial_year_label}",
        description="Number of providers at high, medium and low risk at the end of each month of the financial "
        "year, from their latest risk assessment at that date.",
        series=[
            Series(risk_label(level), [trend[d].get(level, 0) for d in days], colour=RISK_COLOURS[level].chart)
            for level in RISK_ORDER[:3]
        ],
        labels=[f"{d:%b %Y}" for d in days],
        width=640,
    )

    latest = CqcRating.objects.filter(location=OuterRef("pk")).order_by("-published_on", "-pk")
    rating_counts = {
        row["latest_overall"]: row["n"]
        for row in Location.objects.annotate(latest_overall=Subquery(latest.values("overall")[:1]))
        .filter(latest_overall__isnull=False)
        .values("latest_overall")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rated = sum(n for rating, n in rating_counts.items() if rating != CqcRatingValue.NOT_RATED)
    good = sum(rating_counts.get(r, 0) for r in GOOD_RATINGS)
    rating_rows: list[dict[str, Any]] = [
        {
            "rating": value,
            "label": label,
            "count": rating_counts.get(value, 0),
            "url": _link("/providers/locations/", cqc=value),
        }
        for value, label in CqcRatingValue.choices
    ]
    return {
        "risk_rows": risk_rows,
        "risk_chart": bar_chart(
            title="Providers by current risk level",
            description="Number of providers at each risk level from their latest risk assessment.",
            series=[Series("Providers", [r["count"] for r in risk_rows], links=[r["url"] for r in risk_rows])],
            labels=[r["label"] for r in risk_rows],
            label_heading="Risk level",
        ),
        "risk_trend_chart": risk_trend_chart,
        "cqc": {
            "rated": rated,
            "good_or_outstanding": good,
            "share": round(Decimal(good * 100) / rated, 1) if rated else None,
            "good_url": _link("/providers/locations/", cqc="good"),
            "rows": rating_rows,
        },
        "cqc_chart": bar_chart(
            title="Commissioned locations by latest CQC overall rating",
            description="Number of care locations at each overall CQC rating, from the latest published "
            "inspection of each.",
            series=[Series("Locations", [r["count"] for r in rating_rows], links=[r["url"] for r in rating_rows])],
            labels=[r["label"] for r in rating_rows],
            label_heading="CQC rating",
        ),
    }


CQC_ALERTS_SHOWN = 5


def cqc_alerts_panel() -> dict:
    """The "CQC rating falls to acknowledge" panel: how many, and the latest few with links to their provider pages.
    Officers' figures (the caller checks the audience). Two queries."""
    open_alerts = CqcRatingAlert.objects.filter(acknowledged_at__isnull=True)
    latest = open_alerts.select_related("location__provider", "rating").order_by("-created_at", "-pk")
    return {
        "cqc_alerts": {
            "count": open_alerts.count(),
            "latest": [
                {
                    "location": alert.location.name,
                    "provider": alert.location.provider.name,
                    "published_on": alert.rating.published_on,
                    "drops": alert.drops,
                    "url": f"/providers/{alert.location.provider_id}/#cqc-alerts",
                }
                for alert in latest[:CQC_ALERTS_SHOWN]
            ],
            "list_url": "/providers/cqc-alerts/",
        }
    }
