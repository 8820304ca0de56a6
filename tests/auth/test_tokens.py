"""API tokens: made on the tokens page, shown once, stored as a hash, with a name, a scope, an expiry, the time
last used, and revocation. (The page tests moved here from tests/api/test_access.py; the one-token-per-person
race of tests/security/test_token_races.py has gone with the rule: people now have several tokens.)"""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from commissioning import tokens
from commissioning.models import ApiToken
from tests import factories as f

pytestmark = pytest.mark.django_db

KEY = re.compile(r'<code id="api-token">(cm_[A-Za-z0-9_-]{43})</code>')


def _make(client, **data):
    body = {"name": "Power BI report", "scope": "read", "expires_in_days": "90"} | data
    return client.post(reverse("token-create"), body)


def _api(key: str, *, keyword: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


# --- The page ------------------------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(client_as_officer, contract_officer):
    response = _make(client_as_officer)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = KEY.search(response.content.decode()).group(1)
    token = ApiToken.objects.get(user=contract_officer)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.key_hash, token.prefix, token.name}
    assert key.startswith(token.prefix)
    page = client_as_officer.get(reverse("tokens")).content.decode()
    assert key not in page
    assert f"{token.prefix}…" in page
    assert "Power BI report" in page


def test_the_token_has_its_name_scope_and_expiry(client_as_officer, contract_officer):
    before = timezone.now()

    _make(client_as_officer, name="Nightly export", scope="read_write", expires_in_days="30")

    token = ApiToken.objects.get(user=contract_officer)
    assert (token.name, token.scope) == ("Nightly export", ApiToken.Scope.READ_WRITE)
    assert before + timedelta(days=30) <= token.expires_at <= timezone.now() + timedelta(days=30)
    assert token.last_used_at is None
    assert token.revoked_at is None


def test_a_person_may_have_several_tokens(client_as_officer, contract_officer):
    keys = {KEY.search(_make(client_as_officer, name=f"Client {n}").content.decode()).group(1) for n in range(3)}

    assert len(keys) == 3
    assert ApiToken.objects.filter(user=contract_officer).count() == 3
    for key in keys:
        assert _api(key).get("/api/v1/contracts/").status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name for the token"),
        ({"scope": "admin"}, "scope", "Choose read only, or read and write"),
        ({"expires_in_days": "0"}, "expires_in_days", "A token lasts from 1 to 365 days"),
        ({"expires_in_days": "366"}, "expires_in_days", "A token lasts from 1 to 365 days"),
        ({"expires_in_days": "soon"}, "expires_in_days", "Enter a whole number of days"),
    ],
)
def test_a_bad_token_form_says_which_field_is_wrong_and_makes_nothing(client_as_officer, data, field, message):
    response = _make(client_as_officer, **data)

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'id="id_{field}_1_error"' in page, "the message sits by its field"
    assert not ApiToken.objects.exists()


def test_the_longest_life_is_a_setting(client_as_officer, settings):
    settings.API_TOKEN_MAX_DAYS = 30

    assert "from 1 to 30 days" in _make(client_as_officer, expires_in_days="31").content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_at_once_and_leaves_the_others(client_as_officer, contract_officer):
    first = KEY.search(_make(client_as_officer, name="First").content.decode()).group(1)
    second = KEY.search(_make(client_as_officer, name="Second").content.decode()).group(1)
    token = ApiToken.objects.get(name="First")

    response = client_as_officer.post(reverse("token-revoke"), {"token": token.pk})

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = _api(first).get("/api/v1/contracts/")
    assert refused.status_code == 401
    assert "revoked on" in refused.json()["detail"]
    assert _api(second).get("/api/v1/contracts/").status_code == 200
    assert "Revoked" in client_as_officer.get(reverse("tokens")).content.decode()


