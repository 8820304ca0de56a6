"""Every OCDS export of the demo data (and of bench data on top of it) validates with no error against the
official OCDS 1.1.5 schemas with the declared extensions merged, for a logged-in officer and for the public."""

import pytest
from django.test import Client

from contracts.models import Contract, ContractChange
from opendata.check import check_published_register
from oversight.models import Sanction
from tests.opendata.test_schema import validate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def demo(demo_database, db):
    """The demo data, loaded once for the run (tests/conftest.py)."""


def test_the_demo_export_validates_for_an_officer_and_for_the_public(demo, client_as_officer, settings):
    package = client_as_officer.get("/api/v1/exports/ocds.json").json()

    assert len(package["releases"]) == Contract.objects.count()
    assert [str(e) for e in validate(package)] == []
    settings.OPEN_DATA_PUBLIC = True
    public = Client().get("/api/v1/exports/ocds.json").json()
    assert len(public["releases"]) == Contract.objects.count()
    assert [str(e) for e in validate(public)] == []


def test_the_demo_export_carries_its_amendments_and_failures(demo, client_as_officer):
    package = client_as_officer.get("/api/v1/exports/ocds.json").json()
    contracts = [c for r in package["releases"] for c in r.get("contracts", [])]
    amendments = sum(len(c.get("amendments", [])) for c in contracts)
    failures = sum(len(c.get("implementation", {}).get("performanceFailures", [])) for c in contracts)

    assert amendments == ContractChange.objects.count()
    expected_failures = (
        Sanction.objects.filter(contract__isnull=False)
        .exclude(kind__in=[Sanction.Kind.DEFAULT_NOTICE, Sanction.Kind.SUSPENSION], amount__isnull=True)
        .count()
    )
    assert failures == expected_failures


def test_the_bench_check_finds_no_error_in_the_demo_with_bench_data(demo):
    from demo import bench_data

    bench_data.build(contracts=400, providers=150, visits=600, strategies=20)

    figures = check_published_register()

    assert figures["ocds_errors"] == 0, figures["errors"][:10]
    assert figures["ocds_releases"] == Contract.objects.count()
