"""The log-in page with and without single sign-on, local passwords switched off, and the mapping's rules
(no provider needed)."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from commissioning import roles, sso
from commissioning.models import DirectoryGroupMapping
from tests.factories import DirectorateFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def configured(settings):
    settings.OIDC_ISSUER = "https://login.microsoftonline.com/tenant/v2.0"
    settings.OIDC_RP_CLIENT_ID = "app"
    return settings


def test_without_configuration_there_is_no_council_account_button_and_no_sso_pages(client):
    page = client.get(reverse("login")).content.decode()

    assert "Sign in with your council account" not in page
    assert client.get(reverse("sso:start")).status_code == 404
    assert client.get(reverse("sso:callback")).status_code == 404


def test_when_configured_the_log_in_page_offers_the_council_account(client, configured):
    page = client.get(reverse("login") + "?next=/contracts/").content.decode()

    assert "Sign in with your council account" in page
    assert f'href="{reverse("sso:start")}?next=/contracts/"' in page


def test_with_local_passwords_off_a_password_signs_no_one_in_and_the_page_says_so(client, settings):
    settings.LOCAL_PASSWORDS_ENABLED = False
    UserFactory(username="officer")

    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Password sign-in is switched off" in response.content.decode()


def test_with_local_passwords_off_the_break_glass_administrator_still_signs_in(client, settings):
    settings.LOCAL_PASSWORDS_ENABLED = False
    settings.BREAK_GLASS_USERNAMES = ["emergency-admin"]
    admin = UserFactory(username="emergency-admin", is_staff=True, is_superuser=True)

    response = client.post(reverse("login"), {"username": "emergency-admin", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)


def test_local_passwords_on_by_default(client):
    UserFactory(username="officer")

    assert client.post(reverse("login"), {"username": "officer", "password": PASSWORD}).status_code == 302


def test_a_mapping_must_give_a_role_or_a_directorate():
    with pytest.raises(ValidationError, match="Choose the role, the directorate, or both"):
        DirectoryGroupMapping(claim_value="0000-group").full_clean()


def test_a_directorate_claim_names_the_directorate_by_code(settings):
    settings.OIDC_DIRECTORATE_CLAIM = "department"
    children = DirectorateFactory(name="Children's Services", code="cs")
    DirectoryGroupMapping.objects.create(claim_value="g1", role=roles.COMMISSIONER)

    access = sso.directory_access({"groups": ["g1"], "department": "CS"})

    assert access == sso.DirectoryAccess(roles=frozenset({roles.COMMISSIONER}), directorate=children)


def test_an_unknown_directorate_claim_is_refused_naming_it(settings):
    settings.OIDC_DIRECTORATE_CLAIM = "department"
    DirectoryGroupMapping.objects.create(claim_value="g1", role=roles.COMMISSIONER)

    with pytest.raises(sso.SsoRefused, match="Highways"):
        sso.directory_access({"groups": ["g1"], "department": "Highways"})


def test_groups_placing_someone_in_two_directorates_are_refused():
    DirectoryGroupMapping.objects.create(claim_value="g1", role=roles.COMMISSIONER, directorate=DirectorateFactory())
    DirectoryGroupMapping.objects.create(claim_value="g2", directorate=DirectorateFactory())

    with pytest.raises(sso.SsoRefused, match="more than one directorate"):
        sso.directory_access({"groups": ["g1", "g2"]})


@pytest.mark.parametrize(
    ("claims", "expected"),
    [({"amr": ["pwd", "mfa"]}, True), ({"amr": ["pwd"]}, False), ({}, False), ({"amr": "mfa"}, True)],
)
def test_mfa_is_read_from_the_amr_claim(claims, expected):
    assert sso.mfa_from_claims(claims) is expected


def test_a_configured_mfa_claim_may_simply_be_true(settings):
    settings.OIDC_MFA_CLAIM = "mfa_done"

    assert sso.mfa_from_claims({"mfa_done": True}) is True
    assert sso.mfa_from_claims({"amr": ["mfa"]}) is False


def _registered_in_the_admin():
    # commissioning/admin.py imports commissioning.sso_admin; until it does, register here and rebuild the URLs.
    from django.contrib import admin

    if not admin.site.is_registered(DirectoryGroupMapping):
        import importlib

        from django.urls import clear_url_caches

        import commissioning.sso_admin  # noqa: F401
        import config.urls

        importlib.reload(config.urls)
        clear_url_caches()


def test_an_administrator_keeps_the_mapping_in_the_admin(client, directorate):
    _registered_in_the_admin()
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    client.force_login(admin)

    response = client.post(
        reverse("admin:commissioning_directorygroupmapping_add"),
        {
            "claim_value": "5f1c0b9a-0000-4000-8000-000000000001",
            "description": "Commissioners",
            "role": roles.COMMISSIONER,
        },
    )

    assert response.status_code == 302
    assert DirectoryGroupMapping.objects.get().role == roles.COMMISSIONER
    refused = client.post(reverse("admin:commissioning_directorygroupmapping_add"), {"claim_value": "nothing"})
    assert "Choose the role, the directorate, or both" in refused.content.decode()
