"""Documents attached to records: checked before they are stored, seen and downloaded only by those who may see
the record, changed only by those who may change it."""

import hashlib
import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter

from commissioning import documents as documents_module
from commissioning import permissions, roles
from commissioning.documents import attach_document, documents_for, remove_document
from commissioning.models import Document
from strategies.models import CommissioningStrategy
from tests.factories import ContractFactory, DirectorateFactory, StrategyFactory, UserFactory

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Real files, and files that only look like them ----------------------------------------------------------


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Improvement plan"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Measure", "Q1", "Q2"])
    workbook.active.append(["Delayed transfers of care", 12, 9])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes(*, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def image_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#1d70b8").save(buffer, format=kind)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("invoice.exe", b"MZ\x90\x00")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A real workbook that is a few hundred kilobytes but unpacks to over 200 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(201):
                member.write(chunk)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- The people and the records ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def strategies_belong_to_their_directorate(monkeypatch):
    """A stand-in until strategies say which directorate owns them (permissions.OwnedByDirectorate)."""
    if not hasattr(CommissioningStrategy, "owning_directorate_id"):
        monkeypatch.setattr(
            CommissioningStrategy, "owning_directorate_id", property(lambda s: s.directorate_id), raising=False
        )


def _with_role(role, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def strategy(directorate):
    return StrategyFactory(directorate=directorate)


@pytest.fixture
def other_commissioner(db):
    return _with_role(roles.COMMISSIONER, username="other.commissioner", directorate=DirectorateFactory(code="pe"))


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


# --- Attaching -----------------------------------------------------------------------------------------------


def test_a_commissioner_attaches_a_real_pdf_to_their_strategy(commissioner, strategy, media):
    content = pdf_bytes()

    document = attach_document(
        to=strategy, file=upload("Market position – 2019.pdf", content), title=" Market position ", by=commissioner
    )

    document.refresh_from_db()
    assert document.content_object == strategy
    assert document.title == "Market position"
    assert document.original_filename == "Market position – 2019.pdf"
    assert document.mime_type == "application/pdf"
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by == commissioner
    assert document.file.name.startswith("documents/")
    assert "Market" not in document.file.name  # stored under a random name
    assert document.file.read() == content
    assert document.history.get().history_user == commissioner


@pytest.mark.parametrize(
    ("name", "make", "mime_type"),
    [
        ("Performance.xlsx", xlsx_bytes, XLSX),
        ("Variation letter.docx", docx_bytes, DOCX),
        ("Visit photo.png", lambda: image_bytes("PNG"), "image/png"),
        ("Visit photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
        ("Visit photo.JPEG", lambda: image_bytes("JPEG"), "image/jpeg"),
        ("Returns.csv", lambda: "Provider,Hours\nCafé Care,120\n".encode(), "text/csv"),
    ],
)
def test_each_accepted_kind_of_file_is_stored_as_what_it_really_is(commissioner, strategy, name, make, mime_type):
    document = attach_document(to=strategy, file=upload(name, make(), "text/html"), title="Evidence", by=commissioner)

    assert document.mime_type == mime_type  # from the checked extension, never the browser's claim


def _refusal(commissioner, strategy, file) -> list[str]:
    with pytest.raises(ValidationError) as error:
        attach_document(to=strategy, file=file, title="Evidence", by=commissioner)
    return error.value.message_dict["file"]


@pytest.mark.parametrize("name", ["invoice.exe", "plan.pdf.html", "minutes.doc", "archive.zip"])
def test_other_kinds_of_file_are_refused_naming_the_type(commissioner, strategy, media, name):
    extension = name.rsplit(".", 1)[-1]

    assert _refusal(commissioner, strategy, upload(name, b"%PDF-1.7 whatever")) == [
        f"A .{extension} file cannot be attached. The selected file must be a PDF, Word (.docx), Excel (.xlsx), "
        "CSV, PNG or JPEG file."
    ]
    assert stored_files(media) == []


def test_a_file_with_no_type_is_refused(commissioner, strategy):
    assert _refusal(commissioner, strategy, upload("plan", pdf_bytes())) == [
        "The selected file has no file type (such as .pdf). It must be a PDF, Word (.docx), Excel (.xlsx), CSV, "
        "PNG or JPEG file."
    ]


def test_a_file_over_the_limit_is_refused_naming_the_limit(commissioner, strategy, settings, media):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024

    messages = _refusal(commissioner, strategy, upload("returns.csv", b"a,b\n" * 300_000))

    assert messages == ["The selected file is 1.1\xa0MB: it must be smaller than 1.0\xa0MB."]
    assert stored_files(media) == []


def test_the_limit_is_10_mb_unless_set(commissioner, strategy, settings):
    if hasattr(settings, "DOCUMENT_MAX_BYTES"):
        del settings.DOCUMENT_MAX_BYTES
    content = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)

    assert _refusal(commissioner, strategy, upload("scan.pdf", content)) == [
        "The selected file is 10.0\xa0MB: it must be smaller than 10.0\xa0MB."
    ]


def test_an_empty_file_is_refused(commissioner, strategy):
    assert _refusal(commissioner, strategy, upload("plan.pdf", b"")) == ["The selected file is empty."]


def test_a_pdf_that_is_really_a_zip_is_refused(commissioner, strategy, media):
    assert _refusal(commissioner, strategy, upload("improvement plan.pdf", zip_bytes())) == [
        "The selected file is not a real .pdf file. Save it again as .pdf and upload that."
    ]
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "make"),
    [("photo.png", lambda: image_bytes("JPEG")), ("photo.jpg", lambda: image_bytes("PNG")), ("plan.docx", pdf_bytes)],
)
def test_content_that_does_not_match_the_name_is_refused(commissioner, strategy, name, make):
    extension = name.rsplit(".", 1)[-1]
    assert _refusal(commissioner, strategy, upload(name, make())) == [
        f"The selected file is not a real .{extension} file. Save it again as .{extension} and upload that."
    ]