def test_nobody_can_revoke_someone_elses_token_from_the_page(client_as_officer):
    other = tokens.token_create(user=f.UserFactory(username="someone-else"), name="Theirs", scope="read").token

    assert client_as_officer.post(reverse("token-revoke"), {"token": other.pk}).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_the_revoke_service_refuses_someone_elses_token_but_an_administrator_may(contract_officer, administrator):
    token = tokens.token_create(user=f.UserFactory(username="someone-else"), name="Theirs", scope="read").token

    with pytest.raises(PermissionDenied):
        tokens.token_revoke(token=token, by=contract_officer)
    assert tokens.token_revoke(token=token, by=administrator).revoked_at is not None


def test_the_create_service_names_each_bad_field(contract_officer):
    with pytest.raises(ValidationError) as error:
        tokens.token_create(user=contract_officer, name=" ", scope="everything", expires_in_days=999)

    assert set(error.value.message_dict) == {"name", "scope", "expires_in_days"}


def test_the_tokens_page_needs_a_log_in(client):
    assert client.get(reverse("tokens")).status_code == 302
    assert _make(client).status_code == 302
    assert not ApiToken.objects.exists()


# --- Using a token -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_a_token_authenticates_as_its_owner_and_notes_when_it_was_used(contract_officer, keyword):
    new = tokens.token_create(user=contract_officer, name="Client", scope="read")

    response = _api(new.key, keyword=keyword).get("/api/v1/contracts/")

    assert response.status_code == 200
    new.token.refresh_from_db()
    assert new.token.last_used_at is not None


def test_an_expired_token_is_refused_with_a_401_saying_so(contract_officer):
    new = tokens.token_create(user=contract_officer, name="Client", scope="read", expires_in_days=1)
    ApiToken.objects.filter(pk=new.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = _api(new.key).get("/api/v1/contracts/")

    assert response.status_code == 401
    assert "expired on" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Token")


def test_an_unknown_key_is_refused(db):
    response = _api("cm_" + "x" * 43).get("/api/v1/contracts/")

    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_a_read_only_token_reads_but_is_refused_any_change_naming_its_scope(commissioner, directorate):
    key = tokens.token_create(user=commissioner, name="Reader", scope="read").key
    client = _api(key)

    assert client.get("/api/v1/strategies/").status_code == 200
    response = client.post("/api/v1/strategies/", {"title": "Carers"}, format="json")

    assert response.status_code == 403
    assert 'scope is "Read only"' in response.json()["detail"]


def test_a_read_and_write_token_may_change_what_its_owner_may(commissioner, directorate):
    key = tokens.token_create(user=commissioner, name="Writer", scope="read_write").key

    response = _api(key).post("/api/v1/strategies/", {}, format="json")

    assert response.status_code == 400, "past authentication: the service's own checks answer"


def test_an_administrators_token_cannot_write_until_they_have_a_second_factor(administrator):
    key = tokens.token_create(user=administrator, name="Admin script", scope="read_write").key
    client = _api(key)

    assert client.get("/api/v1/strategies/").status_code == 200
    refused = client.post("/api/v1/strategies/", {}, format="json")
    assert refused.status_code == 403
    assert "authenticator app" in refused.json()["detail"]

    TOTPDevice.objects.create(user=administrator, name="Authenticator app", confirmed=True)
    assert client.post("/api/v1/strategies/", {}, format="json").status_code == 400


def test_an_unconfirmed_authenticator_does_not_count(administrator):
    TOTPDevice.objects.create(user=administrator, name="Authenticator app", confirmed=False)
    key = tokens.token_create(user=administrator, name="Admin script", scope="read_write").key

    assert _api(key).patch("/api/v1/strategies/1/", {}, format="json").status_code == 403


def test_a_switched_off_account_token_is_refused(contract_officer):
    key = tokens.token_create(user=contract_officer, name="Client", scope="read").key
    contract_officer.is_active = False
    contract_officer.save()

    assert _api(key).get("/api/v1/contracts/").status_code == 401
