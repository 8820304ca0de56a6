"""Demo contract returns and JET grades (seed 002), made through ``oversight.returns``' services only.

* **The seed's contracts** carry the Good / Average / Poor performance the 2018/19 report gives them: each gets a
  return for March 2019, submitted in April 2019, whose JET grade rolls up to it (Good → 7 Excellent, Average →
  5 Effective with a moderate weakness, Poor → 3 Fair with a major weakness), and the register's field follows
  (``grade_seed_contracts``, called as the seed's contracts are built, before the reports freeze their tables).
* **Today's managed contracts** (``build_returns``): every month of the demo clock's window
  (``demo.clock.recent_start``) has its return made due by the schedule; past months are submitted with grades in
  the seed's spread (a majority Good), strengths and weaknesses that fit each score, and RAG ratings that follow
  the grade. The seed services' successors keep the seed's grade. Last month's returns are still due for most
  contracts; a few contracts (two of the demo officer's among them) have their last one or two left overdue, so the
  home page shows both.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from itertools import groupby

import time_machine
from django.utils import timezone

from commissioning import permissions
from commissioning.models import User
from contracts.models import Contract
from oversight.models import ContractReturn, Rag, ReturnFinding
from oversight.returns import (
    ReturnSubmission,
    contract_return_open,
    contract_return_submit,
    contract_returns_submit_many,
    returns_schedule_all,
)

from . import clock
from .contract_data import KEY_CONTRACTS

SEED_MONTH = date(2019, 3, 1)
SEED_SUBMITTED = date(2019, 4, 12)
# The seed's word for a contract's performance → the JET score its return gives.
SEED_SCORES = {"good": 7, "average": 5, "poor": 3}
# Generated grades: seed 002's picture of a council aiming at "outstanding services", most contracts Good.
SCORE_WEIGHTS = {9: 2, 8: 9, 7: 30, 6: 28, 5: 15, 4: 8, 3: 5, 2: 2, 1: 1}

STRENGTHS = [
    "Outcomes for service users evidenced in case studies",
    "Stable, well-trained staff team",
    "Good engagement with service users and carers",
    "Returns and monitoring information on time",
    "Effective partnership working with health colleagues",
    "Positive feedback from service users",
]
WEAKNESSES = {
    ReturnFinding.Severity.MINOR: [
        "Some monitoring data late",
        "Minor gaps in care plan reviews",
        "Recording of complaints inconsistent",
    ],
    ReturnFinding.Severity.MODERATE: [
        "Staff turnover affecting continuity of care",
        "Waiting times above the specification",
        "Action plan from the last visit not yet complete",
    ],
    ReturnFinding.Severity.MAJOR: [
        "Capacity shortfall: packages of care handed back",
        "Safeguarding referrals not made promptly",
        "Service outcomes not evidenced",
    ],
}


def _findings(rng: random.Random, score: int) -> tuple[dict, ...]:
    """Strengths and weaknesses that fit the score (``oversight.grading.severity_problem``)."""
    found = [{"kind": "strength", "text": text} for text in rng.sample(STRENGTHS, 3 if score >= 6 else 1)]
    worst: str | None
    if score <= 3:
        worst = ReturnFinding.Severity.MAJOR
    elif score <= 5:
        worst = ReturnFinding.Severity.MODERATE
    else:
        worst = ReturnFinding.Severity.MINOR if score <= 7 or rng.random() < 0.3 else None
    if worst is not None:
        found.append({"kind": "weakness", "severity": worst, "text": rng.choice(WEAKNESSES[worst])})
    return tuple(found)


def _rag(rng: random.Random, score: int) -> str:
    if score >= 6:
        return Rag.AMBER if rng.random() < 0.12 else Rag.GREEN
    if score >= 4:
        return Rag.RED if rng.random() < 0.15 else Rag.AMBER
    return Rag.RED


def _grader(user_list: list[User], contract: Contract) -> User | None:
    for user in user_list:
        if permissions.may(user, "oversight.change_contractreturn", contract):
            return user
    return None


def seed_performance() -> dict[str, str]:
    """Each seed contract's performance as the 2018/19 report words it (good, average, poor, not_assessed)."""
    return {row["reference"]: row["performance"] for rows in KEY_CONTRACTS.values() for row in rows}


