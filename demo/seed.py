"""The seed records: strategies, key contracts, pooled budgets, measures, scrutiny and highlight reports.

Every row has a natural key and goes through ``upsert``, so a second run changes nothing.
"""

import random
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from commissioning.periods import FinancialQuarter
from contracts.models import Contract, ContractChange, PooledBudget
from performance.models import Measure, MeasureResult
from providers.models import Provider
from scrutiny.models import Committee, Meeting, PackAppendix, ScrutinyConclusion, ScrutinyPack
from strategies.models import (
    CommissioningIntention,
    CommissioningStrategy,
    HighlightReport,
    Outcome,
    ReportEvent,
    StrategyRisk,
)

from .contract_data import CONTRACT_CHANGES, KEY_CONTRACTS, KEY_PROVIDERS, POOLED_BUDGETS
from .measure_data import MEASURES
from .people import COUNCILLORS
from .strategy_data import STRATEGIES
from .util import upsert

Q3 = FinancialQuarter(2018, 3)
DECISION_REFERENCE = "I017457"
DECISION_DATE = date(2019, 6, 4)

COMMITTEES = {
    "acw": "Adults and Community Wellbeing Scrutiny Committee",
    "ppc": "Public Protection and Communities Scrutiny Committee",
    "osmb": "Overview and Scrutiny Management Board",
}
MEETINGS = [
    ("acw", date(2018, 9, 5)),
    ("acw", date(2018, 10, 10)),
    ("ppc", date(2019, 3, 12)),
    ("osmb", date(2019, 5, 30)),
    ("acw", date(2019, 7, 10)),
]
VENUE = "Committee Room One, County Offices, Newland, Lincoln"


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def build_scrutiny(users) -> dict:
    committees = {key: upsert(Committee, {"name": name}, {}) for key, name in COMMITTEES.items()}
    for username, _first, _last, keys in COUNCILLORS:
        for key in keys:
            committees[key].members.add(users[username])  # add() skips existing rows
    meetings = {
        (key, day.isoformat()): upsert(Meeting, {"committee": committees[key], "date": day}, {"venue": VENUE})
        for key, day in MEETINGS
    }
    return {"committees": committees, "meetings": meetings}


def build_strategies(directorates, users) -> dict[str, CommissioningStrategy]:
    strategies = {}
    for data in STRATEGIES:
        strategy = upsert(
            CommissioningStrategy,
            {"name": data["name"]},
            {
                "directorate": directorates[data["directorate"]],
                "purpose": data["purpose"],
                "sponsor": data["sponsor"],
                "commissioning_lead": users[data["lead"]],
                "lead_officer": data["lead_officer"],
                "stage_analyse": "analyse" in data["stages"],
                "stage_plan": "plan" in data["stages"],
                "stage_do": "do" in data["stages"],
                "stage_review": "review" in data["stages"],
                "summary": data["summary"],
                "needs_established": data["needs"],
                "period_start": date(2016, 4, 1),
                "period_end": date(2020, 3, 31),
            },
        )
        for order, title in enumerate(data["outcomes"], start=1):
            upsert(Outcome, {"strategy": strategy, "order": order}, {"title": title})
        for order, (theme, intention, current, expected) in enumerate(data["intentions"], start=1):
            upsert(
                CommissioningIntention,
                {"strategy": strategy, "order": order},
                {"theme": theme, "intention": intention, "current_position": current, "expected_position": expected},
            )
        for order, (cause, event, effect, rating) in enumerate(data["risks"], start=1):
            upsert(
                StrategyRisk,
                {"strategy": strategy, "order": order},
                {"cause": cause, "event": event, "effect": effect, "rating": rating},
            )
        strategies[data["name"]] = strategy
    return strategies


