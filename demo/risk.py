"""The demo's risk methods and provider risk history, made only through the providers services.

Two versions of the council's risk method: version 1, the Commercial Team's risk matrix (in force from
1 April 2017, ``providers.risk.MATRIX_2017``), and version 2, seed 001's "new risk assessment tool" from the
review of the Risk Matrix Methodology (in force from 1 April 2025: a market sustainability factor, financial
viability and staffing re-weighted, new thresholds).

The 2018/19 history reproduces the Commercial Team's annual report (``demo.figures``): 349 providers at the start
of the year (202 low / 114 medium / 33 high), seven leaving the market during it (``EXITED_IN_2018``, recorded by
``provider_record_exit``, among them Allied Healthcare's Nestor Primecare), 342 at the end (202 / 103 / 37), each
month end inside the report's ranges. Every assessment is answered through version 1's factors and scored by
``risk_assessments_record_many``: the level is what the method gives the answers, never typed in.

Then each provider still in the market is reassessed under version 2 in the 13 months up to the load day
(``demo.clock``), its latest assessment keeping the year-end level, so the current picture is today's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from commissioning.models import User
from providers.models import Provider, RiskLevel, RiskMethod
from providers.risk import MATRIX_2017, score_with
from providers.services import (
    AssessmentEntry,
    ProviderFields,
    provider_record_exit,
    providers_register_many,
    risk_assessments_record_many,
    risk_method_create,
)

from .clock import load_day, recent_start
from .figures import RISK_BY_MONTH_END, RISK_START


class Volume(Protocol):
    """What the risk history needs of ``demo.volume.Volume``: its risk providers, officers, key providers and
    administrator."""

    risk_providers: list[Provider]
    officers: list[User]
    key_providers: dict[str, Provider]
    administrator: User


V1_EFFECTIVE = date(2017, 4, 1)
V2_EFFECTIVE = date(2025, 4, 1)
YEAR_START_DAY = date(2018, 3, 31)


def _v2_factors() -> list[dict[str, Any]]:
    """Version 2: version 1's factors, financial viability weighing three and staffing two, and a new market
    sustainability factor (seed 004's market oversight: can the service be replaced if the provider fails?)."""
    reweighted = {"financial_viability": 3, "staffing": 2}
    factors = [
        {**factor, "weight": reweighted.get(factor["code"], factor["weight"])} for factor in MATRIX_2017["factors"]
    ]
    factors.append(
        {
            "code": "market_sustainability",
            "name": "Market sustainability",
            "description": "How hard the service would be to replace if the provider failed: share of the local "
            "market, specialist provision, waiting lists and the provider's plans to stay in the market.",
            "weight": 2,
            "answers": [
                {"score": 0, "label": "Many alternative providers with capacity nearby."},
                {"score": 1, "label": "Some alternatives, with limited capacity."},
                {"score": 2, "label": "Few alternatives: moving people would be difficult."},
                {"score": 3, "label": "Hard to replace: specialist or sole provider in the area."},
            ],
        }
    )
    return factors


V2_METHOD: dict[str, Any] = {
    "name": "Provider risk assessment tool",
    "effective_from": V2_EFFECTIVE,
    "thresholds": {"medium": 11, "high": 20},
    "notes": "The new risk assessment tool from the review of the Risk Matrix Methodology (Commercial Team "
    "annual report 2018/19, 'Upcoming in 2019/20'): adds market sustainability, weighs financial viability "
    "and staffing more, and moves the thresholds to Medium from 11 and High from 20 (of 42).",
}


@dataclass(frozen=True)
class Leaver:
    """A provider that left the market in 2018/19: its name, and the day it left."""

    name: str
    exited_on: date
    status: str = Provider.Status.EXITED


NESTOR = "Nestor Primecare Services Ltd"
# Seven providers leave the risk methodology during 2018/19 (349 at the start, 342 at the end). Nestor Primecare
# (Allied Healthcare) went into administration; its reablement contract was novated to Alderson Libertas and its
# 270 service users and 230 staff transferred on 14 December 2018 (seed 001). The others closed or handed back
# their services.
EXITED_IN_2018: tuple[Leaver, ...] = (
    Leaver("Fenland Homecare Partnership Ltd", date(2018, 4, 20)),
    Leaver("Witham Valley Supported Living Ltd", date(2018, 5, 18)),
    Leaver("Trent Vale Care Services Ltd", date(2018, 7, 6)),
    Leaver("Ancholme Day Opportunities CIC", date(2018, 7, 27)),
    Leaver("Marsh Lane Domiciliary Care Ltd", date(2018, 8, 31)),
    Leaver(NESTOR, date(2018, 12, 14), Provider.Status.IN_ADMINISTRATION),
    Leaver("Bain Support Services Ltd", date(2019, 1, 25)),
)


def exited_providers() -> dict[str, Provider]:
    """The providers of ``EXITED_IN_2018`` as saved, by name (for the failure and closure cases)."""
    names = [leaver.name for leaver in EXITED_IN_2018]
    return {p.name: p for p in Provider.objects.filter(name__in=names, exited_on__isnull=False)}


def ensure_methods(by: User) -> tuple[RiskMethod, RiskMethod]:
    """Versions 1 and 2, recorded through ``risk_method_create`` by the administrator when not there yet
    (version 1 is usually there already: the providers migration records it)."""
    v1 = RiskMethod.objects.filter(version=1).first()
    if v1 is None:
        v1 = risk_method_create(
            by=by,
            name=MATRIX_2017["name"],
            effective_from=V1_EFFECTIVE,
            factors=MATRIX_2017["factors"],
            thresholds=MATRIX_2017["thresholds"],
            notes=MATRIX_2017["notes"],
        )
    v2 = RiskMethod.objects.filter(effective_from=V2_EFFECTIVE).first()
    if v2 is None:
        v2 = risk_method_create(by=by, factors=_v2_factors(), **V2_METHOD)
    return v1, v2


def band(method: RiskMethod, level: str) -> tuple[int, int]:
    """The lowest and highest weighted scores ``method`` gives ``level``."""
    for value, _label, lowest, highest in method.bands():
        if value == level:
            return lowest, highest
    raise ValueError(level)


def answers_for(method: RiskMethod, level: str, rng: random.Random) -> dict[str, int]:
    """Answers to ``method``'s factors whose weighted score falls in ``level``'s band: a score drawn in the band,
    then answers raised one step at a time on factors chosen at random, never past the band's top."""
    lowest, highest = band(method, level)
    target = rng.randint(lowest, min(highest, lowest + 6))
    steps = {f["code"]: sorted(int(a["score"]) for a in f["answers"]) for f in method.factors}
    weights = {f["code"]: int(f["weight"]) for f in method.factors}
    answers = {code: scores[0] for code, scores in steps.items()}
    score = sum(weights[code] * value for code, value in answers.items())
    while score < target:
        room = []
        for code, scores in steps.items():
            position = scores.index(answers[code])
            if position + 1 < len(scores):
                gain = weights[code] * (scores[position + 1] - answers[code])
                if score + gain <= highest:
                    room.append((code, scores[position + 1], gain))
        if not room:
            break
        code, value, gain = rng.choice(room)
        answers[code] = value
        score += gain
    assert score_with(method, answers)[1] == level, (method.version, level, answers)
    return answers


RATIONALE = {
    RiskLevel.LOW: "No significant concerns; routine contract management.",
    RiskLevel.MEDIUM: "Some concerns; action plan agreed and monitored monthly.",
    RiskLevel.HIGH: "Serious concerns; enhanced monitoring and escalation in place.",
}


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _day_in(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _register_leavers(volume: Volume) -> list[Provider]:
    """The seven leavers as providers: Nestor Primecare is a key provider already; the others are registered."""
    new: list[ProviderFields] = [
        {"name": leaver.name, "companies_house_number": f"0{9100000 + n:07d}", "cqc_provider_id": f"1-9{n:08d}"}
        for n, leaver in enumerate(EXITED_IN_2018, start=1)
        if leaver.name != NESTOR
    ]
    saved = {p.name: p for p in providers_register_many(providers=new, by=None)}
    saved[NESTOR] = volume.key_providers[NESTOR]
    return [saved[leaver.name] for leaver in EXITED_IN_2018]


class _History:
    """The assessments to record, made up month by month: each provider's level as it goes."""

    def __init__(self, volume: Volume, leavers: list[Provider], v1: RiskMethod, v2: RiskMethod):
        self.rng = random.Random(2018)  # noqa: S311 - demo data, fixed seed for repeatable figures
        self.volume, self.leavers, self.v1, self.v2 = volume, leavers, v1, v2
        self.exit_of = {id(p): leaver for p, leaver in zip(leavers, EXITED_IN_2018, strict=True)}
        self.rows: list[AssessmentEntry] = []
        self.level: dict[int, str] = {}
        self.active = list(volume.risk_providers) + leavers
        self.changed_in: dict[tuple[int, int], set[int]] = {}
        self.level_history: list[tuple[tuple[int, int], dict[int, str]]] = []

    def assess(self, provider: Provider, day: date, level: str, method: RiskMethod) -> None:
        self.rows.append(
            AssessmentEntry(
                provider=provider,
                assessed_on=day,
                assessed_by=self.rng.choice(self.volume.officers),
                factors=answers_for(method, level, self.rng),
                rationale=RATIONALE[RiskLevel(level)],
            )
        )

    def start_of_year(self) -> None:
        """349 providers, each with one assessment in the last quarter of 2017/18, at the start's levels."""
        order = list(self.active)
        self.rng.shuffle(order)
        assert len(order) == sum(RISK_START.values()), (len(order), RISK_START)
        position = 0
        for lv in ("low", "medium", "high"):
            for p in order[position : position + RISK_START[lv]]:
                self.level[id(p)] = lv
                self.assess(p, _day_in(self.rng, date(2018, 1, 8), date(2018, 3, 29)), lv, self.v1)
            position += RISK_START[lv]

    def month(self, year: int, month: int, target: dict[str, int]) -> None:
        """Leavers go first (from the day they leave they are not counted); then changes of level, one provider
        at a time, from a level above its month-end count to one below, until the counts are the report's."""
        first, last = date(year, month, 1), _month_end(year, month)
        changed: set[int] = set()
        self.active = [p for p in self.active if not (id(p) in self.exit_of and self.exit_of[id(p)].exited_on <= last)]
        nestor = self.leavers[[leaver.name for leaver in EXITED_IN_2018].index(NESTOR)]
        # Nestor Primecare's financial failure: High from November 2018 until it left.
        if (year, month) == (2018, 11) and self.level[id(nestor)] != "high":
            self.level[id(nestor)] = "high"
            changed.add(id(nestor))
            self.assess(nestor, date(2018, 11, 5), "high", self.v1)
        while True:
            counts = dict.fromkeys(target, 0)
            for p in self.active:
                counts[self.level[id(p)]] += 1
            surplus = [lv for lv in target if counts[lv] > target[lv]]
            deficit = [lv for lv in target if counts[lv] < target[lv]]
            if not surplus:
                break
            candidates = [p for p in self.active if self.level[id(p)] == surplus[0] and id(p) not in changed]
            p = self.rng.choice(candidates)
            self.level[id(p)] = deficit[0]
            changed.add(id(p))
            leaving = self.exit_of.get(id(p))
            latest = min(last, leaving.exited_on - timedelta(days=1)) if leaving else last
            self.assess(p, _day_in(self.rng, first, latest), deficit[0], self.v1)
        self.changed_in[(year, month)] = changed
        self.level_history.append(((year, month), {id(p): self.level[id(p)] for p in self.active}))

    def routine(self) -> None:
        """One routine reassessment in the year, in a month without a change, confirming the level."""
        for p in list(self.volume.risk_providers) + self.leavers:
            months = [
                (ym, levels[id(p)])
                for ym, levels in self.level_history
                if id(p) in levels and id(p) not in self.changed_in[ym]
            ]
            if months:
                (year, month), lv = self.rng.choice(months)
                self.assess(p, _day_in(self.rng, date(year, month, 1), _month_end(year, month)), lv, self.v1)

    def recent(self) -> None:
        """The recent window under version 2: every provider still in the market reassessed at least once, its
        latest assessment at its year-end level; some were at a neighbouring level earlier in the window."""
        start, today = max(recent_start(), V2_EFFECTIVE), load_day()
        for p in self.volume.risk_providers:
            days = sorted(_day_in(self.rng, start, today) for _ in range(self.rng.choice([1, 1, 2, 2, 3])))
            for n, day in enumerate(days):
                lv = self.level[id(p)]
                if n < len(days) - 1 and self.rng.random() < 0.25:
                    lv = {"low": "medium", "high": "medium"}.get(lv) or self.rng.choice(["low", "high"])
                self.assess(p, day, lv, self.v2)


def build_risk(volume: Volume) -> tuple[dict[int, str], list[tuple[tuple[int, int], dict[int, str]]]]:
    """The 2018/19 history under version 1, the seven exits, and the recent assessments under version 2.

    Returns each provider still in the market's level now (the year-end one), by ``id()`` of the volume's
    provider, and each month end of 2018/19 with the level of each provider then in the market."""
    v1, v2 = ensure_methods(volume.administrator)
    leavers = _register_leavers(volume)
    history = _History(volume, leavers, v1, v2)
    history.start_of_year()
    for year, month, low, medium, high in RISK_BY_MONTH_END:
        history.month(year, month, {"low": low, "medium": medium, "high": high})
    history.routine()
    history.recent()
    risk_assessments_record_many(assessments=history.rows, by=None)
    for p, leaver in zip(leavers, EXITED_IN_2018, strict=True):
        provider_record_exit(provider=p, exited_on=leaver.exited_on, by=None, status=leaver.status)
    return {id(p): history.level[id(p)] for p in volume.risk_providers}, history.level_history
