"""Each provider service: what it writes (with who did it), who it refuses, and bad input refused with
nothing half-saved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from providers import services
from providers.models import CqcRating, Location, Provider, RiskAssessment
from tests.factories import CqcRatingFactory, LocationFactory, ProviderFactory
from tests.providers.factories import CommissionerFactory, OfficerFactory
from tests.providers.risk_factories import V1_CODES, method_v1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _risk_method_v1(db):
    """Assessments are scored by the risk method in force: version 1 (the providers migration's)."""
    return method_v1()


d = datetime.date


@pytest.fixture
def officer():
    return OfficerFactory()


def _scores(value: int = 0) -> dict[str, int]:
    return dict.fromkeys(V1_CODES, value)


def _rows() -> tuple[int, ...]:
    return tuple(
        count
        for model in (Provider, Location, CqcRating, RiskAssessment)
        for count in (model.objects.count(), model.history.count())
    )


# --- Providers and locations --------------------------------------------------------------------------------


def test_an_officer_adds_a_provider_and_is_recorded_as_having_done_it(officer):
    provider = services.provider_create(by=officer, name="Fosse Healthcare", companies_house_number="04567890")

    assert provider.history.get().history_user == officer
    assert Provider.objects.get().companies_house_number == "04567890"


def test_a_commissioner_may_not_add_or_change_a_provider():
    commissioner = CommissionerFactory()
    provider = ProviderFactory(name="Fosse Healthcare")
    before = _rows()

    with pytest.raises(PermissionDenied):
        services.provider_create(by=commissioner, name="Another Care Ltd")
    with pytest.raises(PermissionDenied):
        services.provider_update(provider=provider, by=commissioner, name="Renamed")

    assert _rows() == before
    provider.refresh_from_db()
    assert provider.name == "Fosse Healthcare"


def test_a_provider_needs_a_name_and_nothing_is_saved_without_one(officer):
    before = _rows()
    with pytest.raises(ValidationError) as error:
        services.provider_create(by=officer, name="  ")

    assert error.value.message_dict["name"] == ["Enter the provider's name."]
    assert _rows() == before


def test_a_providers_details_change_with_their_history(officer):
    provider = ProviderFactory(name="Allied Healthcare")

    services.provider_update(provider=provider, by=officer, status=Provider.Status.IN_ADMINISTRATION)

    provider.refresh_from_db()
    assert provider.status == "in_administration"
    assert provider.history.first().history_user == officer


def test_an_unknown_field_is_a_programming_error_not_a_quiet_no_op(officer):
    with pytest.raises(TypeError, match="Not provider fields"):
        services.provider_update(provider=ProviderFactory(), by=officer, colour="blue")


def test_a_cqc_location_id_may_be_used_only_once(officer):
    LocationFactory(cqc_location_id="1-111")
    provider = ProviderFactory()
    before = _rows()

    with pytest.raises(ValidationError) as error:
        services.location_create(provider=provider, by=officer, name="Meadows Edge", cqc_location_id="1-111")

    assert error.value.message_dict
    assert _rows() == before


def test_an_officer_adds_and_changes_a_location(officer):
    provider = ProviderFactory()
    location = services.location_create(provider=provider, by=officer, name="Meadows Edge", beds=40)

    services.location_update(location=location, by=officer, beds=42)

    location.refresh_from_db()
    assert (location.provider, location.beds) == (provider, 42)
    assert location.history.first().history_user == officer


def test_a_commissioner_may_not_add_a_location():
    with pytest.raises(PermissionDenied):
        services.location_create(provider=ProviderFactory(), by=CommissionerFactory(), name="Meadows Edge")
    assert not Location.objects.exists()


# --- CQC ratings --------------------------------------------------------------------------------------------


MARCH_2019 = d(2019, 3, 1)


def _entry(location, published_on=MARCH_2019, **ratings):
    return services.RatingEntry(location=location, published_on=published_on, ratings={"overall": "good", **ratings})


def test_ratings_are_recorded_updated_on_the_same_day_and_a_drop_is_reported(officer):
    home = LocationFactory()
    CqcRatingFactory(location=home, overall="good", published_on=d(2017, 3, 1))

    done = services.cqc_ratings_record(
        entries=[_entry(home, overall="requires_improvement")], by=officer, today=d(2019, 6, 1)
    )
    again = services.cqc_ratings_record(entries=[_entry(home, overall="inadequate")], by=officer, today=d(2019, 6, 1))

    assert (done.created, done.updated, done.unchanged) == (1, 0, 0)
    assert [(drop.previous, drop.new) for drop in done.drops] == [("good", "requires_improvement")]
    assert (again.created, again.updated) == (0, 1)
    latest = home.cqc_ratings.order_by("-published_on").first()
    assert (latest.overall, latest.history.first().history_user) == ("inadequate", officer)


def test_a_commissioner_may_not_record_ratings():
    with pytest.raises(PermissionDenied):
        services.cqc_ratings_record(entries=[_entry(LocationFactory())], by=CommissionerFactory())
    assert not CqcRating.objects.exists()


def test_one_bad_rating_saves_none_of_them(officer):
    good, bad = LocationFactory(), LocationFactory()

    done = services.cqc_ratings_record(
        entries=[_entry(good), _entry(bad, safe="brilliant"), _entry(bad, d(2030, 1, 1))],
        by=officer,
        today=d(2019, 6, 1),
    )

    assert set(done.problems) == {1, 2}
    assert done.problems[1].message_dict["safe"] == ["'brilliant' is not a CQC rating."]
    assert "published_on" in done.problems[2].message_dict
    assert not CqcRating.objects.exists()


# --- Risk assessments ---------------------------------------------------------------------------------------


def test_an_assessment_is_scored_by_the_matrix_and_recorded_with_who_made_it(officer):
    provider = ProviderFactory()

    assessment = services.risk_assessment_record(
        provider=provider, factors=_scores(3), assessed_on=d(2018, 6, 1), by=officer
    )

    assert (assessment.level, assessment.assessed_by) == ("high", officer)
    assert assessment.history.get().history_user == officer


def test_a_commissioner_may_not_assess_a_providers_risk():
    with pytest.raises(PermissionDenied):
        services.risk_assessment_record(
            provider=ProviderFactory(), factors=_scores(), assessed_on=d(2018, 6, 1), by=CommissionerFactory()
        )
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"factors": {"quality_cqc": 3}}, "factors"),
        ({"assessed_on": d(2100, 1, 1)}, "assessed_on"),
        ({"override_level": "high"}, "override_reason"),
        ({"override_level": "purple", "override_reason": "Because."}, "override_level"),
    ],
)
def test_a_bad_assessment_is_refused_naming_the_field_and_nothing_is_saved(officer, changes, field):
    arguments = {"provider": ProviderFactory(), "factors": _scores(), "assessed_on": d(2018, 6, 1), **changes}
    before = _rows()

    with pytest.raises(ValidationError) as error:
        services.risk_assessment_record(by=officer, **arguments)

    assert field in error.value.message_dict
    assert _rows() == before


