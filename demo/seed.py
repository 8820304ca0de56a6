"""The seed records: strategies, key contracts, pooled budgets, measures, scrutiny and highlight reports.

Every record is written by the service a page or the API would call, as the demo user whose role does it, so
the seed obeys the same rules and leaves the same history, events and snapshots. Steps the seed reports date
run on that date (``on``): the clock is moved, so timestamps, history rows and the services' "today" are the
day's. Records the dated steps build on (committees, strategies, contracts, measures) are set up first, on
``SET_UP``, so no history shows a record changed before it existed.

A second run writes nothing: each record is found by its natural key; a missing one is created, one that
differs from the seed is updated through its update service, and one whose story is over (a recorded
conclusion, a highlight report once started, a published pack) is left as it is.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import time_machine
from dateutil.relativedelta import relativedelta
from django.db import models
from django.utils import timezone

from commissioning import permissions
from commissioning.models import User
from commissioning.periods import FinancialQuarter
from contracts import services as contract_services
from contracts.models import Contract, ContractChange, PooledBudget
from performance import services as performance_services
from performance.models import MeasureResult
from performance.services import ResultEntry
from providers import services as provider_services
from providers.models import Provider
from scrutiny import services as scrutiny_services
from scrutiny.models import Committee, Decision, Meeting, ScrutinyConclusion, ScrutinyPack
from strategies import services as strategy_services
from strategies.models import CommissioningStrategy, CycleStage, HighlightReport

from .contract_data import CONTRACT_CHANGES, KEY_CONTRACTS, KEY_PROVIDERS, POOLED_BUDGETS
from .measure_data import MEASURES
from .people import COUNCILLORS
from .strategy_data import STRATEGIES
from .terms import estimated_value

Q3 = FinancialQuarter(2018, 3)
ENDED = (Contract.Status.EXPIRED, Contract.Status.TERMINATED)
Q4 = Q3.next()
DECISION_REFERENCE = "I017457"
DECISION_DATE = date(2019, 6, 4)
# The strategies' period starts: committees, strategies, providers, contracts and measures go on the system.
SET_UP = date(2016, 4, 1)

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

# The Q3 reports' way through the board, scrutiny and the Executive. The OSMB pack was published between the
# board's review and scrutiny's, so its PDF shows the reports as the members read them.
Q3_STARTED = date(2018, 12, 10)
Q3_REPORT_DATE = date(2018, 12, 14)
Q3_SUBMITTED = date(2019, 1, 15)
Q3_BOARD_REVIEWED = date(2019, 2, 5)
Q3_SCRUTINY_CONSIDERED = date(2019, 5, 30)
Q4_STARTED = date(2019, 3, 28)
Q4_DRAFTS = ("Carers", "Adult Frailty and Long Term Conditions")
PUBLISHED_PACK_STARTED = date(2019, 5, 13)
PUBLISHED_PACK_RENDERED = date(2019, 5, 20)
# Five clear working days before the meeting of 30 May (s.100B(3); 27 May 2019 was the spring bank holiday).
PUBLISHED_PACK_PUBLISHED = date(2019, 5, 21)
DRAFT_PACK_STARTED = date(2019, 6, 26)

BOARD_COMMENTS = "The Commissioning and Commercial Board noted the report and its key contracts."
COMMISSIONERS_COMMENTS = "The strategy is on track; see the performance information."


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def on(day: date, hour: int = 10) -> time_machine.travel:
    """Run what follows as on ``day`` at ``hour`` (the clock stands still there)."""
    return time_machine.travel(aware(day, hour), tick=False)


def _differences(record: models.Model, values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(record, name) != value}


def _lead(strategy: CommissioningStrategy) -> User:
    """The strategy's commissioning lead, who writes its records (every seed strategy names one)."""
    lead = strategy.commissioning_lead
    assert lead is not None, f"{strategy} has no commissioning lead"
    return lead


def _first_allowed(candidates: Iterable[User], perm: str, obj: Any) -> User:
    """The first of ``candidates`` (least privileged first) whose role and directorate allow ``perm`` on ``obj``."""
    candidates = list(candidates)
    for user in candidates:
        if permissions.may(user, perm, obj):
            return user
    raise LookupError(f"None of {', '.join(map(str, candidates))} may {perm} on {obj!r}.")


# --- Scrutiny committees and meetings ---------------------------------------------------------------------------


