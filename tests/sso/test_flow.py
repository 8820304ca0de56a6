"""Single sign-on against a real OpenID provider (oidc-provider on 127.0.0.1): the whole authorization code flow
with PKCE, state and nonce, the ID token's checks, the directory group mapping, and log-out."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth.models import Group
from django.urls import reverse

from commissioning import roles
from commissioning.models import DirectoryGroupMapping, SsoIdentity, User
from tests.factories import DirectorateFactory, UserFactory

from .conftest import (
    ACCW_GROUP,
    ADMIN_APP_ROLE,
    CLIENT_ID,
    COMMISSIONERS_GROUP,
    OFFICERS_GROUP,
    at_provider,
    callback_path,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def accw(db):
    return DirectorateFactory(name="Adult Care and Community Wellbeing", code="accw")


@pytest.fixture
def mapping(accw):
    """The administrator's mapping: Entra ID group object IDs (and one app role) to roles and a directorate."""
    DirectoryGroupMapping.objects.create(claim_value=COMMISSIONERS_GROUP, role=roles.COMMISSIONER)
    DirectoryGroupMapping.objects.create(claim_value=ACCW_GROUP, directorate=accw, description="ACCW staff")
    DirectoryGroupMapping.objects.create(claim_value=OFFICERS_GROUP, role=roles.CONTRACT_OFFICER)
    DirectoryGroupMapping.objects.create(claim_value=ADMIN_APP_ROLE, role=roles.ADMINISTRATOR)


def start(client) -> str:
    response = client.get(reverse("sso:start"))
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, login: str):
    """The browser's round trip: the app, the provider's sign-in, and back to the app's callback."""
    return client.get(callback_path(at_provider(start(client), login)))


def role_names(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_sign_in_sends_state_nonce_and_a_pkce_challenge_to_the_provider(client, sso_settings, oidc_provider):
    location = start(client)

    url = urlsplit(location)
    params = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc_provider}/auth"
    assert params["client_id"] == CLIENT_ID
    assert params["response_type"] == "code"
    assert params["redirect_uri"] == "http://testserver/accounts/login/sso/callback/"
    assert params["code_challenge_method"] == "S256"
    kept = client.session["oidc_states"][params["state"]]
    assert kept["nonce"] == params["nonce"]
    digest = hashlib.sha256(kept["code_verifier"].encode()).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_first_sign_in_creates_the_user_with_mapped_role_and_directorate(client, sso_settings, mapping, accw):
    response = sign_in(client, "alice")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(username="alice@council.example")
    assert (user.first_name, user.last_name, user.email) == ("Alice", "Smith", "alice@council.example")
    assert role_names(user) == {roles.COMMISSIONER}
    assert user.directorate == accw
    assert not user.has_usable_password()
    assert SsoIdentity.objects.get(user=user).subject == "alice"
    assert client.session["_auth_user_id"] == str(user.pk)
    # The provider said the sign-in used MFA (amr): the second-factor check takes it as verified.
    assert client.session["sso_mfa"] is True
    assert client.get(reverse("home")).status_code == 200


def test_role_groups_are_replaced_by_the_mapped_ones_at_each_sign_in(client, sso_settings, mapping):
    sso_settings.OIDC_LINK_BY_EMAIL = True
    user = UserFactory(username="omar.k", email="omar@council.example", first_name="Old")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR), Group.objects.get(name=roles.SAFEGUARDING_LEAD))

    sign_in(client, "omar")

    user.refresh_from_db()
    # Linked by e-mail; the administrator role the directory no longer gives is gone; a membership stays.
    assert role_names(user) == {roles.CONTRACT_OFFICER, roles.SAFEGUARDING_LEAD}
    assert user.username == "omar.k"
    assert user.first_name == "Omar"
    assert user.directorate is None
    assert client.session["sso_mfa"] is False


def test_an_existing_account_is_not_linked_by_email_unless_configured(client, sso_settings, mapping):
    user = UserFactory(username="omar.k", email="omar@council.example")

    sign_in(client, "omar")

    assert SsoIdentity.objects.get(subject="omar").user.username == "omar@council.example"
    assert not user.groups.exists()


def test_a_superuser_is_never_linked_by_email(client, sso_settings, mapping):
    sso_settings.OIDC_LINK_BY_EMAIL = True
    UserFactory(username="root", email="omar@council.example", is_superuser=True)

    sign_in(client, "omar")

    assert SsoIdentity.objects.get(subject="omar").user.username == "omar@council.example"