# --- Batches (imports, the demo volume) ---------------------------------------------------------------------


def _history(model) -> list[tuple]:
    """What each history row says, without ids and times: the record's own fields and who made the change."""
    skip = {"id", "created_at", "updated_at", "history_id", "history_date", "history_change_reason", "provider"}
    fields = [f.attname for f in model.history.model._meta.concrete_fields if f.name not in skip]
    return sorted(model.history.values_list(*fields))


def test_a_batch_of_providers_is_saved_with_the_history_one_at_a_time_would_write(officer):
    services.provider_create(by=officer, name="Fosse Healthcare", companies_house_number="04567890")
    one_at_a_time = _history(Provider)
    Provider.objects.all().delete()  # deleting writes a history row of its own, so the history goes after
    Provider.history.all().delete()

    saved = services.providers_register_many(
        providers=[{"name": "Fosse Healthcare", "companies_house_number": "04567890"}], by=officer
    )

    assert [p.pk for p in saved] == list(Provider.objects.values_list("pk", flat=True))
    assert _history(Provider) == one_at_a_time


def test_a_batch_with_a_provider_without_a_name_names_the_row_and_saves_none(officer):
    before = _rows()
    with pytest.raises(ValidationError) as error:
        services.providers_register_many(providers=[{"name": "Fosse Healthcare"}, {"name": " "}], by=officer)

    assert error.value.message_dict == {"providers[1].name": ["Enter the provider's name."]}
    assert _rows() == before


