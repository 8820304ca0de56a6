"""The role groups exist after migrate and hold the rights each role needs, and no more."""

import pytest
from django.contrib.auth.models import Group

from commissioning import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _user(role):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=role))
    return user


def test_all_four_role_groups_are_created_by_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        (roles.COMMISSIONER, "strategies.change_highlightreport", True),
        (roles.COMMISSIONER, "strategies.submit_highlightreport", True),
        (roles.COMMISSIONER, "strategies.approve_highlightreport", False),
        (roles.COMMISSIONER, "contracts.change_contract", False),
        (roles.COMMISSIONER, "contracts.view_contract", True),
        (roles.CONTRACT_OFFICER, "contracts.change_contract", True),
        (roles.CONTRACT_OFFICER, "oversight.add_visit", True),
        (roles.CONTRACT_OFFICER, "providers.add_riskassessment", True),
        (roles.CONTRACT_OFFICER, "providers.change_riskassessment", False),
        (roles.CONTRACT_OFFICER, "strategies.change_highlightreport", False),
        (roles.SCRUTINY_MEMBER, "scrutiny.view_scrutinypack", True),
        (roles.SCRUTINY_MEMBER, "strategies.view_commissioningstrategy", True),
        (roles.SCRUTINY_MEMBER, "strategies.change_highlightreport", False),
        (roles.SCRUTINY_MEMBER, "oversight.view_concern", False),
        (roles.SCRUTINY_MEMBER, "providers.view_provider", False),
        (roles.ADMINISTRATOR, "strategies.approve_highlightreport", True),
        (roles.ADMINISTRATOR, "scrutiny.publish_scrutinypack", True),
        (roles.ADMINISTRATOR, "contracts.delete_contract", True),
    ],
)
def test_role_holds_exactly_the_rights_it_needs(role, permission, allowed):
    assert _user(role).has_perm(permission) is allowed


def test_syncing_roles_again_changes_nothing():
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    roles.sync_role_groups()
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after
