import datetime

import pytest
from django.core.exceptions import ValidationError

from providers.models import RiskAssessment, RiskLevel
from providers.risk import FACTORS, MAX_SCORE, score_risk, threshold_bands
from providers.services import risk_assessment_record
from tests.factories import ProviderFactory
from tests.providers.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def scores(default=0, **overrides):
    return {factor.code: overrides.get(factor.code, default) for factor in FACTORS}


def test_a_provider_with_no_concerns_is_low_risk():
    assert score_risk(scores(0)) == (0, RiskLevel.LOW)


def test_every_factor_at_its_worst_is_high_risk_with_the_top_score():
    assert score_risk(scores(3)) == (MAX_SCORE, RiskLevel.HIGH)
    assert MAX_SCORE == 30


@pytest.mark.parametrize(
    ("factor_scores", "expected"),
    [
        # quality (x2) 2 + safeguarding (x2) 1 + staffing (x1) 1 = 7: still low
        ({"quality_cqc": 2, "safeguarding": 1, "staffing": 1}, (7, RiskLevel.LOW)),
        # one more point of complaints reaches medium at 8
        ({"quality_cqc": 2, "safeguarding": 1, "staffing": 1, "complaints": 1}, (8, RiskLevel.MEDIUM)),
        ({"quality_cqc": 3, "financial_viability": 2, "staffing": 3}, (13, RiskLevel.MEDIUM)),
        ({"quality_cqc": 3, "financial_viability": 2, "staffing": 3, "complaints": 1}, (14, RiskLevel.HIGH)),
    ],
)
def test_weighted_score_crosses_the_documented_thresholds(factor_scores, expected):
    assert score_risk(scores(**factor_scores)) == expected


def test_thresholds_shown_on_the_form_cover_every_score():
    assert threshold_bands() == [("Low", 0, 7), ("Medium", 8, 13), ("High", 14, 30)]


@pytest.mark.parametrize(
    "bad",
    [
        {**scores(), "quality_cqc": 4},
        {**scores(), "safeguarding": -1},
        {k: v for k, v in scores().items() if k != "staffing"},
        {**scores(), "weather": 1},
        {**scores(), "complaints": "2"},
    ],
)
def test_a_missing_unknown_or_out_of_range_factor_is_refused(bad):
    with pytest.raises(ValueError, match=r"(?i)unknown risk factors|score|must be scored"):
        score_risk(bad)


def test_recording_an_assessment_keeps_calculated_and_resulting_level():
    officer = OfficerFactory()
    provider = ProviderFactory()
    assessment = risk_assessment_record(
        provider=provider,
        factors=scores(quality_cqc=3, safeguarding=3, financial_viability=1),
        assessed_on=datetime.date(2018, 6, 1),
        by=officer,
    )
    assert (assessment.score, assessment.calculated_level, assessment.level) == (14, "high", "high")
    assert assessment.assessed_by == officer
    assert not assessment.is_overridden


def test_an_officer_can_override_the_level_with_a_reason():
    assessment = risk_assessment_record(
        provider=ProviderFactory(),
        factors=scores(quality_cqc=2, safeguarding=2),
        assessed_on=datetime.date(2018, 6, 1),
        by=OfficerFactory(),
        override_level="high",
        override_reason="New owner has withdrawn funding from the home.",
    )
    assert (assessment.calculated_level, assessment.level) == ("medium", "high")
    assert assessment.is_overridden


def test_an_override_without_a_reason_is_refused_and_nothing_saved():
    with pytest.raises(ValidationError) as error:
        risk_assessment_record(
            provider=ProviderFactory(),
            factors=scores(),
            assessed_on=datetime.date(2018, 6, 1),
            by=OfficerFactory(),
            override_level="medium",
            override_reason="  ",
        )
    assert "override_reason" in error.value.message_dict
    assert not RiskAssessment.objects.exists()


def test_each_assessment_is_a_new_row_so_history_is_kept():
    provider = ProviderFactory()
    officer = OfficerFactory()
    risk_assessment_record(provider=provider, factors=scores(3), assessed_on=datetime.date(2018, 4, 1), by=officer)
    risk_assessment_record(provider=provider, factors=scores(0), assessed_on=datetime.date(2018, 9, 1), by=officer)
    assert list(provider.risk_assessments.values_list("level", flat=True)) == ["low", "high"]
    assert provider.__class__.objects.with_current_risk().get().current_risk_level == "low"
