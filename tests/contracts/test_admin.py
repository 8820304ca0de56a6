"""The admin of the register's apps: contracts, ratings, assessments and oversight records are shown, not
edited (their pages and services do that); providers, locations and pooled budgets are added and changed
through the services, with who did it recorded and the services' rules applied."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import PooledBudget
from providers.models import Location, Provider
from tests.factories import (
    ConcernFactory,
    ContractFactory,
    CqcRatingFactory,
    RiskAssessmentFactory,
    StrategyFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        ("contracts_contract", ContractFactory),
        ("providers_cqcrating", CqcRatingFactory),
        ("providers_riskassessment", RiskAssessmentFactory),
        ("oversight_visit", VisitFactory),
        ("oversight_concern", ConcernFactory),
    ],
)
def test_records_kept_by_their_pages_are_shown_but_not_edited_in_the_admin(client_as_admin, model, factory):
    record = factory()

    assert client_as_admin.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert client_as_admin.get(reverse(f"admin:{model}_change", args=[record.pk])).status_code == 200
    assert client_as_admin.post(reverse(f"admin:{model}_change", args=[record.pk]), {}).status_code == 403
    assert client_as_admin.get(reverse(f"admin:{model}_add")).status_code == 403
    assert client_as_admin.get(reverse(f"admin:{model}_delete", args=[record.pk])).status_code == 403


def _budget(strategy, **overrides) -> dict:
    data = {
        "name": "Learning disability pooled budget",
        "strategy": strategy.pk,
        "arrangement_type": "section_75",
        "partner": "Lincolnshire Clinical Commissioning Groups",
        "total_value": "1000000.00",
        "partner_contribution": "400000.00",
        "description": "",
    }
    return data | overrides


def test_a_pooled_budget_added_in_the_admin_goes_through_its_service(client_as_admin, administrator):
    response = client_as_admin.post(reverse("admin:contracts_pooledbudget_add"), _budget(StrategyFactory()))

    assert response.status_code == 302
    budget = PooledBudget.objects.get()
    assert budget.council_contribution == Decimal("600000.00")
    assert budget.history.get().history_user == administrator


def test_the_admin_shows_a_services_refusal_and_saves_nothing(client_as_admin):
    url = reverse("admin:contracts_pooledbudget_add")
    response = client_as_admin.post(url, _budget(StrategyFactory(), partner_contribution="2000000.00"), follow=True)

    assert "Not saved: The partner&#x27;s contribution cannot be more than the total value." in response.text
    assert not PooledBudget.objects.exists()


def test_providers_and_locations_are_added_and_changed_through_their_services(client_as_admin, administrator):
    response = client_as_admin.post(
        reverse("admin:providers_provider_add"),
        {
            "name": "Fosse Healthcare",
            "status": "active",
            "locations-TOTAL_FORMS": "0",
            "locations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content
    provider = Provider.objects.get()
    assert provider.history.get().history_user == administrator

    response = client_as_admin.post(
        reverse("admin:providers_location_add"),
        {"provider": provider.pk, "name": "Meadows Edge", "setting_type": "care_home", "in_county": "on"},
    )
    assert response.status_code == 302, response.content
    location = Location.objects.get()
    response = client_as_admin.post(
        reverse("admin:providers_location_change", args=[location.pk]),
        {"name": "Meadows Edge House", "setting_type": "care_home", "in_county": "on", "beds": "40"},
    )
    assert response.status_code == 302, response.content
    location.refresh_from_db()
    assert (location.name, location.beds, location.provider) == ("Meadows Edge House", 40, provider)
    assert location.history.first().history_user == administrator


def test_nothing_is_deleted_in_the_admin(client_as_admin):
    provider = Provider.objects.create(name="Fosse Healthcare")
    assert client_as_admin.get(reverse("admin:providers_provider_delete", args=[provider.pk])).status_code == 403
