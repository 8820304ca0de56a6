"""Every write of measures and results: done for those allowed, refused for the wrong role and for another
directorate, refused for bad input with nothing half-saved."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning import roles
from commissioning.periods import FinancialQuarter
from performance import services
from performance.models import Measure, MeasureResult
from tests.factories import MeasureFactory, MeasureResultFactory, OutcomeFactory

from .conftest import user_with_role

pytestmark = pytest.mark.django_db

Q3 = FinancialQuarter(2018, 3)
D = Decimal


def entry(measure, value=None, target=None, commentary=""):
    return services.ResultEntry(
        measure=measure,
        value=None if value is None else D(value),
        target=None if target is None else D(target),
        commentary=commentary,
    )


# --- measure_create ----------------------------------------------------------------------------------------------


def test_a_commissioner_adds_a_measure_to_their_directorates_strategy_and_is_recorded(commissioner, own_strategy):
    outcome = OutcomeFactory(strategy=own_strategy)

    measure = services.measure_create(
        strategy=own_strategy, by=commissioner, name="Carers included", outcome=outcome, unit="percentage"
    )

    assert measure.strategy == own_strategy
    assert measure.outcome == outcome
    assert measure.history.get().history_user == commissioner


def test_an_administrator_adds_a_measure_to_any_directorates_strategy(administrator, foreign_strategy):
    services.measure_create(strategy=foreign_strategy, by=administrator, name="Waiting times")

    assert foreign_strategy.measures.count() == 1


def test_a_commissioner_may_not_add_a_measure_to_another_directorates_strategy(commissioner, foreign_strategy):
    with pytest.raises(PermissionDenied, match="own directorate"):
        services.measure_create(strategy=foreign_strategy, by=commissioner, name="Waiting times")

    assert not Measure.objects.exists()


@pytest.mark.parametrize("role", [roles.CONTRACT_OFFICER, roles.SCRUTINY_MEMBER])
def test_officers_and_councillors_do_not_add_measures(own_strategy, directorate, role):
    user = user_with_role(role, directorate=directorate)

    with pytest.raises(PermissionDenied):
        services.measure_create(strategy=own_strategy, by=user, name="Waiting times")

    assert not Measure.objects.exists()


def test_a_measure_links_only_to_an_outcome_of_its_own_strategy(commissioner, own_strategy, foreign_strategy):
    foreign_outcome = OutcomeFactory(strategy=foreign_strategy)

    with pytest.raises(ValidationError) as refused:
        services.measure_create(strategy=own_strategy, by=commissioner, name="Carers", outcome=foreign_outcome)

    assert refused.value.message_dict["outcome"] == [services.OUTCOME_OF_ANOTHER_STRATEGY]
    assert not Measure.objects.exists()


def test_two_measures_of_a_strategy_may_not_share_a_name_as_imports_find_them_by_name(commissioner, own_strategy):
    MeasureFactory(strategy=own_strategy, name="Carers included")

    with pytest.raises(ValidationError) as refused:
        services.measure_create(strategy=own_strategy, by=commissioner, name=" carers INCLUDED ")

    assert "already has a measure called" in refused.value.message_dict["name"][0]
    assert own_strategy.measures.count() == 1


def test_a_measure_breaking_the_models_own_rules_is_refused_by_field(commissioner, own_strategy):
    with pytest.raises(ValidationError) as refused:
        services.measure_create(strategy=own_strategy, by=commissioner, name="Carers", decimal_places=9, unit="miles")

    assert set(refused.value.message_dict) == {"decimal_places", "unit"}
    assert not Measure.objects.exists()


# --- measure_update ----------------------------------------------------------------------------------------------


def test_a_commissioner_changes_their_directorates_measure_and_is_recorded(commissioner, own_strategy):
    measure = MeasureFactory(strategy=own_strategy)

    services.measure_update(measure=measure, by=commissioner, polarity="lower", name="Delayed transfers")

    measure.refresh_from_db()
    assert (measure.polarity, measure.name) == ("lower", "Delayed transfers")
    assert measure.history.first().history_user == commissioner


def test_a_commissioner_may_not_change_another_directorates_measure(commissioner, foreign_strategy):
    measure = MeasureFactory(strategy=foreign_strategy, polarity="higher")

    with pytest.raises(PermissionDenied):
        services.measure_update(measure=measure, by=commissioner, polarity="lower")

    measure.refresh_from_db()
    assert measure.polarity == "higher"


def test_the_directorate_asked_about_is_the_stored_one_not_the_callers_copy(
    commissioner, own_strategy, foreign_strategy
):
    measure = MeasureFactory(strategy=foreign_strategy)
    measure.strategy = own_strategy  # a stale or doctored copy

    with pytest.raises(PermissionDenied):
        services.measure_update(measure=measure, by=commissioner, name="Taken over")

    assert Measure.objects.get(pk=measure.pk).strategy == foreign_strategy


def test_a_contract_officer_does_not_change_measures(contract_officer, own_strategy):
    with pytest.raises(PermissionDenied):
        services.measure_update(measure=MeasureFactory(strategy=own_strategy), by=contract_officer, name="X")


def test_a_change_breaking_a_rule_changes_nothing(commissioner, own_strategy):
    MeasureFactory(strategy=own_strategy, name="Carers included")
    measure = MeasureFactory(strategy=own_strategy, name="Carers supported", polarity="higher")

    with pytest.raises(ValidationError) as refused:
        services.measure_update(measure=measure, by=commissioner, name="Carers included", polarity="lower")

    assert "name" in refused.value.message_dict
    measure.refresh_from_db()
    assert (measure.name, measure.polarity) == ("Carers supported", "higher")


def test_a_measure_keeps_its_own_name_when_changed(commissioner, own_strategy):
    measure = MeasureFactory(strategy=own_strategy, name="Carers included")

    services.measure_update(measure=measure, by=commissioner, name="Carers included", order=3)

    assert Measure.objects.get(pk=measure.pk).order == 3


# --- results_save (the grid) -------------------------------------------------------------------------------------


def test_a_quarters_results_are_saved_together_recording_who_and_when(contract_officer, own_strategy):
    included = MeasureFactory(strategy=own_strategy)
    reviewed = MeasureFactory(strategy=own_strategy, is_targeted=False)
    blank = MeasureFactory(strategy=own_strategy)

    saved = services.results_save(
        period=Q3,
        entries=[entry(included, "66.7", "60", " On track "), entry(reviewed, "84.8"), entry(blank)],
        by=contract_officer,
    )

    assert [r.measure for r in saved] == [included, reviewed]  # nothing entered, nothing stored: skipped
    stored = MeasureResult.objects.get(measure=included)
    assert (stored.value, stored.commentary, stored.status) == (D("66.7"), "On track", "achieved")
    assert stored.entered_by == contract_officer
    assert stored.entered_at is not None
    assert stored.history.get().history_user == contract_officer


def test_saving_a_row_unchanged_keeps_who_entered_it(commissioner, contract_officer, own_strategy):
    measure = MeasureFactory(strategy=own_strategy)
    services.results_save(period=Q3, entries=[entry(measure, "66.7", "60")], by=contract_officer)

    services.results_save(period=Q3, entries=[entry(measure, "66.70", "60.0")], by=commissioner)

    assert MeasureResult.objects.get().entered_by == contract_officer


def test_a_grid_with_one_bad_row_saves_none(commissioner, own_strategy):
    included = MeasureFactory(strategy=own_strategy, name="Carers included")
    supported = MeasureFactory(strategy=own_strategy, name="Carers supported", unit="count")
    MeasureResultFactory(measure=supported, year=2018, quarter=3, value=D("5"))

    with pytest.raises(services.ResultsInvalid) as refused:
        services.results_save(
            period=Q3, entries=[entry(included, "66.7", "60"), entry(supported, "-1")], by=commissioner
        )

    assert refused.value.errors == {supported.pk: {"value": "Enter a value for 'Carers supported' of 0 or more."}}
    assert not MeasureResult.objects.filter(measure=included).exists()
    assert MeasureResult.objects.get(measure=supported).value == D("5")


def test_a_commissioner_may_not_enter_another_directorates_results(commissioner, own_strategy, foreign_strategy):
    own, foreign = MeasureFactory(strategy=own_strategy), MeasureFactory(strategy=foreign_strategy)

    with pytest.raises(PermissionDenied):
        services.results_save(period=Q3, entries=[entry(own, "50"), entry(foreign, "50")], by=commissioner)

    assert not MeasureResult.objects.exists()


def test_a_councillor_enters_no_results(scrutiny_member, own_strategy):
    with pytest.raises(PermissionDenied):
        services.results_save(
            period=Q3, entries=[entry(MeasureFactory(strategy=own_strategy), "50")], by=scrutiny_member
        )


def test_a_contract_officer_tied_to_a_directorate_enters_only_its_results(
    directorate_officer, own_strategy, foreign_strategy
):
    """The core's rule binds everyone tied to a directorate; only administrators and staff of no directorate
    act for the whole council (tests/security/expectations.py: the matrix's officer has no directorate)."""
    theirs = MeasureFactory(strategy=foreign_strategy)  # the officer's own directorate, Children's Services

    services.results_save(period=Q3, entries=[entry(theirs, "50")], by=directorate_officer)
    with pytest.raises(PermissionDenied):
        services.results_save(
            period=Q3, entries=[entry(MeasureFactory(strategy=own_strategy), "50")], by=directorate_officer
        )

    assert list(MeasureResult.objects.values_list("measure", flat=True)) == [theirs.pk]


def test_a_quarter_outside_the_years_recorded_is_refused_by_field(administrator, own_strategy):
    measure = MeasureFactory(strategy=own_strategy)

    with pytest.raises(services.ResultsInvalid) as refused:
        services.results_save(period=FinancialQuarter(1999, 4), entries=[entry(measure, "50")], by=administrator)

    assert "year" in refused.value.errors[measure.pk]
    assert not MeasureResult.objects.exists()


# --- result_save and result_update (one result: the API) ---------------------------------------------------------


def test_one_result_is_entered_and_entering_its_quarter_again_replaces_it(commissioner, own_strategy):
    measure = MeasureFactory(strategy=own_strategy)

    first = services.result_save(measure=measure, period=Q3, by=commissioner, value=D("50"), target=D("60"))
    again = services.result_save(measure=measure, period=Q3, by=commissioner, value=D("65"), target=D("60"))

    assert first.pk == again.pk
    assert MeasureResult.objects.get().value == D("65")


def test_one_result_breaking_a_rule_is_refused_by_field_with_the_grids_words(commissioner, own_strategy):
    measure = MeasureFactory(strategy=own_strategy, name="Carers included")

    with pytest.raises(ValidationError) as refused:
        services.result_save(measure=measure, period=Q3, by=commissioner, value=D("120"))

    assert refused.value.message_dict == {
        "value": ["Enter a value for 'Carers included' between 0 and 100 (it is a percentage)."]
    }
    assert not MeasureResult.objects.exists()


def test_one_result_with_nothing_in_it_is_refused(commissioner, own_strategy):
    with pytest.raises(ValidationError, match="Enter a value, a target or a commentary"):
        services.result_save(measure=MeasureFactory(strategy=own_strategy), period=Q3, by=commissioner)


def test_one_result_of_another_directorate_is_refused(commissioner, foreign_strategy):
    with pytest.raises(PermissionDenied):
        services.result_save(
            measure=MeasureFactory(strategy=foreign_strategy), period=Q3, by=commissioner, value=D("50")
        )
    assert not MeasureResult.objects.exists()


def test_a_result_is_corrected_keeping_what_the_correction_leaves_out(commissioner, contract_officer, own_strategy):
    result = MeasureResultFactory(measure=MeasureFactory(strategy=own_strategy), value=D("50"), target=D("60"))

    services.result_update(result=result, by=contract_officer, commentary="Provisional")

    result.refresh_from_db()
    assert (result.value, result.target, result.commentary) == (D("50"), D("60"), "Provisional")
    assert result.entered_by == contract_officer


def test_a_correction_of_another_directorates_result_is_refused(commissioner, foreign_strategy):
    result = MeasureResultFactory(measure=MeasureFactory(strategy=foreign_strategy), value=D("50"))

    with pytest.raises(PermissionDenied):
        services.result_update(result=result, by=commissioner, value=D("10"))

    result.refresh_from_db()
    assert result.value == D("50")


def test_a_correction_breaking_a_rule_changes_nothing(commissioner, own_strategy):
    result = MeasureResultFactory(measure=MeasureFactory(strategy=own_strategy, is_targeted=False), target=None)

    with pytest.raises(ValidationError) as refused:
        services.result_update(result=result, by=commissioner, target=D("10"), commentary="Target set")

    assert "measured only" in refused.value.message_dict["target"][0]
    result.refresh_from_db()
    assert (result.target, result.commentary) == (None, "")


# --- results_save_many (the import) ------------------------------------------------------------------------------


def test_an_import_saves_every_quarter_at_once(commissioner, own_strategy):
    measure = MeasureFactory(strategy=own_strategy)

    count = services.results_save_many(
        rows=[(Q3, entry(measure, "50")), (Q3.previous(), entry(measure, "40"))], by=commissioner
    )

    assert count == 2
    assert MeasureResult.objects.filter(entered_by=commissioner).count() == 2


def test_an_import_with_one_row_of_another_directorate_saves_nothing(commissioner, own_strategy, foreign_strategy):
    own, foreign = MeasureFactory(strategy=own_strategy), MeasureFactory(strategy=foreign_strategy)

    with pytest.raises(PermissionDenied):
        services.results_save_many(
            rows=[(Q3.previous(), entry(own, "50")), (Q3, entry(foreign, "50"))], by=commissioner
        )

    assert not MeasureResult.objects.exists()


def test_an_import_made_for_nobody_is_refused(own_strategy):
    with pytest.raises(PermissionDenied, match="named person"):
        services.results_save_many(rows=[(Q3, entry(MeasureFactory(strategy=own_strategy), "50"))], by=None)
    assert not MeasureResult.objects.exists()