def test_a_commissioner_may_not_register_a_batch_of_providers_or_locations():
    commissioner = CommissionerFactory()
    provider = ProviderFactory()
    before = _rows()

    with pytest.raises(PermissionDenied):
        services.providers_register_many(providers=[{"name": "Another Care Ltd"}], by=commissioner)
    with pytest.raises(PermissionDenied):
        services.locations_register_many(locations=[(provider, {"name": "Meadows Edge"})], by=commissioner)
    assert _rows() == before


def test_an_import_with_no_user_named_registers_as_the_system():
    [provider] = services.providers_register_many(providers=[{"name": "Fosse Healthcare"}], by=None)

    assert provider.history.get().history_user is None


def test_a_batch_of_locations_is_saved_with_its_history(officer):
    provider = ProviderFactory()

    saved = services.locations_register_many(
        locations=[(provider, {"name": "Meadows Edge", "beds": 40}), (provider, {"name": "Field House"})], by=officer
    )

    assert [(loc.name, loc.provider, loc.beds) for loc in saved] == [
        ("Meadows Edge", provider, 40),
        ("Field House", provider, None),
    ]
    assert Location.history.filter(history_type="+", history_user=officer).count() == 2


@pytest.mark.parametrize("taken", ["on the register", "earlier in the batch"])
def test_a_batch_may_not_use_a_cqc_location_id_twice(officer, taken):
    provider = ProviderFactory()
    if taken == "on the register":
        LocationFactory(cqc_location_id="1-111")
    rows = [(provider, {"name": "Meadows Edge", "cqc_location_id": "1-222"})]
    if taken == "earlier in the batch":
        rows.append((provider, {"name": "Field House", "cqc_location_id": "1-111"}))
    rows.append((provider, {"name": "Bank House", "cqc_location_id": "1-111"}))
    before = _rows()

    with pytest.raises(ValidationError) as error:
        services.locations_register_many(locations=rows, by=officer)

    assert list(error.value.message_dict) == [f"locations[{len(rows) - 1}].cqc_location_id"]
    assert _rows() == before


def test_a_batch_of_assessments_is_scored_by_the_matrix_with_who_assessed(officer):
    provider = ProviderFactory()
    other = OfficerFactory()

    services.risk_assessment_record(provider=provider, factors=_scores(3), assessed_on=d(2018, 6, 1), by=officer)
    one_at_a_time = _history(RiskAssessment)
    RiskAssessment.objects.all().delete()
    RiskAssessment.history.all().delete()
    saved = services.risk_assessments_record_many(
        assessments=[
            services.AssessmentEntry(provider=provider, factors=_scores(3), assessed_on=d(2018, 6, 1)),
            services.AssessmentEntry(
                provider=provider, factors=_scores(0), assessed_on=d(2018, 7, 1), assessed_by=other
            ),
        ],
        by=officer,
    )

    assert [(a.level, a.score, a.assessed_by) for a in saved] == [("high", 30, officer), ("low", 0, other)]
    assert one_at_a_time[0] in _history(RiskAssessment)


def test_a_batch_with_a_badly_scored_assessment_names_the_row_and_saves_none(officer):
    provider = ProviderFactory()
    before = _rows()

    with pytest.raises(ValidationError) as error:
        services.risk_assessments_record_many(
            assessments=[
                services.AssessmentEntry(provider=provider, factors=_scores(), assessed_on=d(2018, 6, 1)),
                services.AssessmentEntry(provider=provider, factors=_scores(), assessed_on=d(2100, 1, 1)),
                services.AssessmentEntry(
                    provider=provider, factors=_scores(), assessed_on=d(2018, 6, 1), override_level="high"
                ),
            ],
            by=officer,
        )

    assert set(error.value.message_dict) == {"assessments[1].assessed_on", "assessments[2].override_reason"}
    assert _rows() == before


def test_a_commissioner_may_not_record_a_batch_of_assessments():
    entry = services.AssessmentEntry(provider=ProviderFactory(), factors=_scores(), assessed_on=d(2018, 6, 1))
    with pytest.raises(PermissionDenied):
        services.risk_assessments_record_many(assessments=[entry], by=CommissionerFactory())
    assert not RiskAssessment.objects.exists()


def test_a_ratings_file_is_written_in_bulk_with_a_history_row_for_each(officer):
    homes = [LocationFactory() for _ in range(3)]

    done = services.cqc_ratings_record(entries=[_entry(home) for home in homes], by=officer, today=d(2019, 6, 1))

    assert done.created == 3
    assert CqcRating.history.filter(history_type="+", history_user=officer).count() == 3