def build_scrutiny(users: dict[str, User]) -> dict:
    admin = users["admin"]
    members: dict[str, list[User]] = {key: [] for key in COMMITTEES}
    for username, _first, _last, keys in COUNCILLORS:
        for key in keys:
            members[key].append(users[username])
    committees = {}
    for key, name in COMMITTEES.items():
        committee = Committee.objects.filter(name=name).first()
        if committee is None:
            with on(SET_UP):
                committee = scrutiny_services.committee_create(by=admin, data={"name": name}, members=members[key])
        else:
            # Members added since (in the admin) stay: the seed only makes sure its councillors sit.
            current = set(committee.members.all())
            if not set(members[key]) <= current:
                committee = scrutiny_services.committee_update(
                    committee=committee, by=admin, data={}, members=[*current, *members[key]]
                )
        committees[key] = committee
    meetings = {}
    for key, day in MEETINGS:
        values = {"committee": committees[key], "date": day, "venue": VENUE}
        meeting = Meeting.objects.filter(committee=committees[key], date=day).first()
        if meeting is None:
            with on(SET_UP):
                meeting = scrutiny_services.meeting_create(by=admin, data=values)
        elif changes := _differences(meeting, values):
            meeting = scrutiny_services.meeting_update(meeting=meeting, by=admin, data=changes)
        meetings[(key, day.isoformat())] = meeting
    return {"committees": committees, "meetings": meetings}


# --- Strategies with their outcomes, intentions and risks -------------------------------------------------------


def _outcomes(strategy: CommissioningStrategy, lead: User, titles: list[str]) -> None:
    stored = {outcome.order: outcome for outcome in strategy.outcomes.all()}
    for order, title in enumerate(titles, start=1):
        values = {"order": order, "title": title}
        outcome = stored.get(order)
        if outcome is None:
            with on(SET_UP):
                strategy_services.outcome_create(strategy=strategy, by=lead, data=values)
        elif changes := _differences(outcome, values):
            strategy_services.outcome_update(outcome=outcome, by=lead, data=changes)


def _intentions(strategy: CommissioningStrategy, lead: User, rows: list[tuple]) -> None:
    stored = {intention.order: intention for intention in strategy.intentions.all()}
    # The seed's stages are the cycle's phases (Analyse, Plan, Do, Review: strategies migration 0003).
    phases = {stage.name.lower(): stage for stage in CycleStage.objects.filter(parent__isnull=True)}
    for order, (theme, text, current, expected) in enumerate(rows, start=1):
        with on(SET_UP):
            theme_record = strategy_services.theme_named(strategy=strategy, name=theme, by=lead)
        values = {
            "order": order,
            "theme": theme_record,
            "intention": text,
            "current_stage": phases[current],
            "expected_stage": phases[expected],
        }
        intention = stored.get(order)
        if intention is None:
            with on(SET_UP):
                strategy_services.intention_create(strategy=strategy, by=lead, data=values)
        elif changes := _differences(intention, values):
            strategy_services.intention_update(intention=intention, by=lead, data=changes)


def _risks(strategy: CommissioningStrategy, lead: User, rows: list[tuple]) -> None:
    stored = {risk.order: risk for risk in strategy.risks.all()}
    for order, (cause, event, effect, rating) in enumerate(rows, start=1):
        values = {"order": order, "cause": cause, "event": event, "effect": effect, "rating": rating}
        risk = stored.get(order)
        if risk is None:
            with on(SET_UP):
                strategy_services.risk_create(strategy=strategy, by=lead, data=values)
        elif changes := _differences(risk, values):
            strategy_services.risk_update(risk=risk, by=lead, data=changes)


def build_strategies(directorates, users: dict[str, User]) -> dict[str, CommissioningStrategy]:
    strategies = {}
    for data in STRATEGIES:
        lead = users[data["lead"]]
        values = {
            "name": data["name"],
            "directorate": directorates[data["directorate"]],
            "purpose": data["purpose"],
            "sponsor": data["sponsor"],
            "commissioning_lead": lead,
            "lead_officer": data["lead_officer"],
            "stage_analyse": "analyse" in data["stages"],
            "stage_plan": "plan" in data["stages"],
            "stage_do": "do" in data["stages"],
            "stage_review": "review" in data["stages"],
            "summary": data["summary"],
            "needs_established": data["needs"],
            "period_start": date(2016, 4, 1),
            "period_end": date(2020, 3, 31),
        }
        strategy = CommissioningStrategy.objects.filter(name=data["name"]).first()
        if strategy is None:
            with on(SET_UP):
                strategy = strategy_services.strategy_create(by=lead, data=values)
        elif changes := _differences(strategy, values):
            strategy = strategy_services.strategy_update(strategy=strategy, by=lead, data=changes)
        _outcomes(strategy, lead, data["outcomes"])
        _intentions(strategy, lead, data["intentions"])
        _risks(strategy, lead, data["risks"])
        strategies[data["name"]] = strategy
    return strategies


