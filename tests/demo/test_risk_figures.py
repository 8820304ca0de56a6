"""The demo's risk figures come out of the rules: every assessment scored by its method through the services,
the 2018/19 month ends the annual report gives, seven providers leaving the market, and today's picture."""

from collections import Counter
from datetime import date, timedelta

import pytest

from demo import FIGURES
from demo.clock import load_day, recent_start
from demo.figures import RISK_BY_MONTH_END, RISK_START
from demo.risk import EXITED_IN_2018, NESTOR, V2_EFFECTIVE, exited_providers
from providers.models import Provider, RiskAssessment, RiskMethod
from providers.risk import level_for, score_with

PASSWORD = "a-demo-password-for-tests"

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_database, db):
    """The demo data, loaded once for the run (tests/conftest.py)."""


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _counts(day: date) -> Counter:
    """Providers at each level on ``day`` by the stored level of their latest assessment, leaving out those that
    had left the market: worked out here from the rows, not by the app's counting."""
    exited = {pk: day for pk, day in Provider.objects.values_list("pk", "exited_on") if day is not None}
    latest = {}
    for provider_id, level in (
        RiskAssessment.objects.filter(assessed_on__lte=day)
        .order_by("assessed_on", "pk")
        .values_list("provider_id", "level")
    ):
        latest[provider_id] = level
    return Counter(level for pk, level in latest.items() if pk not in exited or exited[pk] > day)


def test_the_start_of_2018_19_is_202_low_114_medium_33_high(demo):
    assert _counts(date(2018, 3, 31)) == Counter(low=202, medium=114, high=33)
    assert RISK_START == {"low": 202, "medium": 114, "high": 33}


def test_the_end_of_2018_19_is_202_low_103_medium_37_high(demo):
    assert _counts(date(2019, 3, 31)) == Counter(low=202, medium=103, high=37)


def test_each_month_end_is_the_reports_and_inside_its_ranges(demo):
    ranges = FIGURES["risk_range"]
    for year, month, low, medium, high in RISK_BY_MONTH_END:
        counted = _counts(_month_end(year, month))
        assert counted == Counter(low=low, medium=medium, high=high), (year, month)
        for level, (lowest, highest) in ranges.items():
            assert lowest <= counted[level] <= highest, (year, month, level)


def test_the_apps_month_end_counts_agree(demo):
    days = [_month_end(year, month) for year, month, *_ in RISK_BY_MONTH_END]
    counts = Provider.objects.risk_counts_on([date(2018, 3, 31), *days])
    assert counts[date(2018, 3, 31)] == RISK_START
    for (_year, _month, low, medium, high), day in zip(RISK_BY_MONTH_END, days, strict=True):
        assert counts[day] == {"low": low, "medium": medium, "high": high}


def test_seven_providers_left_the_market_during_the_year_nestor_primecare_among_them(demo):
    exited = exited_providers()
    assert len(exited) == len(EXITED_IN_2018) == 7
    for leaver in EXITED_IN_2018:
        provider = exited[leaver.name]
        assert (provider.exited_on, provider.status) == (leaver.exited_on, leaver.status)
        assert date(2018, 4, 1) <= provider.exited_on <= date(2019, 3, 31)
        assert not provider.risk_assessments.filter(assessed_on__gte=provider.exited_on).exists()
    assert exited[NESTOR].status == Provider.Status.IN_ADMINISTRATION
    assert exited[NESTOR].risk_assessments.latest().level == "high"


def test_every_demo_assessment_stores_the_score_and_level_its_method_gives_its_answers(demo):
    methods = {m.pk: m for m in RiskMethod.objects.all()}
    wrong = []
    for assessment in RiskAssessment.objects.all():
        method = methods[assessment.method_id]
        score, level = score_with(method, assessment.factors)
        if (
            assessment.score != score
            or assessment.calculated_level != level
            or assessment.calculated_level != level_for(method, assessment.score)
            or assessment.level != assessment.calculated_level
        ):
            wrong.append(assessment.pk)
    assert wrong == []
    assert RiskAssessment.objects.count() > 1000


def test_each_assessment_is_scored_by_the_method_in_force_on_its_date(demo):
    v1, v2 = RiskMethod.objects.get(version=1), RiskMethod.objects.get(effective_from=V2_EFFECTIVE)
    assert (v1.effective_from, v2.version) == (date(2017, 4, 1), 2)
    assert not RiskAssessment.objects.filter(method=v1, assessed_on__gte=V2_EFFECTIVE).exists()
    assert not RiskAssessment.objects.filter(method=v2, assessed_on__lt=V2_EFFECTIVE).exists()
    assert {f["code"] for f in v2.factors} - {f["code"] for f in v1.factors} == {"market_sustainability"}


def test_every_provider_in_the_market_was_reassessed_in_the_recent_window_and_today_is_the_year_end_picture(demo):
    window = (recent_start(), load_day())
    in_market = Provider.objects.filter(risk_assessments__isnull=False, exited_on=None).distinct()
    assert in_market.count() == FIGURES["risk_providers"]
    assert not in_market.exclude(risk_assessments__assessed_on__range=window).exists()
    today = Counter(
        Provider.objects.with_current_risk()
        .exclude(current_risk_level=None)
        .values_list("current_risk_level", flat=True)
    )
    assert today == Counter(FIGURES["risk_current"])