def test_a_directory_account_signs_in_to_the_same_user_after_its_email_changes(client, sso_settings, mapping):
    sign_in(client, "omar")
    user = User.objects.get(username="omar@council.example")
    user.email = "someone.else@council.example"
    user.save()
    client.logout()

    sign_in(client, "omar")

    assert User.objects.filter(email__iexact="omar@council.example").count() == 1
    user.refresh_from_db()
    assert user.email == "omar@council.example"


def test_entra_group_overage_falls_back_to_the_app_roles_claim(client, sso_settings, mapping):
    response = sign_in(client, "olive")

    assert response.status_code == 302
    assert role_names(User.objects.get(username="olive@council.example")) == {roles.ADMINISTRATOR}


def test_entra_group_overage_without_an_app_role_is_refused_naming_the_fix(client, sso_settings, mapping):
    response = sign_in(client, "oscar")

    assert response.status_code == 403
    assert "app role" in response.content.decode()
    assert not User.objects.filter(username="oscar@council.example").exists()
    assert "_auth_user_id" not in client.session


def test_a_user_whose_groups_map_to_no_role_is_refused(client, sso_settings, mapping):
    response = sign_in(client, "stranger")

    assert response.status_code == 403
    assert response.templates[0].name == "commissioning/sso_refused.html"
    assert "not in a directory group that gives access" in response.content.decode()
    assert not User.objects.filter(email="stranger@council.example").exists()
    assert "_auth_user_id" not in client.session


def test_a_tampered_state_is_refused(client, sso_settings, mapping):
    callback = at_provider(start(client), "alice")
    url = urlsplit(callback)
    params = parse_qs(url.query)
    tampered = f"{url.path}?code={params['code'][0]}&state=not-the-state-we-sent"

    response = client.get(tampered)

    assert response.status_code == 400
    assert "not started from this browser" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_callback_cannot_be_replayed(client, sso_settings, mapping):
    callback = callback_path(at_provider(start(client), "alice"))
    assert client.get(callback).status_code == 302
    client.logout()

    response = client.get(callback)

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(client, sso_settings, mapping):
    callback = callback_path(at_provider(start(client), "alice"))
    session = client.session
    for kept in session["oidc_states"].values():
        kept["code_verifier"] = "x" * 64
    session.save()

    response = client.get(callback)

    assert response.status_code == 403
    assert "did not confirm your sign-in" in response.content.decode()
    assert not User.objects.filter(username="alice@council.example").exists()


def test_an_id_token_with_another_nonce_is_refused(client, sso_settings, mapping):
    callback = callback_path(at_provider(start(client), "alice"))
    session = client.session
    for kept in session["oidc_states"].values():
        kept["nonce"] = "another-nonce"
    session.save()

    assert client.get(callback).status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("login", "says"),
    [
        ("wrong-audience", "could not be trusted"),
        ("expired", "had expired"),
        ("forged", "could not be trusted"),
    ],
)
def test_an_id_token_for_another_audience_expired_or_not_signed_by_the_provider_is_refused(
    client, sso_settings, mapping, login, says
):
    response = sign_in(client, login)

    assert response.status_code == 403
    assert says in response.content.decode()
    assert not SsoIdentity.objects.filter(subject=login).exists()
    assert "_auth_user_id" not in client.session


def test_a_switched_off_account_is_refused(client, sso_settings, mapping):
    sso_settings.OIDC_LINK_BY_EMAIL = True
    UserFactory(username="omar", email="omar@council.example", is_active=False)

    response = sign_in(client, "omar")

    assert response.status_code == 403
    assert "switched off" in response.content.decode()


def test_switching_off_a_user_ends_their_single_sign_on_session(client, sso_settings, mapping):
    sign_in(client, "omar")
    User.objects.filter(username="omar@council.example").update(is_active=False)

    assert client.get(reverse("home")).status_code == 302


def test_signing_out_ends_the_session_here_and_at_the_provider(client, sso_settings, mapping, oidc_provider):
    sign_in(client, "alice")
    id_token = client.session["sso_id_token"]

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    params = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc_provider}/session/end"
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == "http://testserver/accounts/login/"
    assert "_auth_user_id" not in client.session
    # The provider accepts the hint and asks the browser to confirm signing out there.
    at_provider_page = requests.get(response["Location"], timeout=10)
    assert at_provider_page.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_the_provider_being_unreachable_gives_a_clear_page(client, sso_settings):
    sso_settings.OIDC_ISSUER = "http://127.0.0.1:9"

    response = client.get(reverse("sso:start"))

    assert response.status_code == 503
    assert "could not be reached" in response.content.decode()
