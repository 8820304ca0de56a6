"""The error format, the filters, the schema and its docs page. (Tokens and throttling: tests/auth/.)"""

import pytest
import yaml
from drf_spectacular.validation import validate_schema as validate_openapi

from tests import factories as f

pytestmark = pytest.mark.django_db


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