def test_a_zip_renamed_to_docx_is_refused(commissioner, strategy):
    assert _refusal(commissioner, strategy, upload("letter.docx", zip_bytes())) == [
        "The selected file is not a real .docx file (Word document). Save it again as .docx and upload that."
    ]


def test_a_workbook_renamed_to_docx_is_refused(commissioner, strategy):
    assert _refusal(commissioner, strategy, upload("letter.docx", xlsx_bytes())) == [
        "The selected file is not a real .docx file (Word document). Save it again as .docx and upload that."
    ]


def test_a_program_renamed_to_csv_is_refused(commissioner, strategy):
    assert _refusal(commissioner, strategy, upload("returns.csv", b"MZ\x90\x00\x03\x00\x00\x00")) == [
        "The selected file is not a .csv file: it contains binary data."
    ]


def test_a_zip_bomb_workbook_is_refused_naming_the_limit(commissioner, strategy, media, zip_bomb):
    assert len(zip_bomb) < 1024 * 1024

    assert _refusal(commissioner, strategy, upload("returns.xlsx", zip_bomb)) == [
        "The selected file would unpack to more than 200.0\xa0MB when opened, so it cannot be attached. "
        "Save it again without the unused content and upload that."
    ]
    assert stored_files(media) == []


def test_a_word_document_that_unpacks_too_far_is_refused(commissioner, strategy, monkeypatch):
    monkeypatch.setattr(documents_module, "MAX_EXPANDED_BYTES", 1024 * 1024)
    bomb = docx_bytes(extra={"word/media/padding.xml": b"\0" * (2 * 1024 * 1024)})

    assert _refusal(commissioner, strategy, upload("letter.docx", bomb)) == [
        "The selected file would unpack to more than 1.0\xa0MB when opened, so it cannot be attached. "
        "Save it again without the unused content and upload that."
    ]


def test_an_archive_of_very_many_parts_is_refused(commissioner, strategy, monkeypatch):
    monkeypatch.setattr(documents_module, "MAX_ARCHIVE_MEMBERS", 5)
    many = docx_bytes(extra={f"word/part{n}.xml": b"<p/>" for n in range(5)})

    assert "would unpack to more than" in _refusal(commissioner, strategy, upload("letter.docx", many))[0]


def test_a_macro_enabled_document_renamed_to_docx_is_refused(commissioner, strategy):
    macros = docx_bytes(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})

    assert _refusal(commissioner, strategy, upload("letter.docx", macros)) == [
        "The selected file contains macros, which cannot be attached. Save it as a .docx file without macros "
        "and upload that."
    ]


def test_a_title_is_needed(commissioner, strategy, media):
    with pytest.raises(ValidationError) as error:
        attach_document(to=strategy, file=upload("plan.pdf", pdf_bytes()), title="  ", by=commissioner)

    assert error.value.message_dict == {"title": ["Enter a title for the document."]}
    assert stored_files(media) == []


