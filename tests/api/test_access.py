"""Tokens (the page, authentication, throttling), the error format, the schema and its docs page."""

import pytest
import yaml
from django.core.cache import cache
from django.urls import reverse
from drf_spectacular.validation import validate_schema as validate_openapi
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_user_creates_a_token_that_is_shown_once(client_as_officer, contract_officer):
    response = client_as_officer.post(reverse("token-create"))

    token = Token.objects.get(user=contract_officer)
    assert response.status_code == 200
    assert token.key in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    page = client_as_officer.get(reverse("tokens")).content.decode()
    assert token.key not in page
    assert f"Ending …{token.key[-4:]}" in page


def test_the_token_authenticates_as_its_user_and_stops_working_once_revoked(client, client_as_officer):
    client_as_officer.post(reverse("token-create"))
    key = Token.objects.get().key
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert client.get("/api/v1/contracts/", **auth).status_code == 200

    response = client_as_officer.post(reverse("token-revoke"))

    assert response.status_code == 302
    assert not Token.objects.exists()
    assert client.get("/api/v1/contracts/", **auth).status_code == 401


def test_a_new_token_replaces_the_old_one(client_as_officer):
    client_as_officer.post(reverse("token-create"))
    old = Token.objects.get().key

    client_as_officer.post(reverse("token-create"))

    assert Token.objects.get().key != old


def test_the_tokens_page_needs_a_log_in(client):
    assert client.get(reverse("tokens")).status_code == 302
    assert client.post(reverse("token-create")).status_code == 302
    assert not Token.objects.exists()


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    cache.clear()
    yield
    cache.clear()


def test_token_clients_are_rate_limited_with_a_429_in_the_error_format(api_client_for, three_a_minute):
    client = api_client_for("officer")
    statuses = [client.get("/api/v1/contracts/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/contracts/")
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_browser_sessions_are_not_rate_limited(api_client_for, three_a_minute):
    client = api_client_for("officer", session=True)

    assert {client.get("/api/v1/contracts/").status_code for _ in range(5)} == {200}


def test_a_missing_record_is_404_in_the_error_format(api_client_for):
    response = api_client_for("officer").get("/api/v1/contracts/999999/")

    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "code": "not_found",
        "detail": "No Contract matches the given query.",
        "errors": {},
    }


def test_a_bad_filter_is_400_naming_the_parameter(api_client_for):
    response = api_client_for("officer").get("/api/v1/contracts/?end_after=not-a-date")

    assert response.status_code == 400
    assert "end_after" in response.json()["errors"]


def test_filters_match_the_register_page(api_client_for, directorate):
    key = f.KeyContractFactory(directorate=directorate)
    f.ContractFactory()

    body = api_client_for("officer").get(f"/api/v1/contracts/?key=true&directorate={directorate.pk}").json()

    assert [row["reference"] for row in body["results"]] == [key.reference]


def test_the_schema_is_valid_openapi_3_and_documents_every_resource(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_openapi(schema)
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/contracts/", "/api/v1/highlight-reports/{id}/submit/", "/api/v1/exports/ocds.json"):
        assert path in schema["paths"]
    errors = schema["paths"]["/api/v1/contracts/"]["get"]["responses"]
    assert {"200", "400", "401", "403", "429"} <= set(errors)


def test_the_docs_page_loads_its_scripts_from_the_site_under_the_csp(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<style" not in page
    assert "<script>" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
