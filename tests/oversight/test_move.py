"""What moving oversight out of contracts must not break: old addresses, permissions, tables, the API."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from oversight.models import ActionPlan, Concern, EscalationStep, PlanAction, Sanction, Visit
from tests.factories import ActionPlanFactory, ConcernFactory, PlanActionFactory, SanctionFactory

pytestmark = pytest.mark.django_db

MODELS = (Visit, Concern, Sanction, ActionPlan, PlanAction, EscalationStep)

# Old address under /contracts/ -> the page's name under oversight (and the object its pk names, if any).
OLD_ADDRESSES = [
    ("visits/", "oversight:visits", None),
    ("visits/new/", "oversight:visit_add", None),
    ("concerns/", "oversight:concerns", None),
    ("concerns/new/", "oversight:concern_add", None),
    ("concerns/{pk}/close/", "oversight:concern_close", ConcernFactory),
    ("sanctions/", "oversight:sanctions", None),
    ("sanctions/new/", "oversight:sanction_add", None),
    ("sanctions/{pk}/lift/", "oversight:sanction_lift", SanctionFactory),
    ("action-plans/", "oversight:action_plans", None),
    ("action-plans/new/", "oversight:action_plan_add", None),
    ("action-plans/{pk}/", "oversight:action_plan", ActionPlanFactory),
    ("action-plans/{pk}/actions/new/", "oversight:action_add", ActionPlanFactory),
    ("action-plans/actions/{pk}/done/", "oversight:action_complete", PlanActionFactory),
    ("action-plans/{pk}/escalation/new/", "oversight:escalation_step_add", ActionPlanFactory),
    ("escalation/", "oversight:escalation", None),
    ("statistics/", "oversight:statistics", None),
]


@pytest.mark.parametrize(("old", "name", "factory"), OLD_ADDRESSES)
def test_old_contracts_addresses_redirect_permanently_to_oversight(client_as_officer, old, name, factory):
    args = []
    if factory is not None:
        args = [factory().pk]
        old = old.format(pk=args[0])
    response = client_as_officer.get(f"/contracts/{old}?from=2018-04-01&kind=planned")
    new = reverse(name, args=args)
    assert new.startswith("/oversight/")
    assert response.status_code == 301
    assert response["Location"] == f"{new}?from=2018-04-01&kind=planned"
    assert client_as_officer.get(response["Location"]).status_code == 200


def test_the_new_addresses_are_under_oversight():
    assert reverse("oversight:visits") == "/oversight/visits/"
    assert reverse("oversight:action_plan", args=[7]) == "/oversight/action-plans/7/"
    assert reverse("oversight:statistics") == "/oversight/statistics/"


def test_the_register_still_answers_at_its_own_addresses(client_as_officer):
    assert client_as_officer.get("/contracts/").status_code == 200
    assert client_as_officer.get("/contracts/needs-decision/").status_code == 200


def test_the_models_keep_their_tables():
    for model in MODELS:
        name = model._meta.model_name
        assert model._meta.app_label == "oversight"
        assert model._meta.db_table == f"contracts_{name}"
        assert model.history.model._meta.db_table == f"contracts_historical{name}"
        assert model.history.model._meta.app_label == "oversight"


def test_content_types_and_permissions_moved_without_duplicates():
    names = [m._meta.model_name for m in MODELS] + [f"historical{m._meta.model_name}" for m in MODELS]
    assert not ContentType.objects.filter(app_label="contracts", model__in=names).exists()
    assert ContentType.objects.filter(app_label="oversight", model__in=names).count() == len(names)
    assert not Permission.objects.filter(content_type__app_label="contracts", codename__endswith="_visit").exists()
    for name in names:
        for action in ("add", "change", "delete", "view"):
            found = Permission.objects.filter(content_type__app_label="oversight", codename=f"{action}_{name}")
            assert found.count() == 1


def test_officers_hold_the_oversight_permissions(contract_officer, scrutiny_member):
    assert contract_officer.has_perm("oversight.add_visit")
    assert contract_officer.has_perm("oversight.change_concern")
    assert not contract_officer.has_perm("contracts.add_visit")
    assert not scrutiny_member.has_perm("oversight.view_concern")


def test_the_api_keeps_its_paths(client_as_officer):
    ConcernFactory()
    for path in ("/api/v1/visits/", "/api/v1/concerns/", "/api/v1/sanctions/", "/api/v1/action-plans/"):
        assert client_as_officer.get(path).status_code == 200, path
    assert client_as_officer.get("/api/v1/concerns/").json()["count"] == 1