def test_a_name_with_folders_in_it_keeps_only_the_file_name(commissioner, strategy):
    document = attach_document(to=strategy, file=upload("plan.pdf", pdf_bytes()), title="Plan", by=commissioner)
    assert documents_module.clean_filename("..\\..\\Windows\\plan\x00.pdf", "pdf") == "plan_.pdf"
    assert documents_module.clean_filename('"quoted".pdf', "pdf") == "_quoted_.pdf"
    assert document.original_filename == "plan.pdf"


# --- Who may attach, see and remove --------------------------------------------------------------------------


def test_a_commissioner_of_another_directorate_may_not_attach_and_nothing_is_stored(
    other_commissioner, strategy, media
):
    with pytest.raises(PermissionDenied, match="only your own directorate"):
        attach_document(to=strategy, file=upload("plan.pdf", pdf_bytes()), title="Plan", by=other_commissioner)

    assert not Document.objects.exists()
    assert stored_files(media) == []


def test_permission_is_checked_before_the_file_is_read(other_commissioner, strategy):
    with pytest.raises(PermissionDenied):
        attach_document(to=strategy, file=upload("plan.exe", b"MZ"), title="Plan", by=other_commissioner)


def test_a_councillor_may_not_attach_to_a_strategy(scrutiny_member, strategy):
    with pytest.raises(PermissionDenied):
        attach_document(to=strategy, file=upload("plan.pdf", pdf_bytes()), title="Plan", by=scrutiny_member)


def test_documents_are_listed_newest_first_for_those_who_may_see_the_record(commissioner, strategy):
    first = attach_document(to=strategy, file=upload("a.pdf", pdf_bytes()), title="First", by=commissioner)
    second = attach_document(to=strategy, file=upload("b.csv", b"a,b\n"), title="Second", by=commissioner)
    attach_document(
        to=StrategyFactory(directorate=strategy.directorate),
        file=upload("c.csv", b"a\n"),
        title="Else",
        by=commissioner,
    )

    assert list(documents_for(obj=strategy, user=commissioner)) == [second, first]


def test_who_sees_a_records_documents_follows_who_may_view_the_record(
    commissioner, other_commissioner, contract_officer, scrutiny_member, administrator, strategy
):
    contract = ContractFactory(directorate=strategy.directorate)
    attach_document(to=strategy, file=upload("a.pdf", pdf_bytes()), title="Strategy paper", by=commissioner)
    attach_document(to=contract, file=upload("b.pdf", pdf_bytes()), title="Contract letter", by=contract_officer)

    for user in (commissioner, other_commissioner, contract_officer, scrutiny_member, administrator):
        for record in (strategy, contract):
            may_view = permissions.may(user, f"{record._meta.app_label}.view_{record._meta.model_name}", record)
            assert documents_for(obj=record, user=user).exists() == may_view, (user, record)
    # Councillors never see contract papers, whoever's directorate.
    assert not documents_for(obj=contract, user=scrutiny_member).exists()
    assert documents_for(obj=contract, user=contract_officer).exists()


def test_the_owner_removes_a_document_and_its_file_goes_once_committed(
    commissioner, strategy, media, django_capture_on_commit_callbacks
):
    document = attach_document(to=strategy, file=upload("a.pdf", pdf_bytes()), title="Old plan", by=commissioner)
    name = document.file.name

    with django_capture_on_commit_callbacks(execute=True):
        remove_document(document=document, by=commissioner)

    assert not Document.objects.exists()
    assert not default_storage.exists(name)
    removal = Document.history.filter(history_type="-").get()
    assert (removal.title, removal.history_user) == ("Old plan", commissioner)


def test_a_commissioner_of_another_directorate_may_not_remove_a_document(commissioner, other_commissioner, strategy):
    document = attach_document(to=strategy, file=upload("a.pdf", pdf_bytes()), title="Plan", by=commissioner)

    with pytest.raises(PermissionDenied):
        remove_document(document=document, by=other_commissioner)

    assert Document.objects.filter(pk=document.pk).exists()
    assert default_storage.exists(document.file.name)