def build_key_providers() -> dict[str, Provider]:
    providers = {}
    for name, (trading_name, sme, vcse) in KEY_PROVIDERS.items():
        status = Provider.Status.IN_ADMINISTRATION if name.startswith("Nestor") else Provider.Status.ACTIVE
        providers[name] = upsert(
            Provider,
            {"name": name},
            {"trading_name": trading_name, "is_sme": sme, "is_vcse": vcse, "status": status},
        )
    return providers


def build_key_contracts(strategies, directorates, providers) -> dict[str, Contract]:
    contracts = {}
    for strategy_name, rows in KEY_CONTRACTS.items():
        strategy = strategies[strategy_name]
        for row in rows:
            directorate = directorates[row["directorate"]] if row["directorate"] else strategy.directorate
            contract = upsert(
                Contract,
                {"reference": row["reference"]},
                {
                    "title": row["title"],
                    "directorate": directorate,
                    "strategy": strategy,
                    "lead_provider": providers[row["provider"]] if row["provider"] else None,
                    "provider_summary": row["provider_summary"],
                    "category": row["category"],
                    "contract_type": row["contract_type"],
                    "start_date": row["start"],
                    "end_date": row["end"],
                    "extension_months": row["extension_months"],
                    "extensions_used": row["extensions_used"],
                    "duration_note": row["duration_note"],
                    "review_date": row["review_date"],
                    "review_note": row["review_note"],
                    "annual_value": row["annual"],
                    "total_value": row["annual"] * row["years"],
                    "politically_sensitive": row["sensitive"],
                    "has_kpis": row["has_kpis"],
                    "performance": row["performance"],
                    "performance_note": row["performance_note"],
                    "corrective_measures": row["corrective"],
                    "service_credit_percentage": row["credit"],
                    "payment_terms": row["terms"],
                    "payment_terms_note": row["terms_note"],
                    "payment_frequency": row["frequency"],
                    "payment_basis": row["basis"],
                    "volume_sensitive": row["volume"],
                    "status": row["status"],
                },
            )
            if row["others"]:
                contract.other_providers.set([providers[name] for name in row["others"]])
            contracts[row["reference"]] = contract
    return contracts


def build_changes_and_pools(strategies, contracts, providers, recorded_by) -> None:
    for ref, kind, effective_on, description, value, months, from_name, to_name in CONTRACT_CHANGES:
        upsert(
            ContractChange,
            {"contract": contracts[ref], "kind": kind, "effective_on": effective_on},
            {
                "description": description,
                "value_change": value,
                "extension_months": months,
                "from_provider": providers[from_name] if from_name else None,
                "to_provider": providers[to_name] if to_name else None,
                "recorded_by": recorded_by,
            },
        )
    for strategy_name, name, kind, partner, total, partner_share, start, end, risk, budget_ref, text in POOLED_BUDGETS:
        upsert(
            PooledBudget,
            {"name": name},
            {
                "strategy": strategies[strategy_name],
                "contract": contracts[budget_ref] if budget_ref else None,
                "arrangement_type": kind,
                "partner": partner,
                "total_value": total,
                "partner_contribution": partner_share,
                "start_date": start,
                "end_date": end,
                "risk_share": risk,
                "description": text,
            },
        )


def _trend(rng: random.Random, q3_value: Decimal, places: int, unit: str) -> dict[FinancialQuarter, Decimal]:
    """Eight quarters to Q3 2018/19 plus Q4: a small random walk that ends exactly on the seed's Q3 value."""
    quarters = Q3.last(8)
    values = {Q3: float(q3_value)}  # Q3 itself is put back exactly below
    current = float(q3_value)
    for quarter in reversed(quarters[:-1]):
        current *= 1 + rng.uniform(-0.04, 0.04)
        values[quarter] = current
    values[Q3.next()] = float(q3_value) * (1 + rng.uniform(-0.03, 0.04))
    step = Decimal(1).scaleb(-places)
    rounded = {}
    for quarter, value in values.items():
        if unit == "percentage":
            value = min(value, 100.0)
        rounded[quarter] = Decimal(str(value)).quantize(step)
    rounded[Q3] = q3_value
    return rounded


