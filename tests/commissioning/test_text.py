"""Line endings are stored one way whatever path saves the text, so an untouched field never shows as changed
in a record's history."""

import pytest
from django.test import Client
from django.urls import reverse

from commissioning.text import normalise_newlines
from contracts.models import Contract
from tests.contracts.test_contract_manager import _edit_form
from tests.factories import ContractFactory
from tests.providers.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def test_every_line_ending_becomes_a_newline():
    assert normalise_newlines("one\r\ntwo\rthree\nfour") == "one\ntwo\nthree\nfour"
    assert normalise_newlines(12) == 12
    assert normalise_newlines(None) is None


def test_a_browser_save_stores_newlines_and_an_unchanged_resave_changes_no_field():
    contract = ContractFactory(description="First line\nSecond line")
    client = Client()
    client.force_login(OfficerFactory())
    form = _edit_form(contract, description="First line\r\nSecond line")

    assert client.post(reverse("contracts:edit", args=[contract.pk]), form).status_code == 302
    assert client.post(reverse("contracts:edit", args=[contract.pk]), form).status_code == 302

    contract.refresh_from_db()
    assert contract.description == "First line\nSecond line"
    latest, before = contract.history.all()[:2]
    assert "description" not in latest.diff_against(before).changed_fields


def test_the_api_stores_the_same_text_the_page_does():
    contract = ContractFactory()
    client = Client()
    client.force_login(OfficerFactory())

    response = client.patch(
        reverse("v1:contract-detail", args=[contract.pk]),
        {"description": "From the API\r\nwith Windows\rand old Mac line endings"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert Contract.objects.get(pk=contract.pk).description == "From the API\nwith Windows\nand old Mac line endings"