# --- Key providers, key contracts with their changes, pooled budgets --------------------------------------------


def build_key_providers(users: dict[str, User]) -> dict[str, Provider]:
    officer = users["officer"]
    providers = {}
    for name, (trading_name, sme, vcse) in KEY_PROVIDERS.items():
        status = Provider.Status.IN_ADMINISTRATION if name.startswith("Nestor") else Provider.Status.ACTIVE
        values: dict[str, Any] = {"trading_name": trading_name, "is_sme": sme, "is_vcse": vcse, "status": status}
        provider = Provider.objects.filter(name=name).first()
        if provider is None:
            with on(SET_UP):
                provider = provider_services.provider_create(by=officer, name=name, **values)
        elif changes := _differences(provider, values):
            provider = provider_services.provider_update(provider=provider, by=officer, **changes)
        providers[name] = provider
    return providers


def _contract_values(row: dict, strategy: CommissioningStrategy, directorates, providers) -> dict[str, Any]:
    return {
        "title": row["title"],
        "directorate": directorates[row["directorate"]] if row["directorate"] else strategy.directorate,
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
        # The seed's Good / Average / Poor is not typed in: demo.returns grades each contract's March 2019 return
        # to match it, and the register's field follows (build_key_contracts).
        "performance_note": row["performance_note"],
        "corrective_measures": row["corrective"],
        "service_credit_percentage": row["credit"],
        "payment_terms": row["terms"],
        "payment_terms_note": row["terms_note"],
        "payment_frequency": row["frequency"],
        "payment_basis": row["basis"],
        "volume_sensitive": row["volume"],
        "status": row["status"],
        # Procured before the Procurement Act 2023 applied (24 February 2025): none of its duties apply.
        "regime": Contract.Regime.PCR_2015,
        "estimated_value": estimated_value(
            annual=row["annual"],
            start=row["start"],
            end=row["end"],
            extension_months=row["extension_months"],
            used=row["extensions_used"],
        ),
    }


def _before_changes(values: dict[str, Any], changes: list[tuple], providers) -> dict[str, Any]:
    """The contract as it stood before its recorded changes: ``contract_record_change`` applies each change
    (value, extension, novation), so recording them from here ends on the seed's figures."""
    before = dict(values)
    for _ref, kind, _effective_on, _text, value, months, from_name, to_name in reversed(changes):
        before["total_value"] -= value
        if kind == ContractChange.Kind.EXTENSION:
            before["extensions_used"] -= 1
            before["end_date"] -= relativedelta(months=months)
        elif kind == ContractChange.Kind.NOVATION:
            assert before["lead_provider"] == providers[to_name], f"{_ref} is novated to its lead provider"
            before["lead_provider"] = providers[from_name]
    return before


def _create_contract(reference: str, values: dict, others: list[Provider], changes: list[tuple], providers, by):
    with on(SET_UP):
        contract = contract_services.contract_create(
            by=by, reference=reference, other_providers=others, **_before_changes(values, changes, providers)
        )
    for _ref, kind, effective_on, description, value, months, _from_name, to_name in changes:
        with on(effective_on):
            contract_services.contract_record_change(
                contract=contract,
                by=by,
                kind=kind,
                effective_on=effective_on,
                description=description,
                value_change=value,
                extension_months=months,
                to_provider=providers[to_name] if to_name else None,
            )
    contract.refresh_from_db()
    if mismatched := _differences(contract, values):
        raise ValueError(f"{reference}: its recorded changes do not end on the seed's figures: {mismatched}")
    return contract


def build_key_contracts(strategies, directorates, providers, users: dict[str, User]) -> dict[str, Contract]:
    """Each key contract as it started, then its variations, extensions and novation as recorded: the register's
    history shows them, and the contract ends on the seed's figures."""
    changes_of: dict[str, list[tuple]] = {}
    for change in sorted(CONTRACT_CHANGES, key=lambda change: change[2]):
        changes_of.setdefault(change[0], []).append(change)
    contracts = {}
    for strategy_name, rows in KEY_CONTRACTS.items():
        strategy = strategies[strategy_name]
        for row in rows:
            reference = row["reference"]
            values = _contract_values(row, strategy, directorates, providers)
            others = [providers[name] for name in row["others"]]
            by = _first_allowed(
                (users["officer"], users["admin"]),
                "contracts.add_contract",
                Contract(directorate=values["directorate"]),
            )
            contract = Contract.objects.filter(reference=reference).first()
            if contract is None:
                contract = _create_contract(reference, values, others, changes_of.get(reference, []), providers, by)
            elif contract.status in ENDED and contract.status != values["status"]:
                pass  # Its story is over: it ended as its terms say (demo.procurement_act), so it stays ended.
            else:
                # A stored contract keeps the changes it has: recording one again would apply it twice.
                changed = _differences(contract, values)
                if set(contract.other_providers.all()) != set(others):
                    changed["other_providers"] = others
                if changed:
                    contract = contract_services.contract_update(contract=contract, by=by, **changed)
            contracts[reference] = contract
    # The seed's performance as each contract's graded return (demo.returns), before the reports freeze it.
    from .returns import grade_seed_contracts

    grade_seed_contracts(contracts, users)
    for contract in contracts.values():
        contract.refresh_from_db(fields=["performance"])
    return contracts