def build_measures(strategies, users) -> None:
    rng = random.Random(2019)  # noqa: S311 - demo data, fixed seed for repeatable figures
    for strategy_name, rows in MEASURES.items():
        strategy = strategies[strategy_name]
        outcomes = list(strategy.outcomes.order_by("order"))
        entered_by = strategy.commissioning_lead
        for order, row in enumerate(rows, start=1):
            name, unit, places, polarity, targeted, framework, code, outcome_index, q3_value, target = row
            measure = upsert(
                Measure,
                {"strategy": strategy, "name": name},
                {
                    "outcome": outcomes[outcome_index],
                    "unit": unit,
                    "decimal_places": places,
                    "polarity": polarity,
                    "is_targeted": targeted,
                    "framework": framework,
                    "framework_code": code,
                    "data_source": "Adult Social Care performance return" if framework == "ASCOF" else "",
                    "order": order,
                },
            )
            if q3_value is None:
                # A new measure: first reported in Q4 2018/19.
                values = {Q3: None, Q3.next(): (target - Decimal(2)).quantize(Decimal(1).scaleb(-places))}
            else:
                values = _trend(rng, q3_value, places, unit)
            for quarter, value in values.items():
                upsert(
                    MeasureResult,
                    {"measure": measure, "year": quarter.year, "quarter": quarter.quarter},
                    {
                        "value": value,
                        "target": target,
                        "entered_by": entered_by if value is not None else None,
                        "entered_at": aware(quarter.next().start.replace(day=20)) if value is not None else None,
                    },
                )


def _report_values(data, strategy, meeting) -> dict:
    outcomes = "\n".join(f"- {title}" for title in data["outcomes"])
    return {
        "summary": data["summary"],
        "needs_established": data["needs"],
        "outcomes_text": outcomes,
        "success_note": "Information on performance for the quarter is set out below.",
        "key_contracts_note": "Contracts over £1m or of a politically sensitive nature.",
        "pooled_budget_arrangements": data["pooled_text"],
        "property_implications": data["property"],
        "commercial_opportunities": data["commercial"],
        "completed_by": data["completed_by"],
        "rag": data["rag"],
        "scrutiny_meeting": meeting,
    }


# kind, date: the Q3 reports' way through the board, scrutiny and the Executive.
Q3_TIMELINE = [
    ("created", date(2018, 12, 10), "", "draft"),
    ("submitted", date(2019, 1, 15), "draft", "submitted"),
    ("board_reviewed", date(2019, 2, 5), "submitted", "board_reviewed"),
    ("scrutiny_considered", date(2019, 5, 30), "board_reviewed", "scrutiny_considered"),
    ("approved", DECISION_DATE, "scrutiny_considered", "approved"),
]
Q4_DRAFTS = ("Carers", "Adult Frailty and Long Term Conditions")


def _events(report, timeline, by) -> None:
    if report.events.exists():
        return
    for kind, day, from_status, to_status in timeline:
        event = ReportEvent.objects.create(
            report=report, kind=kind, from_status=from_status, to_status=to_status, by=by
        )
        # ``at`` is set on creation; the demo back-dates it to the timeline.
        ReportEvent.objects.filter(pk=event.pk).update(at=aware(day))


