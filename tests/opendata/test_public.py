"""OPEN_DATA_PUBLIC: the open-data files and their landing page without a log-in, read-only, cached, with the
Open Government Licence named; with the setting off, a log-in as before."""

from decimal import Decimal

import pytest
from django.test import Client

from contracts.models import Contract
from tests import factories as f

pytestmark = pytest.mark.django_db

EXPORTS = ["contracts.csv", "invitations-to-tender.csv", "ocds.json"]
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@pytest.fixture
def public(settings):
    settings.OPEN_DATA_PUBLIC = True
    settings.OPEN_DATA_CACHE_SECONDS = 120


@pytest.fixture
def register(db):
    contract = f.ContractFactory(reference="PUB-1", title="Extra care housing")
    f.SanctionFactory(provider=contract.lead_provider, contract=contract, amount=Decimal("300"))
    f.ContractFactory(reference="PUB-2", status=Contract.Status.PIPELINE, total_value=Decimal("90000"))


@pytest.mark.parametrize("export", EXPORTS)
def test_with_open_data_public_anyone_may_download_the_files(public, register, export):
    response = Client().get(f"/api/v1/exports/{export}")

    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert "max-age=120" in response["Cache-Control"]
    assert response["Link"].startswith(f"<{OGL}>")
    assert 'rel="license"' in response["Link"]
    assert b"PUB-" in response.content, "the public sees the register, not an empty file"


def test_the_public_ocds_file_holds_the_whole_register_and_validates(public, register):
    from tests.opendata.test_schema import validate

    package = Client().get("/api/v1/exports/ocds.json").json()

    assert [r["ocid"][-5:] for r in package["releases"]] == ["PUB-1", "PUB-2"]
    assert package["releases"][0]["contracts"][0]["implementation"]["performanceFailures"]
    assert validate(package) == []


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_public_files_are_read_only(public, export, method):
    assert getattr(Client(), method)(f"/api/v1/exports/{export}").status_code == 405


@pytest.mark.parametrize("export", EXPORTS)
def test_head_is_answered(public, export):
    assert Client().head(f"/api/v1/exports/{export}").status_code == 200


def test_the_public_file_is_served_from_the_cache_until_it_expires(public, register, django_assert_num_queries):
    client = Client()
    first = client.get("/api/v1/exports/contracts.csv").content
    f.ContractFactory(reference="PUB-3")

    with django_assert_num_queries(0):
        again = client.get("/api/v1/exports/contracts.csv").content
    assert again == first
    assert b"PUB-3" not in again


@pytest.mark.parametrize("export", EXPORTS)
def test_without_open_data_public_the_files_need_a_log_in(settings, export):
    settings.OPEN_DATA_PUBLIC = False
    response = Client().get(f"/api/v1/exports/{export}")

    assert response.status_code == 401


def test_logged_in_files_are_not_kept_by_shared_caches(client_as_officer, register):
    response = client_as_officer.get("/api/v1/exports/contracts.csv")

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert response["Link"].startswith(f"<{OGL}>")


def test_the_landing_page_is_public_only_when_open_data_is(settings):
    settings.OPEN_DATA_PUBLIC = False
    assert Client().get("/open-data/").status_code == 302
    settings.OPEN_DATA_PUBLIC = True
    response = Client().get("/open-data/")
    page = response.content.decode()

    assert response.status_code == 200
    assert f'href="{OGL}"' in page
    assert "Open Government Licence v3.0" in page
    assert 'href="/api/v1/exports/ocds.json"' in page
    assert 'href="/api/v1/exports/invitations-to-tender.csv"' in page
    assert Client().post("/open-data/").status_code == 405


def test_the_landing_page_opens_for_any_logged_in_role(client_as_scrutiny):
    assert client_as_scrutiny.get("/open-data/").status_code == 200