def build_pooled_budgets(strategies, contracts) -> None:
    for strategy_name, name, kind, partner, total, partner_share, start, end, risk, budget_ref, text in POOLED_BUDGETS:
        strategy = strategies[strategy_name]
        lead = _lead(strategy)  # commissioners keep their strategies' pooled budgets
        values = {
            "strategy": strategy,
            "contract": contracts[budget_ref] if budget_ref else None,
            "arrangement_type": kind,
            "partner": partner,
            "total_value": total,
            "partner_contribution": partner_share,
            "start_date": start,
            "end_date": end,
            "risk_share": risk,
            "description": text,
        }
        budget = PooledBudget.objects.filter(name=name).first()
        if budget is None:
            with on(SET_UP):
                contract_services.pooled_budget_create(by=lead, name=name, **values)
        elif changes := _differences(budget, values):
            contract_services.pooled_budget_update(budget=budget, by=lead, **changes)


# --- Measures and their quarterly results -----------------------------------------------------------------------


def _trend(rng: random.Random, q3_value: Decimal, places: int, unit: str) -> dict[FinancialQuarter, Decimal]:
    """Eight quarters to Q3 2018/19 plus Q4: a small random walk that ends exactly on the seed's Q3 value."""
    quarters = Q3.last(8)
    values = {Q3: float(q3_value)}  # Q3 itself is put back exactly below
    current = float(q3_value)
    for quarter in reversed(quarters[:-1]):
        current *= 1 + rng.uniform(-0.04, 0.04)
        values[quarter] = current
    values[Q4] = float(q3_value) * (1 + rng.uniform(-0.03, 0.04))
    step = Decimal(1).scaleb(-places)
    rounded = {}
    for quarter, value in values.items():
        if unit == "percentage":
            value = min(value, 100.0)
        rounded[quarter] = Decimal(str(value)).quantize(step)
    rounded[Q3] = q3_value
    return rounded


def entered_on(quarter: FinancialQuarter) -> date:
    """Results are entered on the 20th of the month after the quarter."""
    return quarter.next().start.replace(day=20)


def build_measures(strategies: dict[str, CommissioningStrategy]) -> None:
    rng = random.Random(2019)  # noqa: S311 - demo data, fixed seed for repeatable figures
    for strategy_name, rows in MEASURES.items():
        strategy = strategies[strategy_name]
        outcomes = list(strategy.outcomes.order_by("order"))
        lead = _lead(strategy)  # defines the measures and enters the results
        stored = {measure.name: measure for measure in strategy.measures.all()}
        by_quarter: dict[FinancialQuarter, list[ResultEntry]] = {}
        for order, row in enumerate(rows, start=1):
            name, unit, places, polarity, targeted, framework, code, outcome_index, q3_value, target = row
            values = {
                "outcome": outcomes[outcome_index],
                "unit": unit,
                "decimal_places": places,
                "polarity": polarity,
                "is_targeted": targeted,
                "framework": framework,
                "framework_code": code,
                "data_source": "Adult Social Care performance return" if framework == "ASCOF" else "",
                "order": order,
            }
            measure = stored.get(name)
            if measure is None:
                with on(SET_UP):
                    measure = performance_services.measure_create(strategy=strategy, by=lead, name=name, **values)
            elif changes := _differences(measure, values):
                measure = performance_services.measure_update(measure=measure, by=lead, **changes)
            if q3_value is None:
                # A new measure: its target is set in Q3, its first value comes in Q4 2018/19.
                values_by_quarter = {Q3: None, Q4: (target - Decimal(2)).quantize(Decimal(1).scaleb(-places))}
            else:
                values_by_quarter = _trend(rng, q3_value, places, unit)
            for quarter, value in values_by_quarter.items():
                by_quarter.setdefault(quarter, []).append(ResultEntry(measure=measure, value=value, target=target))
        for quarter, entries in sorted(by_quarter.items()):
            # Unchanged rows are not written again, so a second run changes nothing.
            with on(entered_on(quarter)):
                performance_services.results_save(period=quarter, entries=entries, by=lead)