def build_reports_and_conclusions(strategies, scrutiny, users) -> None:
    meetings = scrutiny["meetings"]
    osmb = meetings[("osmb", "2019-05-30")]
    for data in STRATEGIES:
        strategy = strategies[data["name"]]
        committee_key, day = data["meeting"]
        upsert(
            ScrutinyConclusion,
            {"strategy": strategy, "meeting": meetings[(committee_key, day)]},
            {"text": data["conclusion"], "recorded_by": users["commissioner"]},
        )
        lead = users[data["lead"]]
        report = upsert(
            HighlightReport,
            {"strategy": strategy, "year": Q3.year, "quarter": Q3.quarter},
            {
                **_report_values(data, strategy, osmb),
                "report_date": date(2018, 12, 14),
                "status": HighlightReport.Status.APPROVED,
                "version": 5,
                "scrutiny_note": f"Conclusions of the {meetings[(committee_key, day)]} are attached.",
                "commissioners_comments": "The strategy is on track; see the performance information.",
                "board_comments": "The Commissioning and Commercial Board noted the report and its key contracts.",
                "decision_reference": DECISION_REFERENCE,
                "decision_date": DECISION_DATE,
            },
        )
        _events(report, Q3_TIMELINE, lead)
        if data["name"] in Q4_DRAFTS:
            draft = upsert(
                HighlightReport,
                {"strategy": strategy, "year": 2018, "quarter": 4},
                {
                    **_report_values(data, strategy, None),
                    "report_date": date(2019, 3, 28),
                    "status": HighlightReport.Status.DRAFT,
                    "version": 1,
                },
            )
            _events(draft, [("created", date(2019, 3, 28), "", "draft")], lead)


PACK_COVER = {
    "report_to": "Overview and Scrutiny Management Board",
    "subject": "Commissioning Strategies",
    "summary": "The Board is invited to consider the report on six commissioning strategies that the Executive "
    "will take on 4 June 2019. The Board's views will be reported to the Executive with the item.",
    "actions_required": "1. Consider the attached report and decide whether the Board supports the "
    "recommendations to the Executive.\n2. Agree any further comments to pass to the Executive.",
    "background": "The Executive will consider the Commissioning Strategies report at its meeting on 4 June 2019 "
    "(decision reference I017457). Each of the six strategies has already been considered by the relevant "
    "scrutiny committee; the highlight reports are attached as appendices.",
    "conclusion": "Having considered the report, the Board is asked whether it supports the recommendations and "
    "whether it has further comments for the Executive.",
    "consultation": "Risks and impact analysis: see the body of the report.",
    "author": "Scrutiny Officer – Democratic Services",
    "contact": "democratic.services@lincolnshire.example, 01522 000000",
}


def build_packs(strategies, scrutiny) -> None:
    meetings = scrutiny["meetings"]
    published = upsert(
        ScrutinyPack,
        {"meeting": meetings[("osmb", "2019-05-30")], "title": "Commissioning Strategies"},
        {
            **PACK_COVER,
            "report_date": date(2019, 5, 30),
            "status": ScrutinyPack.Status.PUBLISHED,
            "published_at": aware(date(2019, 5, 22), 9),
            "render_status": ScrutinyPack.RenderStatus.NOT_RENDERED,
        },
    )
    for order, data in enumerate(STRATEGIES, start=1):
        upsert(PackAppendix, {"pack": published, "strategy": strategies[data["name"]]}, {"order": order})
    draft = upsert(
        ScrutinyPack,
        {
            "meeting": meetings[("acw", "2019-07-10")],
            "title": "Commissioning Strategies – quarter 4 2018/19 highlight reports",
        },
        {
            **PACK_COVER,
            "report_to": COMMITTEES["acw"],
            "subject": "Commissioning Strategies – quarter 4 2018/19",
            "summary": "Quarter 4 highlight reports for two adult care strategies, for the Committee's comments.",
            "report_date": date(2019, 7, 10),
            "status": ScrutinyPack.Status.DRAFT,
            "render_status": ScrutinyPack.RenderStatus.NOT_RENDERED,
        },
    )
    for order, name in enumerate(Q4_DRAFTS, start=1):
        upsert(PackAppendix, {"pack": draft, "strategy": strategies[name]}, {"order": order})


def freeze_approved_reports() -> None:
    """Give approved reports the frozen snapshot an approval through the workflow would have taken."""
    from strategies.selectors import approved_snapshot_for

    approved = HighlightReport.objects.filter(status=HighlightReport.Status.APPROVED, approved_snapshot__isnull=True)
    for report in approved:
        report.approved_snapshot = approved_snapshot_for(report)
        report.save(update_fields=["approved_snapshot"])
