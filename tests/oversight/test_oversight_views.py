import datetime

import pytest
from django.urls import reverse

from commissioning import roles
from oversight.models import Concern, EscalationStep, Sanction, Visit
from tests.factories import (
    ActionPlanFactory,
    ConcernFactory,
    ContractFactory,
    EscalationStepFactory,
    HighRiskAssessmentFactory,
    LocationFactory,
    PlanActionFactory,
    ProviderFactory,
    SanctionFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db
d = datetime.date


@pytest.fixture
def provider():
    return ProviderFactory(name="Willow Care Ltd")


LISTS = [
    "oversight:visits",
    "oversight:concerns",
    "oversight:sanctions",
    "oversight:action_plans",
    "oversight:escalation",
]
ADD_FORMS = ["oversight:visit_add", "oversight:concern_add", "oversight:sanction_add", "oversight:action_plan_add"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.COMMISSIONER, 200),
        (roles.CONTRACT_OFFICER, 200),
        (roles.ADMINISTRATOR, 200),
        (roles.SCRUTINY_MEMBER, 403),
    ],
)
def test_who_can_see_officer_lists(client_for_role, name, role, status):
    assert client_for_role(role).get(reverse(name)).status_code == status


@pytest.mark.parametrize("name", ADD_FORMS)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.COMMISSIONER, 403),
        (roles.CONTRACT_OFFICER, 200),
        (roles.ADMINISTRATOR, 200),
        (roles.SCRUTINY_MEMBER, 403),
    ],
)
def test_only_officers_and_administrators_log_what_they_see(client_for_role, provider, name, role, status):
    assert client_for_role(role).get(reverse(name), {"provider": provider.pk}).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.COMMISSIONER, 403),
        (roles.CONTRACT_OFFICER, 200),
        (roles.ADMINISTRATOR, 200),
        (roles.SCRUTINY_MEMBER, 403),
    ],
)
def test_who_can_close_concerns_lift_sanctions_and_escalate(client_for_role, role, status):
    client = client_for_role(role)
    assert client.get(reverse("oversight:concern_close", args=[ConcernFactory().pk])).status_code == status
    assert client.get(reverse("oversight:sanction_lift", args=[SanctionFactory().pk])).status_code == status
    assert client.get(reverse("oversight:escalation_step_add", args=[ActionPlanFactory().pk])).status_code == status


def test_visit_form_without_a_provider_asks_for_one_first(client_as_officer, provider):
    text = client_as_officer.get(reverse("oversight:visit_add")).text
    assert "Choose a provider" in text
    assert "Willow Care Ltd" in text


def test_visit_form_is_built_for_a_phone(client_as_officer, provider):
    text = client_as_officer.get(reverse("oversight:visit_add"), {"provider": provider.pk}).text
    assert 'name="viewport"' in text
    assert "govuk-grid-column-two-thirds" in text  # one column; full width below the tablet breakpoint
    assert text.count('inputmode="numeric"') == 3  # day, month, year bring up the number pad
    assert "govuk-date-input" in text
    assert 'type="radio"' in text
    assert "Unannounced" in text
    assert "Reactive" in text
    assert "style=" not in text
    assert "<style" not in text