def _recent_quarters(today: date) -> tuple[list[FinancialQuarter], FinancialQuarter | None]:
    """The quarters whose results are entered by ``today`` (on the 20th of the month after each), from the one
    the demo clock's window starts in (or, if older, the oldest the late-results list looks back to), and the
    latest of them whose results are already late (``RESULTS_LATE_AFTER_WEEKS`` after its end), if any."""
    from django.conf import settings

    from . import clock

    grace = relativedelta(weeks=settings.RESULTS_LATE_AFTER_WEEKS)
    last_due = FinancialQuarter.containing(today)
    while last_due.end + grace >= today:
        last_due = last_due.previous()
    first = min(FinancialQuarter.containing(clock.recent_start(today)), last_due.last(4)[0])
    quarters = []
    quarter = first
    while entered_on(quarter) <= today:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters, (last_due if last_due in quarters else None)


# Results a real council is still chasing: this many measures' results for the latest quarter already due.
LATE_RESULTS = 3


def build_recent_results(strategies: dict[str, CommissioningStrategy]) -> None:
    """The demo clock: each measure's results for the recent quarters, entered by the strategy's lead on the 20th
    of the month after the quarter (``performance.services.results_save``), a few points either side of its
    2018/19 level against the same target, so "this quarter" has results. ``LATE_RESULTS`` of the latest quarter
    already due are not in yet (the late-results list). A quarter a measure already has is left as it is."""
    from . import clock

    today = clock.load_day()
    quarters, late_quarter = _recent_quarters(today)
    rng = random.Random(f"late results {late_quarter}")  # noqa: S311 - demo data, repeatable
    every = [(name, row) for name, rows in MEASURES.items() for row in rows]
    late = {(name, row[0]) for name, row in rng.sample(every, LATE_RESULTS)} if late_quarter else set()
    stored = set(
        MeasureResult.objects.filter(year__gte=quarters[0].year).values_list(
            "measure__strategy__name", "measure__name", "year", "quarter"
        )
    )
    for quarter in quarters:
        for strategy_name, rows in MEASURES.items():
            strategy = strategies[strategy_name]
            measures = {measure.name: measure for measure in strategy.measures.all()}
            entries = []
            for name, unit, places, _polarity, *_rest, q3_value, target in rows:
                if (strategy_name, name, quarter.year, quarter.quarter) in stored:
                    continue
                if quarter == late_quarter and (strategy_name, name) in late:
                    continue
                level = float(q3_value if q3_value is not None else target - 2)
                value = level * (1 + random.Random(f"{name} {quarter}").uniform(-0.06, 0.06))  # noqa: S311
                if unit == "percentage":
                    value = min(value, 100.0)
                step = Decimal(1).scaleb(-places)
                entries.append(
                    ResultEntry(measure=measures[name], value=Decimal(str(value)).quantize(step), target=target)
                )
            if entries:
                with on(entered_on(quarter)):
                    performance_services.results_save(period=quarter, entries=entries, by=_lead(strategy))


# --- Scrutiny conclusions, highlight reports and packs ----------------------------------------------------------


def build_conclusions(strategies, scrutiny: dict) -> None:
    """Each committee's conclusions, recorded by the strategy's lead after the meeting (recorded, never edited)."""
    meetings = scrutiny["meetings"]
    for data in STRATEGIES:
        strategy = strategies[data["name"]]
        committee_key, day = data["meeting"]
        meeting = meetings[(committee_key, day)]
        if ScrutinyConclusion.objects.filter(strategy=strategy, meeting=meeting).exists():
            continue
        with on(meeting.date, 16):
            scrutiny_services.conclusion_record(
                meeting=meeting, strategy=strategy, text=data["conclusion"], by=_lead(strategy)
            )


def seed_rag(data: dict) -> str:
    """The report's Status (RAG) as the seed gives it: Green for Adult Frailty and Community Wellbeing, blank for
    the other four (the seed's own reports went to the Executive with it blank)."""
    return data["rag"]


def _report_content(data: dict, meeting: Meeting) -> dict[str, Any]:
    """What the commissioner writes into the Q3 report."""
    return {
        "report_date": Q3_REPORT_DATE,
        "summary": data["summary"],
        "needs_established": data["needs"],
        "outcomes_text": "\n".join(f"- {title}" for title in data["outcomes"]),
        "success_note": "Information on performance for the quarter is set out below.",
        "key_contracts_note": "Contracts over £1m or of a politically sensitive nature.",
        "pooled_budget_arrangements": data["pooled_text"],
        "property_implications": data["property"],
        "commercial_opportunities": data["commercial"],
        "completed_by": data["completed_by"],
        "rag": seed_rag(data),
        "scrutiny_note": f"Conclusions of the {meeting} are attached.",
        "commissioners_comments": COMMISSIONERS_COMMENTS,
    }


