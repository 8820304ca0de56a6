"""Attaching and removing documents on records through the generic pages, and the include that lists a record's
documents with their versions: who may attach, see and remove on a contract, bad files refused on the field."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from pypdf import PdfWriter

from commissioning import roles
from commissioning.documents import attach_document, document_versions, documents_for, documents_of_records
from commissioning.models import Document
from tests.factories import ContractChangeFactory, ContractFactory, StrategyFactory, UserFactory

pytestmark = pytest.mark.django_db


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf(name: str = "signed-contract.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _user(role: str, username: str, **kwargs):
    user = UserFactory(username=username, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def people(directorate):
    return {
        "officer": _user(roles.CONTRACT_OFFICER, "doc-officer"),
        "commissioner": _user(roles.COMMISSIONER, "doc-commissioner", directorate=directorate),
        "councillor": _user(roles.SCRUTINY_MEMBER, "doc-councillor"),
        "administrator": _user(roles.ADMINISTRATOR, "doc-admin", is_staff=True),
    }


@pytest.fixture
def contract(directorate):
    return ContractFactory(directorate=directorate)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _attach_url(record) -> str:
    return reverse("document-attach", args=[record._meta.app_label, record._meta.model_name, record.pk])


# Written by hand: who may attach to, see the documents of, and remove from a contract.
EXPECTED = {
    # actor: (attach POST, contract page lists documents, remove POST)
    "officer": (302, True, 302),
    "commissioner": (403, True, 403),
    "councillor": (404, False, 404),
    "administrator": (302, True, 302),
}


@pytest.mark.parametrize("actor", list(EXPECTED))
def test_who_may_attach_see_and_remove_documents_on_a_contract(people, contract, actor):
    attach_status, sees, remove_status = EXPECTED[actor]
    user = people[actor]
    client = _client(user)
    existing = attach_document(to=contract, file=pdf(), title="Signed contract", by=people["officer"])

    attached = client.post(_attach_url(contract), {"title": "Variation letter", "file": pdf("variation.pdf")})
    removed = client.post(reverse("document-remove", args=[existing.pk]))

    assert attached.status_code == attach_status
    assert Document.objects.filter(title="Variation letter").exists() == (attach_status == 302)
    assert documents_for(obj=contract, user=user).exists() == sees
    assert removed.status_code == remove_status
    assert Document.objects.filter(pk=existing.pk).exists() == (remove_status != 302)


def test_attaching_returns_to_the_record_page(people, contract):
    response = _client(people["officer"]).post(
        _attach_url(contract), {"title": "Signed contract", "file": pdf(), "next": f"/contracts/{contract.pk}/"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/contracts/{contract.pk}/"


def test_a_next_address_off_the_site_is_not_followed(people, contract):
    response = _client(people["officer"]).post(
        _attach_url(contract), {"title": "Signed contract", "file": pdf(), "next": "https://evil.example/"}
    )

    assert response["Location"] == contract.get_absolute_url()


def test_a_changes_documents_are_kept_by_whoever_keeps_its_contract(people, contract):
    """A variation letter goes on the change, with the contract's rights: officers attach it, commissioners
    read it, councillors never see it."""
    change = ContractChangeFactory(contract=contract)

    response = _client(people["officer"]).post(_attach_url(change), {"title": "Variation letter", "file": pdf()})

    assert response.status_code == 302
    assert response["Location"] == change.get_absolute_url()
    assert (
        _client(people["commissioner"]).post(_attach_url(change), {"title": "Mine", "file": pdf()}).status_code == 403
    )
    assert [d.title for d in documents_for(obj=change, user=people["commissioner"])] == ["Variation letter"]
    assert list(documents_for(obj=change, user=people["councillor"])) == []


def test_a_file_of_the_wrong_type_is_refused_on_the_file_field(people, contract):
    bad = SimpleUploadedFile("invoice.exe", b"MZ\x90\x00", content_type="application/octet-stream")

    response = _client(people["officer"]).post(_attach_url(contract), {"title": "Invoice", "file": bad})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "A .exe file cannot be attached. The selected file must be a PDF, Word (.docx), Excel (.xlsx), CSV, PNG or "
        "JPEG file."
    ]
    assert not Document.objects.exists()


def test_a_file_too_large_is_refused_on_the_file_field(people, contract, settings):
    settings.DOCUMENT_MAX_BYTES = 1024

    response = _client(people["officer"]).post(
        _attach_url(contract), {"title": "Returns", "file": SimpleUploadedFile("returns.csv", b"a,b\n" * 1000)}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The selected file is 3.9\xa0KB: it must be smaller than 1.0\xa0KB."
    ]
    assert "Error: Attach a document" in response.content.decode()
    assert not Document.objects.exists()


def test_missing_title_and_file_are_named(people, contract):
    response = _client(people["officer"]).post(_attach_url(contract), {})

    assert response.context["form"].errors == {
        "title": ["Enter a title for the document"],
        "file": ["Select a file to attach"],
    }


def test_a_record_not_on_the_allow_list_is_not_found(people, directorate):
    strategy = StrategyFactory(directorate=directorate)

    response = _client(people["administrator"]).post(_attach_url(strategy), {"title": "Plan", "file": pdf()})

    assert response.status_code == 404


def test_an_unknown_model_or_record_is_not_found(people):
    client = _client(people["officer"])

    assert client.get("/documents/attach/contracts/nosuchmodel/1/").status_code == 404
    assert client.get("/documents/attach/contracts/contract/999999/").status_code == 404


def test_a_second_document_with_the_same_title_is_a_new_version_and_both_are_kept(people, contract):
    officer = people["officer"]
    first = attach_document(to=contract, file=pdf("v1.pdf"), title="Signed contract", by=officer)
    other = attach_document(to=contract, file=pdf("letter.pdf"), title="Variation letter", by=officer)
    second = attach_document(to=contract, file=pdf("v2.pdf"), title="signed  Contract ", by=officer)

    grouped = document_versions(documents_for(obj=contract, user=officer))

    assert [(group.latest, group.version, group.earlier) for group in grouped] == [
        (second, 2, [(1, first)]),
        (other, 1, []),
    ]


def _render_include(user, record) -> str:
    request = RequestFactory().get(record.get_absolute_url())
    request.user = user
    return render_to_string(
        "commissioning/includes/documents.html",
        {"record": record, "documents": documents_for(obj=record, user=user)},
        request=request,
    )


def test_the_include_lists_versions_with_remove_buttons_and_the_form_for_an_officer(people, contract):
    officer = people["officer"]
    attach_document(to=contract, file=pdf("v1.pdf"), title="Signed contract", by=officer)
    attach_document(to=contract, file=pdf("v2.pdf"), title="Signed contract", by=officer)

    html = _render_include(officer, contract)

    assert "Signed contract" in html
    assert "Version 2" in html
    assert "Version 1" in html
    assert "v1.pdf" in html
    assert html.count("Remove<span") == 2
    assert 'enctype="multipart/form-data"' in html
    assert _attach_url(contract) in html
    assert f"Uploaded by {officer}" in html


def test_the_include_shows_a_commissioner_the_documents_without_buttons_or_form(people, contract):
    attach_document(to=contract, file=pdf(), title="Signed contract", by=people["officer"])

    html = _render_include(people["commissioner"], contract)

    assert "Signed contract" in html
    assert "Remove<span" not in html
    assert "Attach a document" not in html


def test_the_include_runs_no_query_beyond_the_documents(people, contract, django_assert_max_num_queries):
    officer = people["officer"]
    for n in range(10):
        attach_document(to=contract, file=pdf(), title=f"Evidence {n}", by=officer)
    officer.get_all_permissions()  # the user's permissions are read once per request anyway

    with django_assert_max_num_queries(2):
        html = _render_include(officer, contract)

    assert html.count("Remove<span") == 10


def test_a_document_attached_to_a_contract_is_on_its_timeline(people, contract):
    officer = _client(people["officer"])
    officer.post(_attach_url(contract), {"title": "Signed contract", "file": pdf()})

    page = _client(people["commissioner"]).get(contract.get_absolute_url()).content.decode()

    timeline = page.split('<h2 class="govuk-heading-m">Timeline</h2>', 1)[1].split("</ol>", 1)[0]
    assert "Document added:" in timeline
    assert "Signed contract" in timeline


def test_a_changes_document_is_on_its_contracts_timeline_for_those_who_may_see_the_contract(people, contract):
    change = ContractChangeFactory(contract=contract)
    _client(people["officer"]).post(_attach_url(change), {"title": "Variation letter", "file": pdf()})

    page = _client(people["commissioner"]).get(contract.get_absolute_url()).content.decode()

    timeline = page.split('<h2 class="govuk-heading-m">Timeline</h2>', 1)[1].split("</ol>", 1)[0]
    assert "Document added to a change:" in timeline
    assert "Variation letter" in timeline
    assert f"/contracts/{contract.pk}/changes/{change.pk}/" in timeline
    assert not documents_of_records(
        model=type(change), object_ids=[change.pk], governing=contract, user=people["councillor"]
    ).exists()


def test_removing_a_document_asks_first_and_removes_nothing_until_confirmed(client_as_officer, contract_officer):
    contract = ContractFactory()
    document = attach_document(
        to=contract,
        file=SimpleUploadedFile("variation.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
        title="Variation letter",
        by=contract_officer,
    )
    record_page = client_as_officer.get(contract.get_absolute_url()).content.decode()
    remove_url = reverse("document-remove", args=[document.pk])
    assert f'href="{remove_url}?next=' in record_page

    asked = client_as_officer.get(remove_url, {"next": contract.get_absolute_url()})

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Remove Variation letter?" in page
    assert "variation.pdf" in page
    assert "cannot be brought back" in page
    assert Document.objects.filter(pk=document.pk).exists()

    removed = client_as_officer.post(remove_url, {"next": contract.get_absolute_url()})
    assert removed.status_code == 302
    assert removed["Location"] == contract.get_absolute_url()
    assert not Document.objects.filter(pk=document.pk).exists()