# --- Downloading ---------------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_document_downloads_as_an_attachment_that_is_not_kept(commissioner, strategy):
    content = pdf_bytes()
    document = attach_document(
        to=strategy, file=upload("Market position – 2019.pdf", content), title="Plan", by=commissioner
    )

    response = _client(commissioner).get(reverse("document-download", args=[document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Market%20position%20%E2%80%93%202019.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_councillor_may_not_download_a_contract_paper(contract_officer, scrutiny_member):
    contract = ContractFactory()
    document = attach_document(to=contract, file=upload("a.pdf", pdf_bytes()), title="Letter", by=contract_officer)

    assert _client(scrutiny_member).get(reverse("document-download", args=[document.pk])).status_code == 404
    assert _client(contract_officer).get(reverse("document-download", args=[document.pk])).status_code == 200


def test_downloads_follow_who_may_view_the_record(commissioner, other_commissioner, scrutiny_member, strategy):
    document = attach_document(to=strategy, file=upload("a.pdf", pdf_bytes()), title="Plan", by=commissioner)

    for user in (commissioner, other_commissioner, scrutiny_member):
        may_view = permissions.may(user, "strategies.view_commissioningstrategy", strategy)
        status = _client(user).get(reverse("document-download", args=[document.pk])).status_code
        assert status == (200 if may_view else 404), user


def test_a_document_that_does_not_exist_is_not_found(administrator):
    assert _client(administrator).get(reverse("document-download", args=[999])).status_code == 404


def test_a_document_whose_file_has_gone_is_not_found(commissioner, strategy):
    document = attach_document(to=strategy, file=upload("a.pdf", pdf_bytes()), title="Plan", by=commissioner)
    default_storage.delete(document.file.name)

    assert _client(commissioner).get(reverse("document-download", args=[document.pk])).status_code == 404


def test_stored_documents_are_not_served_from_media(commissioner, administrator, strategy):
    document = attach_document(to=strategy, file=upload("a.pdf", pdf_bytes()), title="Plan", by=commissioner)

    assert _client(administrator).get(f"/media/{document.file.name}").status_code == 404


def test_downloading_needs_a_get(commissioner, strategy):
    document = attach_document(to=strategy, file=upload("a.pdf", pdf_bytes()), title="Plan", by=commissioner)

    assert _client(commissioner).post(reverse("document-download", args=[document.pk])).status_code == 405


# --- The admin shows documents and notifications, and changes them only through the services ----------------


def test_the_admin_lists_documents_but_does_not_add_change_or_delete_them(client_as_admin, commissioner, strategy):
    document = attach_document(to=strategy, file=upload("a.pdf", pdf_bytes()), title="Plan", by=commissioner)

    assert client_as_admin.get(reverse("admin:commissioning_document_changelist")).status_code == 200
    assert client_as_admin.get(reverse("admin:commissioning_document_add")).status_code == 403
    assert client_as_admin.get(reverse("admin:commissioning_document_delete", args=[document.pk])).status_code == 403
    change = client_as_admin.get(reverse("admin:commissioning_document_change", args=[document.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert client_as_admin.get(reverse("admin:commissioning_notification_changelist")).status_code == 200
    assert client_as_admin.get(reverse("admin:commissioning_notification_add")).status_code == 403


def test_the_admin_removes_documents_through_remove_document(
    client_as_admin, administrator, commissioner, strategy, django_capture_on_commit_callbacks
):
    document = attach_document(to=strategy, file=upload("a.pdf", pdf_bytes()), title="Plan", by=commissioner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as_admin.post(
            reverse("admin:commissioning_document_changelist"),
            {"action": "remove_documents", "_selected_action": [document.pk]},
        )

    assert response.status_code == 302
    assert not Document.objects.exists()
    assert not default_storage.exists(document.file.name)
    assert Document.history.filter(history_type="-").get().history_user == administrator


# --- Need to know: a restricted record's files --------------------------------------------------------------


def test_a_safeguarding_concerns_documents_are_need_to_know_like_the_concern(administrator, contract_officer):
    from oversight.models import Concern
    from tests.factories import ConcernFactory

    concern = ConcernFactory(kind=Concern.Kind.SAFEGUARDING)
    lead = _with_role(roles.SAFEGUARDING_LEAD, username="safeguarding.lead")
    lead.groups.add(Group.objects.get(name=roles.CONTRACT_OFFICER))
    document = attach_document(to=concern, file=upload("Strategy meeting.pdf", pdf_bytes()), title="Notes", by=lead)
    url = reverse("document-download", args=[document.pk])

    def status(user) -> int:
        client = Client()
        client.force_login(user)
        return client.get(url).status_code

    # An officer with no part in the provider's contracts knows the id but is refused, as on the concern's page.
    assert status(contract_officer) == 404
    assert status(lead) == 200
    assert status(administrator) == 200
    assert documents_module.may_view_documents_of(user=contract_officer, obj=concern) is False
    assert list(documents_module.documents_visible_to(contract_officer, {Concern: Concern})) == []
    assert list(documents_module.documents_visible_to(lead, {Concern: Concern})) == [document]