def _q3_to_the_board(strategies, meetings, admin: User) -> list[HighlightReport]:
    """Start, write and submit each missing Q3 report, and record the board's review; returns those reports."""
    started = []
    for data in STRATEGIES:
        strategy = strategies[data["name"]]
        if strategy.highlight_reports.filter(year=Q3.year, quarter=Q3.quarter).exists():
            continue
        lead = _lead(strategy)
        with on(Q3_STARTED):
            report = strategy_services.highlight_report_start_next(strategy=strategy, by=lead, period=Q3)
        with on(Q3_REPORT_DATE):
            report = strategy_services.highlight_report_update(
                report=report,
                by=lead,
                data=_report_content(data, meetings[data["meeting"]]),
                expected_version=report.version,
            )
        started.append(report)
    for report in started:
        with on(Q3_SUBMITTED):
            report = strategy_services.highlight_report_submit(
                report=report, by=_lead(report.strategy), expected_version=report.version
            )
        with on(Q3_BOARD_REVIEWED):
            strategy_services.highlight_report_board_review(
                report=report, by=admin, expected_version=report.version, board_comments=BOARD_COMMENTS
            )
    return [HighlightReport.objects.get(pk=report.pk) for report in started]


def _q4_drafts(strategies) -> None:
    """Two Q4 reports started in March 2019 and still in draft: the narrative is carried forward from Q3."""
    for name in Q4_DRAFTS:
        strategy = strategies[name]
        if strategy.highlight_reports.filter(year=Q4.year, quarter=Q4.quarter).exists():
            continue
        lead = _lead(strategy)
        rag = seed_rag(next(data for data in STRATEGIES if data["name"] == name))
        with on(Q4_STARTED):
            draft = strategy_services.highlight_report_start_next(strategy=strategy, by=lead, period=Q4)
            # The RAG is not carried forward: the commissioner sets it afresh.
            strategy_services.highlight_report_update(
                report=draft, by=lead, data={"rag": rag}, expected_version=draft.version
            )


def _q3_to_the_executive(reports: list[HighlightReport], osmb: Meeting, admin: User) -> None:
    """Scrutiny's consideration at the OSMB and the Executive's approval, which freezes each report."""
    for report in reports:
        with on(Q3_SCRUTINY_CONSIDERED, 16):
            report = strategy_services.highlight_report_scrutiny_considered(
                report=report, by=admin, expected_version=report.version, meeting=osmb
            )
        with on(DECISION_DATE, 16):
            strategy_services.highlight_report_approve(
                report=report,
                by=admin,
                expected_version=report.version,
                decision_reference=DECISION_REFERENCE,
                decision_date=DECISION_DATE,
            )


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
    "risks_analysed": True,
    "consultation": "See the body of the report.",
    "on_behalf_of": "Helen Marsh, Executive Director - Commercial",
    "author": "Tom Ashworth, Scrutiny Officer",
    "contact": "democratic.services@lincolnshire.example, 01522 000000",
}
PUBLISHED_PACK = {
    **PACK_COVER,
    "title": "Commissioning Strategies",
    "report_date": date(2019, 5, 30),
    "background": "The Executive will consider a report on the Commissioning Strategies at its meeting on 4 June "
    "2019 (decision reference I017457). The full report to the Executive is attached at Appendix 1; the six "
    "strategies' highlight reports are its Appendix A.",
}
DRAFT_PACK = {
    **PACK_COVER,
    "title": "Commissioning Strategies – quarter 4 2018/19 highlight reports",
    "report_to": COMMITTEES["acw"],
    "subject": "Commissioning Strategies – quarter 4 2018/19",
    "summary": "Quarter 4 highlight reports for two adult care strategies, for the Committee's comments.",
    "report_date": date(2019, 7, 10),
}


