"""The council's risk methods: validation of a method, scoring by the method in force, versions that leave old
assessments as they were, overrides, and counts that leave out providers that left the market."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from providers.models import Provider, RiskAssessment, RiskLevel, RiskMethod
from providers.risk import MATRIX_2017, check_definition, score_with
from providers.selectors import current_risk_method, risk_method_in_force
from providers.services import (
    AssessmentEntry,
    RiskMethodInUse,
    provider_record_exit,
    risk_assessment_record,
    risk_assessments_record_many,
    risk_method_create,
    risk_method_delete,
    risk_method_update,
)
from tests.conftest import _user_with_role
from tests.factories import ProviderFactory
from tests.providers.factories import OfficerFactory
from tests.providers.risk_factories import factor, method_v1, v1_answers

pytestmark = pytest.mark.django_db
d = datetime.date


@pytest.fixture
def v1():
    return method_v1()


@pytest.fixture
def admin():
    from commissioning import roles

    return _user_with_role(roles.ADMINISTRATOR)


def _v2(admin, **overrides):
    """A second version from 1 April 2025: one new factor, new thresholds."""
    fields = {
        "by": admin,
        "name": "Provider risk assessment tool",
        "effective_from": d(2025, 4, 1),
        "factors": [factor("quality", weight=2), factor("market_sustainability", weight=3)],
        "thresholds": {"medium": 4, "high": 9},
    } | overrides
    return risk_method_create(**fields)


# --- Scoring -------------------------------------------------------------------------------------------------


def test_version_1_scores_no_concerns_low_and_every_worst_answer_high_with_the_top_score(v1):
    assert score_with(v1, v1_answers(0)) == (0, RiskLevel.LOW)
    assert score_with(v1, v1_answers(3)) == (30, RiskLevel.HIGH)
    assert v1.max_score == 30


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"quality_cqc": 2, "safeguarding": 1, "staffing": 1}, (7, RiskLevel.LOW)),
        ({"quality_cqc": 2, "safeguarding": 1, "staffing": 1, "complaints": 1}, (8, RiskLevel.MEDIUM)),
        ({"quality_cqc": 3, "financial_viability": 2, "staffing": 3}, (13, RiskLevel.MEDIUM)),
        ({"quality_cqc": 3, "financial_viability": 2, "staffing": 3, "complaints": 1}, (14, RiskLevel.HIGH)),
    ],
)
def test_the_weighted_score_crosses_the_methods_thresholds(v1, answers, expected):
    assert score_with(v1, v1_answers(**answers)) == expected


def test_the_bands_shown_cover_every_score(v1):
    assert v1.bands() == [("low", "Low", 0, 7), ("medium", "Medium", 8, 13), ("high", "High", 14, 30)]


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({**v1_answers(), "quality_cqc": 4}, "Quality and CQC rating"),
        ({**v1_answers(), "safeguarding": -1}, "Safeguarding"),
        ({k: v for k, v in v1_answers().items() if k != "staffing"}, "Staffing and management"),
        ({**v1_answers(), "weather": 1}, "weather"),
        ({**v1_answers(), "complaints": "2"}, "Complaints and feedback"),
        ({**v1_answers(), "complaints": True}, "Complaints and feedback"),
    ],
)
def test_a_missing_unknown_or_disallowed_answer_is_refused_naming_the_factor(v1, bad, named):
    with pytest.raises(ValidationError) as error:
        score_with(v1, bad)
    assert named in error.value.message_dict["factors"][0]


def test_only_the_allowed_answers_count_even_with_gaps_in_the_scores(admin):
    method = risk_method_create(
        by=admin,
        name="Gapped",
        # After version 1, which the migration may have recorded: a new version takes effect after the latest.
        effective_from=d(2030, 4, 1),
        factors=[factor("quality", weight=2, scores=(0, 2, 5)), factor("finance", scores=(0, 1))],
        thresholds={"medium": 4, "high": 10},
    )
    assert score_with(method, {"quality": 5, "finance": 1}) == (11, RiskLevel.HIGH)
    with pytest.raises(ValidationError, match="one of 0, 2, 5"):
        score_with(method, {"quality": 1, "finance": 0})


# --- Validating a method -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factors", "thresholds", "field", "message"),
    [
        ([], {"medium": 1, "high": 2}, "factors", "at least one factor"),
        ([factor("Bad Code")], {"medium": 1, "high": 2}, "factors", "Factor 1: the code 'Bad Code'"),
        ([factor("quality"), factor("quality")], {"medium": 1, "high": 2}, "factors", "'quality' appears twice"),
        ([factor("quality", weight=0)], {"medium": 1, "high": 2}, "factors", "'quality': the weight"),
        ([factor("quality", scores=(0, 1, 1))], {"medium": 1, "high": 2}, "factors", "'quality', answer 3"),
        ([factor("quality", scores=(0, -1))], {"medium": 1, "high": 2}, "factors", "'quality', answer 2"),
        ([factor("quality", scores=(0,))], {"medium": 1, "high": 2}, "factors", "at least two answers"),
        ([factor("quality", name=" ")], {"medium": 1, "high": 2}, "factors", "'quality' needs a name"),
        ([factor("quality")], {"medium": 0, "high": 2}, "thresholds", "Medium must be above 0"),
        ([factor("quality")], {"medium": 2, "high": 2}, "thresholds", "High above Medium"),
        ([factor("quality")], {"medium": 1, "high": 4}, "thresholds", "highest possible score (3)"),
        ([factor("quality")], {"medium": 1}, "thresholds", "medium"),
    ],
)
def test_a_method_that_could_not_score_is_refused_naming_the_factor_and_answer(factors, thresholds, field, message):
    with pytest.raises(ValidationError) as error:
        check_definition(factors, thresholds)
    assert message in error.value.message_dict[field][0]


def test_an_answer_without_a_label_is_refused_naming_it():
    bad = factor("quality")
    bad["answers"][1]["label"] = ""
    with pytest.raises(ValidationError, match="'quality', answer 2 needs a label"):
        check_definition([bad], {"medium": 1, "high": 2})


def test_version_1_as_recorded_is_a_valid_method():
    check_definition(MATRIX_2017["factors"], MATRIX_2017["thresholds"])


# --- Versions ------------------------------------------------------------------------------------------------


def test_an_administrator_records_the_next_version_from_a_later_date(v1, admin):
    v2 = _v2(admin, notes="  Adds market sustainability. ")
    assert (v2.version, v2.created_by, v2.notes) == (2, admin, "Adds market sustainability.")
    assert v2.history.count() == 1


def test_a_version_may_not_take_effect_on_or_before_the_latest(v1, admin):
    with pytest.raises(ValidationError) as error:
        _v2(admin, effective_from=d(2017, 4, 1))
    assert "after version 1" in error.value.message_dict["effective_from"][0]
    assert RiskMethod.objects.count() == 1


def test_a_contract_officer_may_not_record_a_method(v1):
    with pytest.raises(PermissionDenied):
        _v2(OfficerFactory())
    assert RiskMethod.objects.count() == 1


def test_a_method_needs_a_name(v1, admin):
    with pytest.raises(ValidationError) as error:
        _v2(admin, name="  ")
    assert "name" in error.value.message_dict


def test_the_current_method_is_the_latest_in_force_today(v1, admin):
    v2 = _v2(admin)
    future = _v2(admin, effective_from=d(2999, 1, 1), name="Next year's")
    assert current_risk_method(d(2026, 1, 1)) == v2
    assert risk_method_in_force(d(2025, 3, 31)) == v1
    assert risk_method_in_force(d(2025, 4, 1)) == v2
    assert risk_method_in_force(d(2017, 3, 31)) is None
    assert current_risk_method(d(2999, 1, 1)) == future


def test_a_new_version_scores_new_assessments_and_leaves_old_ones_as_they_were(v1, admin):
    officer = OfficerFactory()
    provider = ProviderFactory()
    old = risk_assessment_record(
        provider=provider, factors=v1_answers(quality_cqc=3, safeguarding=1), assessed_on=d(2024, 6, 1), by=officer
    )
    assert (old.method, old.score, old.calculated_level, old.level) == (v1, 8, "medium", "medium")

    v2 = _v2(admin)  # with v2's thresholds a score of 8 would be Medium still, 9 High
    new = risk_assessment_record(
        provider=provider, factors={"quality": 3, "market_sustainability": 1}, assessed_on=d(2025, 6, 1), by=officer
    )

    old.refresh_from_db()
    assert (old.method, old.score, old.calculated_level, old.level, old.factors) == (
        v1,
        8,
        "medium",
        "medium",
        v1_answers(quality_cqc=3, safeguarding=1),
    )
    assert (new.method, new.score, new.calculated_level) == (v2, 9, "high")
    # An assessment dated while version 1 was in force is still scored by version 1.
    back_dated = risk_assessment_record(provider=provider, factors=v1_answers(), assessed_on=d(2025, 3, 31), by=officer)
    assert back_dated.method == v1


def test_answers_to_the_old_versions_factors_are_refused_once_a_new_one_is_in_force(v1, admin):
    _v2(admin)
    with pytest.raises(ValidationError) as error:
        risk_assessment_record(
            provider=ProviderFactory(), factors=v1_answers(), assessed_on=d(2025, 6, 1), by=OfficerFactory()
        )
    assert "Unknown risk factors" in error.value.message_dict["factors"][0]
    assert not RiskAssessment.objects.exists()


def test_no_assessment_before_the_first_method(v1):
    with pytest.raises(ValidationError) as error:
        risk_assessment_record(
            provider=ProviderFactory(), factors=v1_answers(), assessed_on=d(2016, 6, 1), by=OfficerFactory()
        )
    assert "No risk method" in error.value.message_dict["assessed_on"][0]


def test_a_used_method_is_never_changed_or_deleted_but_an_unused_one_may_be(v1, admin):
    risk_assessment_record(provider=ProviderFactory(), factors=v1_answers(), assessed_on=d(2018, 6, 1), by=admin)
    with pytest.raises(RiskMethodInUse):
        risk_method_update(method=v1, by=admin, notes="Rewritten")
    with pytest.raises(RiskMethodInUse):
        risk_method_delete(method=v1, by=admin)
    v1.refresh_from_db()
    assert v1.notes == MATRIX_2017["notes"]

    unused = _v2(admin)
    assert risk_method_update(method=unused, by=admin, notes="Draft notes").notes == "Draft notes"
    risk_method_delete(method=unused, by=admin)
    assert not RiskMethod.objects.filter(pk=unused.pk).exists()


def test_an_officer_may_not_change_or_delete_a_method(v1):
    with pytest.raises(PermissionDenied):
        risk_method_update(method=v1, by=OfficerFactory(), notes="x")
    with pytest.raises(PermissionDenied):
        risk_method_delete(method=v1, by=OfficerFactory())


def test_a_batch_is_scored_by_the_method_in_force_on_each_date(v1, admin):
    v2 = _v2(admin)
    provider = ProviderFactory()
    saved = risk_assessments_record_many(
        assessments=[
            AssessmentEntry(provider=provider, factors=v1_answers(3), assessed_on=d(2019, 1, 1)),
            AssessmentEntry(
                provider=provider, factors={"quality": 0, "market_sustainability": 2}, assessed_on=d(2025, 5, 1)
            ),
        ],
        by=OfficerFactory(),
    )
    assert [(a.method, a.score, a.level) for a in saved] == [(v1, 30, "high"), (v2, 6, "medium")]


def test_a_bad_row_in_a_batch_names_its_position_and_nothing_is_saved(v1):
    with pytest.raises(ValidationError) as error:
        risk_assessments_record_many(
            assessments=[
                AssessmentEntry(provider=ProviderFactory(), factors=v1_answers(), assessed_on=d(2019, 1, 1)),
                AssessmentEntry(provider=ProviderFactory(), factors=v1_answers(), assessed_on=d(2016, 1, 1)),
            ],
            by=OfficerFactory(),
        )
    assert "assessments[1].assessed_on" in json.dumps(error.value.message_dict)
    assert not RiskAssessment.objects.exists()


# --- Overrides -----------------------------------------------------------------------------------------------


def test_an_officer_overrides_the_level_only_with_a_reason(v1):
    assessment = risk_assessment_record(
        provider=ProviderFactory(),
        factors=v1_answers(quality_cqc=2, safeguarding=2),
        assessed_on=d(2018, 6, 1),
        by=OfficerFactory(),
        override_level="high",
        override_reason="New owner has withdrawn funding from the home.",
    )
    assert (assessment.calculated_level, assessment.level, assessment.is_overridden) == ("medium", "high", True)
    with pytest.raises(ValidationError) as error:
        risk_assessment_record(
            provider=ProviderFactory(),
            factors=v1_answers(),
            assessed_on=d(2018, 6, 1),
            by=OfficerFactory(),
            override_level="medium",
            override_reason="  ",
        )
    assert "when the method gives low" in error.value.message_dict["override_reason"][0]
    assert RiskAssessment.objects.count() == 1


def test_an_override_to_the_same_level_keeps_no_reason(v1):
    assessment = risk_assessment_record(
        provider=ProviderFactory(),
        factors=v1_answers(),
        assessed_on=d(2018, 6, 1),
        by=OfficerFactory(),
        override_level="low",
        override_reason="Nothing to override.",
    )
    assert (assessment.is_overridden, assessment.override_reason) == (False, "")


# --- Counts and providers that left the market ---------------------------------------------------------------


def test_month_end_counts_use_the_stored_level_and_leave_out_providers_that_left(v1):
    officer = OfficerFactory()
    staying, leaving = ProviderFactory(), ProviderFactory()
    risk_assessment_record(provider=staying, factors=v1_answers(), assessed_on=d(2018, 4, 2), by=officer)
    risk_assessment_record(provider=leaving, factors=v1_answers(3), assessed_on=d(2018, 4, 3), by=officer)
    provider_record_exit(provider=leaving, exited_on=d(2018, 6, 15), by=officer)

    counts = Provider.objects.risk_counts_by_month_end(d(2018, 4, 1), d(2018, 7, 31))

    assert [(day, c["low"], c["high"]) for day, c in counts.items()] == [
        (d(2018, 4, 30), 1, 1),
        (d(2018, 5, 31), 1, 1),
        (d(2018, 6, 30), 1, 0),
        (d(2018, 7, 31), 1, 0),
    ]
    # The day it left, it no longer counts.
    assert RiskAssessment.objects.counts_on([d(2018, 6, 14), d(2018, 6, 15)]) == {
        d(2018, 6, 14): {"low": 1, "medium": 0, "high": 1},
        d(2018, 6, 15): {"low": 1, "medium": 0, "high": 0},
    }
    on = {p.pk: p.risk_level for p in Provider.objects.risk_level_on(d(2018, 6, 15))}
    assert on == {staying.pk: "low", leaving.pk: None}
    before = {p.pk: p.risk_level for p in Provider.objects.risk_level_on(d(2018, 6, 14))}
    assert before == {staying.pk: "low", leaving.pk: "high"}


def test_an_overridden_level_is_the_one_counted(v1):
    risk_assessment_record(
        provider=ProviderFactory(),
        factors=v1_answers(),
        assessed_on=d(2018, 4, 2),
        by=OfficerFactory(),
        override_level="high",
        override_reason="Owner in financial difficulty.",
    )
    assert RiskAssessment.objects.counts_on([d(2018, 4, 30)])[d(2018, 4, 30)]["high"] == 1
