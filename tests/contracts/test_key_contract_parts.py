"""A key-contract row that stands for contracts of its own on the register (a framework, a block of provider
contracts): its parts are linked through contracts.services.contract_record_parts, totals count the parts and
not the row (ContractQuerySet.counted), and the pages show both ends of the link."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts.models import Contract
from contracts.selectors import pipeline_notice
from contracts.services import contract_record_parts
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

YEAR = 2018
LIVE = {"start_date": datetime.date(2017, 4, 1), "end_date": datetime.date(2020, 3, 31), "status": "live"}


@pytest.fixture
def framework():
    summary = ContractFactory(reference="HOMECARE", annual_value=Decimal("28000000"), **LIVE)
    parts = [ContractFactory(reference=f"HC-{n}", annual_value=Decimal("2000000"), **LIVE) for n in range(12)]
    return summary, parts


def test_totals_count_the_parts_and_not_the_row_that_stands_for_them(framework, contract_officer):
    summary, parts = framework
    other = ContractFactory(reference="OTHER", annual_value=Decimal("500000"), **LIVE)
    # Before the link: the row's £28m and its parts' £24m are both counted.
    assert pipeline_notice(year=YEAR, user=contract_officer).contracts_spend == Decimal("52500000")

    assert contract_record_parts(summary=summary, parts=parts, by=contract_officer) == 12

    assert set(Contract.objects.counted()) == {*parts, other}
    assert pipeline_notice(year=YEAR, user=contract_officer).contracts_spend == Decimal("24500000")
    # Each part's history says who linked it.
    assert parts[0].history.latest().history_user == contract_officer


def test_the_link_is_one_level_and_a_part_belongs_to_one_row(framework, contract_officer):
    summary, parts = framework
    contract_record_parts(summary=summary, parts=parts[:6], by=contract_officer)
    other_summary = ContractFactory(reference="BLOCK", **LIVE)

    with pytest.raises(ValidationError) as error:
        contract_record_parts(summary=other_summary, parts=parts[:2], by=contract_officer)
    assert "HC-0: It is already part of another contract." in error.value.messages
    with pytest.raises(ValidationError) as error:
        contract_record_parts(summary=parts[0], parts=parts[6:8], by=contract_officer)
    assert "itself part of another contract" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        contract_record_parts(summary=other_summary, parts=[summary], by=contract_officer)
    assert "A contract that stands for others cannot be part of another one." in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        contract_record_parts(summary=summary, parts=[summary], by=contract_officer)
    # Nothing half-saved by the refusals; linking the same part to its own row again changes nothing.
    assert Contract.objects.filter(part_of=summary).count() == 6
    assert not Contract.objects.filter(part_of=other_summary).exists()
    assert contract_record_parts(summary=summary, parts=parts[:6], by=contract_officer) == 6


def test_only_those_who_may_change_the_row_link_its_parts(framework, commissioner):
    summary, parts = framework
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        contract_record_parts(summary=summary, parts=parts, by=commissioner)
    assert not Contract.objects.filter(part_of=summary).exists()


def test_the_pages_show_both_ends_of_the_link(framework, contract_officer, client_as_officer):
    summary, parts = framework
    contract_record_parts(summary=summary, parts=parts, by=contract_officer)

    page = client_as_officer.get(reverse("contracts:detail", args=[summary.pk])).content.decode()
    assert "12 contracts on the register" in page
    assert f"?part_of={summary.pk}" in page
    page = client_as_officer.get(reverse("contracts:detail", args=[parts[0].pk])).content.decode()
    assert "Part of" in page
    assert summary.get_absolute_url() in page

    listed = client_as_officer.get(reverse("contracts:list"), {"part_of": summary.pk}).context["page_obj"]
    assert {c.reference for c in listed} == {p.reference for p in parts}
    api = client_as_officer.get("/api/v1/contracts/", {"part_of": summary.pk}).json()
    assert api["count"] == 12