# Decision I017457 (seed 000's Executive report), its sections in our own words from the seed's facts.
DECISION_I017457 = {
    "reference": DECISION_REFERENCE,
    "decision_maker": "Executive",
    "key_decision": True,
    "report_to": "Executive",
    "report_date": DECISION_DATE,
    "subject": "Commissioning Strategies",
    "summary": "In July 2018 the Executive approved the commissioning strategies that scrutiny had already "
    "considered, and asked for a further report on the six that had not yet been to their overview and "
    "scrutiny committee. All six have now been considered; this report asks the Executive to approve their "
    "content, set out in the highlight reports at Appendix A.",
    "recommendations": "That the Executive approves the content of the commissioning strategies for Specialist "
    "Adult Services, Safeguarding Adults, Carers, Adult Frailty and Long Term Conditions, Community Wellbeing and "
    "Public Protection, each as its highlight report at Appendix A sets it out.",
    "alternatives_considered": "Not to approve the content of the commissioning strategies in Appendix A.",
    "reasons": "The council increasingly commissions its services, whether from in-house teams, external "
    "providers or shared arrangements. Commissioning strategies match services better to need and priorities, "
    "shift the balance towards prevention, link services to the outcomes sought and improve engagement with "
    "service users, the market and partners. The strategies can be amended if required.",
    "background": "The council commissions for outcomes based on its communities' needs, with councillors at "
    "the heart of strategic decisions and commissioners accountable for results.\n\n"
    "A highlight report template summarises each strategy to a common minimum, and the Commissioning and "
    "Commercial Board gives Executive members early, informal sight of them alongside the formal decisions.\n\n"
    "On 3 July 2018 the Executive approved the strategies scrutiny had considered and asked for this further "
    "report. The Board has now been consulted on all fourteen strategies' highlight reports, and every strategy "
    "has been to its overview and scrutiny committee.",
    "equality_implications": "The council must have due regard to the aims of section 149 of the Equality Act "
    "2010 and the decision maker must discharge that duty personally. Approving the strategies' content is not "
    "expected to have direct equality implications; any differential impact of specific projects arising from "
    "them will be assessed and reported when those projects are decided.",
    "jsna_implications": "The Joint Strategic Needs Assessment, the Joint Health and Wellbeing Strategy and the "
    "national outcomes frameworks informed the strategies, and will inform the initiatives that follow them.",
    "crime_and_disorder_implications": "Under section 17 of the Crime and Disorder Act 1998 the council must "
    "have due regard to preventing crime and disorder in its area. Some strategies, Public Protection above all, "
    "are designed to have a direct effect on it.",
    "conclusion": "The Executive is invited to approve the recommendations.",
    "legal_comments": "The council has the power to adopt the content of the commissioning strategies. The "
    "decision is consistent with the Policy Framework and within the remit of the Executive.",
    "resource_comments": "The report brings no additional budget implications.",
    "local_member_consulted": True,
    "executive_councillor_consulted": True,
    "scrutiny_comments": "The Overview and Scrutiny Management Board considers this report on 30 May 2019 and "
    "its comments will be reported to the Executive on 4 June 2019. The six strategies went first to their "
    "subject committees: Adults and Community Wellbeing (5 September and 10 October 2018) and Public Protection "
    "and Communities (12 March 2019), which considered each full strategy as well as its highlight report.",
    "risks_analysed": True,
    "consultation": "See the body of the report.",
    "on_behalf_of": "Helen Marsh, Executive Director - Commercial",
    "author": "Tom Ashworth, Scrutiny Officer",
    "contact": "democratic.services@lincolnshire.example, 01522 000000",
}


def _decision(strategies: list[CommissioningStrategy], admin: User) -> Decision:
    """Decision I017457, prepared for the Board's pack of 30 May 2019 (which carries it as its Appendix 1)."""
    decision = Decision.objects.filter(reference=DECISION_REFERENCE).first()
    if decision is None:
        with on(PUBLISHED_PACK_STARTED):
            decision = scrutiny_services.decision_create(by=admin, data=DECISION_I017457, strategies=strategies)
    return decision


def _decided(admin: User) -> None:
    """The Executive approves the recommendations on 4 June 2019."""
    decision = Decision.objects.get(reference=DECISION_REFERENCE)
    if decision.outcome == Decision.Outcome.PENDING:
        with on(DECISION_DATE, 17):
            scrutiny_services.decision_record_outcome(
                decision=decision,
                by=admin,
                outcome=Decision.Outcome.APPROVED,
                decided_on=DECISION_DATE,
                outcome_notes="The Executive approved the content of the six commissioning strategies as "
                "recommended, having heard the Overview and Scrutiny Management Board's comments.",
            )


def _published_pack(osmb: Meeting, strategies: list[CommissioningStrategy], admin: User) -> None:
    """The OSMB pack, rendered and published as Democratic Services would: members get its PDF and a notification.

    Rendered here, synchronously (``pack_render_now``, the ``render_pack`` command's path), because publishing
    needs the PDF: queuing it would need a worker before the pack could be published."""
    if ScrutinyPack.objects.filter(meeting=osmb, title=PUBLISHED_PACK["title"]).exists():
        return  # published: frozen as the members were sent it
    with on(PUBLISHED_PACK_STARTED):
        pack = scrutiny_services.pack_create(
            meeting=osmb,
            by=admin,
            cover={**PUBLISHED_PACK, "decision": Decision.objects.get(reference=DECISION_REFERENCE)},
            strategies=strategies,
        )
    with on(PUBLISHED_PACK_RENDERED, 15):
        scrutiny_services.pack_render_now(pack_id=pack.pk)
    with on(PUBLISHED_PACK_PUBLISHED, 9):
        scrutiny_services.pack_publish(pack=pack, by=admin)