def test_officer_records_a_visit_on_site(client_as_officer, contract_officer, provider):
    location = LocationFactory(provider=provider)
    response = client_as_officer.post(
        reverse("oversight:visit_add") + f"?provider={provider.pk}",
        {
            "visited_on_0": "12",
            "visited_on_1": "9",
            "visited_on_2": "2018",
            "kind": "unannounced",
            "location": location.pk,
            "officer": contract_officer.pk,
            "findings": "Residents engaged in activities.",
            "environment": "good",
            "complaints_feedback": "low",
            "follow_up_actions": "Check training records next visit.",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.visited_on, visit.kind, visit.officer, visit.location) == (
        d(2018, 9, 12),
        "unannounced",
        contract_officer,
        location,
    )


def test_visit_form_errors_name_the_field(client_as_officer, provider):
    response = client_as_officer.post(
        reverse("oversight:visit_add") + f"?provider={provider.pk}",
        {"visited_on_0": "12", "visited_on_1": "", "visited_on_2": "2018"},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Enter the date of visit as day, month and year" in response.text
    assert "Select a valid choice" not in response.text
    assert not Visit.objects.exists()


def test_closing_a_concern_before_it_was_raised_is_refused_on_the_page(client_as_officer):
    concern = ConcernFactory(raised_on=d(2018, 9, 1))
    response = client_as_officer.post(
        reverse("oversight:concern_close", args=[concern.pk]),
        {"closed_on_0": "31", "closed_on_1": "8", "closed_on_2": "2018", "outcome": "Resolved."},
    )
    assert "The date closed must be on or after the date raised (01/09/2018)." in response.text
    concern.refresh_from_db()
    assert concern.status == Concern.Status.OPEN


def test_recording_a_concern_and_a_sanction(client_as_officer, provider):
    url = reverse("oversight:concern_add") + f"?provider={provider.pk}"
    response = client_as_officer.post(
        url,
        {
            "kind": "serious_incident",
            "raised_on_0": "1",
            "raised_on_1": "9",
            "raised_on_2": "2018",
            "severity": "high",
            "summary": "Fall resulting in hospital admission.",
        },
    )
    assert response.status_code == 302
    assert Concern.objects.get().kind == "serious_incident"
    response = client_as_officer.post(
        reverse("oversight:sanction_add") + f"?provider={provider.pk}",
        {
            "kind": "suspension",
            "issued_on_0": "1",
            "issued_on_1": "10",
            "issued_on_2": "2018",
            "reason": "Serious concerns about safety.",
        },
    )
    assert response.status_code == 302
    assert Sanction.objects.get().kind == "suspension"


def test_escalation_page_lists_overdue_plans_with_steps(client_as_officer, provider):
    plan = ActionPlanFactory(provider=provider, title="Staffing plan", agreed_on=d(2018, 1, 1))
    HighRiskAssessmentFactory(provider=provider, assessed_on=d(2018, 1, 1))
    EscalationStepFactory(plan=plan, step="senior_meeting", taken_on=d(2018, 5, 1))
    text = client_as_officer.get(reverse("oversight:escalation")).text
    assert "Staffing plan" in text
    assert "Meeting with provider&#x27;s senior management" in text


def test_recording_an_escalation_step(client_as_officer, provider):
    plan = ActionPlanFactory(provider=provider, agreed_on=d(2018, 1, 1))
    response = client_as_officer.post(
        reverse("oversight:escalation_step_add", args=[plan.pk]),
        {"step": "default_notice", "taken_on_0": "2", "taken_on_1": "5", "taken_on_2": "2018", "note": "Issued."},
    )
    assert response.status_code == 302
    assert EscalationStep.objects.get().step == "default_notice"


def test_visits_list_filters_by_dates_and_kind(client_as_officer):
    VisitFactory(visited_on=d(2018, 5, 1), kind="planned", provider__name="Early Ltd")
    VisitFactory(visited_on=d(2018, 9, 1), kind="reactive", provider__name="Reactive Ltd")
    VisitFactory(visited_on=d(2018, 9, 1), kind="planned", provider__name="Planned Ltd")
    text = client_as_officer.get(
        reverse("oversight:visits"), {"from": "2018-06-01", "to": "2018-12-31", "kind": "reactive"}
    ).text
    assert "Reactive Ltd" in text
    assert "Early Ltd" not in text
    assert "Planned Ltd" not in text


def test_a_from_date_after_the_to_date_is_explained(client_as_officer):
    response = client_as_officer.get(reverse("oversight:concerns"), {"from": "2018-12-01", "to": "2018-01-01"})
    assert "The &#x27;to&#x27; date must be on or after the &#x27;from&#x27; date" in response.text


@pytest.mark.parametrize("size", [5, 50])
def test_officer_lists_run_constant_queries(client_as_officer, django_assert_max_num_queries, size):
    for _n in range(size):
        provider = ProviderFactory()
        location = LocationFactory(provider=provider)
        HighRiskAssessmentFactory(provider=provider, assessed_on=d(2018, 1, 1))
        VisitFactory(provider=provider, location=location)
        ConcernFactory(provider=provider, location=location)
        SanctionFactory(provider=provider, location=location)
        plan = ActionPlanFactory(provider=provider, location=location, agreed_on=d(2018, 1, 1))
        PlanActionFactory(plan=plan)
        EscalationStepFactory(plan=plan)
    for name in LISTS:
        with django_assert_max_num_queries(11):
            assert client_as_officer.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ADD_FORMS)
def test_arriving_from_a_contract_page_chooses_that_contract(client_as_officer, name):
    contract = ContractFactory(reference="CON-07731")
    response = client_as_officer.get(reverse(name), {"provider": contract.lead_provider_id, "contract": contract.pk})
    assert response.status_code == 200
    assert response.context["form"]["contract"].value() == contract.pk
    assert f'<option value="{contract.pk}" selected>' in response.text