def grade_seed_contracts(contracts: dict[str, Contract], users: dict[str, User]) -> int:
    """The seed's Good / Average / Poor for each of its contracts, as a graded return for March 2019 submitted in
    April 2019 (idempotent). Returns how many were submitted."""
    done = 0
    for reference, word in seed_performance().items():
        score = SEED_SCORES.get(word)
        contract = contracts.get(reference)
        if score is None or contract is None or contract.returns.filter(period_start=SEED_MONTH).exists():
            continue
        by = _grader([users["officer"], users["admin"]], contract)
        rng = random.Random(reference)  # noqa: S311 - demo data, not security
        with time_machine.travel(timezone.make_aware(datetime.combine(SEED_SUBMITTED, time(10))), tick=False):
            ret = contract_return_open(contract=contract, period_start=SEED_MONTH, by=by, today=SEED_SUBMITTED)
            contract_return_submit(
                contract_return=ret,
                by=by,
                risk_rating=_rag(rng, score),
                jet_score=score,
                commentary="Grade from the 2018/19 contract management report.",
                findings=_findings(rng, score),
                today=SEED_SUBMITTED,
            )
        done += 1
    return done


def build_returns(users: dict[str, User], successors: dict[str, str]) -> int:
    """Today's managed contracts' returns over the demo clock's window (the module docstring); ``successors``: seed
    contract reference → the reference of the contract continuing its service. Idempotent: returns already
    submitted stay as they are. Returns how many were submitted."""
    today = clock.load_day()
    since = clock.recent_start(today)
    returns_schedule_all(today=today, since=since)
    seed_rows = seed_performance()
    seed_of = {successor: seed_rows.get(seed, "") for seed, successor in successors.items()}
    officer = users["officer"]
    outstanding = (
        ContractReturn.objects.outstanding()
        .filter(contract__status=Contract.Status.LIVE, period_start__gte=since)
        .select_related("contract__contract_manager")
        .order_by("contract__reference", "period_start")
    )
    submissions: list[ReturnSubmission] = []
    officer_overdue = 0
    # Every choice is drawn from the contract's or the return's own seed, so a second load (which sees only the
    # returns the first left unsubmitted) makes the same choices and submits nothing new.
    for reference, group in groupby(outstanding, key=lambda r: r.contract.reference):
        rets = list(group)
        contract = rets[0].contract
        rng = random.Random(f"returns:{reference}")  # noqa: S311 - demo data, not security
        seeded = SEED_SCORES.get(seed_of.get(reference, ""))
        base = seeded or rng.choices(list(SCORE_WEIGHTS), weights=list(SCORE_WEIGHTS.values()))[0]
        leave_overdue = 0
        if contract.contract_manager_id == officer.pk and officer_overdue < 2:
            leave_overdue, officer_overdue = 1, officer_overdue + 1
        elif rng.random() < 0.12:
            leave_overdue = rng.choice([1, 2])
        past_due = [r for r in rets if r.due_on < today]
        keep = past_due[len(past_due) - leave_overdue :] if leave_overdue else []
        for ret in rets:
            one = random.Random(f"returns:{reference}:{ret.period_start}")  # noqa: S311 - demo data
            if ret in keep or (ret.due_on >= today and one.random() < 0.65):
                continue  # left overdue, or last month's still due (for most contracts)
            # Grades move a little about the contract's own from month to month (so some fall, for the report).
            score = base if seeded else min(9, max(1, base + one.choice([-1, 0, 0, 0, 0, 1])))
            first_day = ret.period_end + timedelta(days=1)
            latest = min(today, ret.due_on)
            submitted_on = first_day + timedelta(days=one.randint(0, max(0, (latest - first_day).days)))
            submissions.append(
                ReturnSubmission(
                    contract_return=ret,
                    risk_rating=_rag(one, score),
                    jet_score=score,
                    commentary="" if one.random() < 0.5 else "Discussed at the contract management meeting.",
                    findings=_findings(one, score),
                    submitted_on=submitted_on,
                    submitted_by=contract.contract_manager,
                )
            )
    return contract_returns_submit_many(submissions=submissions, by=None)