OSMB_AGENDA_OPENING = [
    ("Apologies for absence and replacement members", ""),
    ("Declarations of members' interests", ""),
    ("Minutes of the meeting held on 25 April 2019", "To agree the minutes as a correct record."),
]


def _osmb_agenda(osmb: Meeting, strategies: list[CommissioningStrategy], admin: User) -> None:
    """The Board's agenda for 30 May 2019: the opening items, then one item per strategy whose highlight report
    the pack appends (the pack is built from it). Added before the pack is published; on a database whose
    pack is already out, items added now would be late (a supplement's), so the agenda is left as it is."""
    if osmb.agenda_items.exists() or ScrutinyPack.objects.filter(meeting=osmb, revisions__isnull=False).exists():
        return
    decision = Decision.objects.filter(reference=DECISION_REFERENCE).first()
    with on(PUBLISHED_PACK_STARTED):
        for title, purpose in OSMB_AGENDA_OPENING:
            scrutiny_services.agenda_item_add(meeting=osmb, by=admin, data={"title": title, "description": purpose})
        for strategy in strategies:
            scrutiny_services.agenda_item_add(
                meeting=osmb,
                by=admin,
                data={
                    "title": f"{strategy.name} Commissioning Strategy",
                    "description": "To consider the strategy's quarter 3 2018/19 highlight report and pass the "
                    "Board's comments to the Executive (4 June 2019).",
                    "strategy": strategy,
                    "decision": decision,
                },
            )


def _draft_pack(meeting: Meeting, strategies: list[CommissioningStrategy], admin: User) -> None:
    pack = ScrutinyPack.objects.filter(meeting=meeting, title=DRAFT_PACK["title"]).first()
    if pack is None:
        with on(DRAFT_PACK_STARTED):
            scrutiny_services.pack_create(meeting=meeting, by=admin, cover=DRAFT_PACK, strategies=strategies)
        return
    if pack.is_frozen:
        return
    cover = _differences(pack, DRAFT_PACK)
    appended = [appendix.strategy_id for appendix in pack.appendices.order_by("order")]
    if cover or appended != [strategy.pk for strategy in strategies]:
        scrutiny_services.pack_update(pack=pack, by=admin, cover=cover, strategies=strategies)


def build_reports_and_packs(strategies, scrutiny: dict, users: dict[str, User]) -> None:
    """The Q3 reports, the Q4 drafts and the two packs, step by step in date order. Board review, scrutiny's
    consideration, approval and packs are the Administrator's: no other role may make those moves."""
    admin = users["admin"]
    meetings = scrutiny["meetings"]
    osmb = meetings[("osmb", "2019-05-30")]
    reports = _q3_to_the_board(strategies, meetings, admin)
    _q4_drafts(strategies)
    _decision([strategies[data["name"]] for data in STRATEGIES], admin)
    _osmb_agenda(osmb, [strategies[data["name"]] for data in STRATEGIES], admin)
    _published_pack(osmb, [strategies[data["name"]] for data in STRATEGIES], admin)
    _q3_to_the_executive(reports, osmb, admin)
    _decided(admin)
    _draft_pack(meetings[("acw", "2019-07-10")], [strategies[name] for name in Q4_DRAFTS], admin)


# Key-contract rows that stand for contracts of their own on the register (seed 000's key-contracts tables give
# them as one line each; the register holds every provider's contract): their value is counted once, in the parts.
KEY_CONTRACT_PARTS = {
    "ACCW-0002": "CSL-",  # LD community supported living: the supported-living providers' contracts
    "ACCW-0010": "HC-",  # community support homecare: "12 x Provider Contracts"
    "ACCW-0012": "TCB-",  # step up / step down block beds across the homes
}


def link_key_contract_parts() -> None:
    """Record, through the contracts service, which generated contracts each summary key-contract row stands for."""
    for summary_ref, prefix in KEY_CONTRACT_PARTS.items():
        summary = Contract.objects.get(reference=summary_ref)
        parts = list(Contract.objects.filter(reference__startswith=prefix, part_of__isnull=True))
        if parts:
            contract_services.contract_record_parts(summary=summary, parts=parts, by=None)
