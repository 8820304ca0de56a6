"""Subject access search, export and redaction (issue 20)."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from commissioning.models import RecordRead
from oversight.models import Concern, PlanAction, Visit
from records import subject_access
from records.models import Redaction, SubjectAccessSearch
from tests.factories import (
    ConcernFactory,
    PlanActionFactory,
    PublishedScrutinyPackFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

NAME = "Maud Pelham"


@pytest.fixture
def planted():
    return {
        "visit": VisitFactory(findings=f"Spoke with {NAME} about her care plan."),
        "concern": ConcernFactory(summary=f"{NAME.upper()} fell twice in May.", kind=Concern.Kind.SAFEGUARDING),
        "action": PlanActionFactory(description="Review falls risk for maud  pelham by June."),
        "unrelated": VisitFactory(findings="Maudlin decor; Pelhamshire staff."),
    }


def _search(admin, terms=NAME):
    return subject_access.subject_access_search(terms=terms, reference="SAR-2024-17", reason="Art. 15", by=admin)


def test_name_planted_in_three_record_types_is_found_with_snippets(administrator, planted):
    search, result = _search(administrator)

    found = {(hit.source.key, hit.record.pk, hit.field): hit.snippet for hit in result.hits}
    assert found == {
        ("oversight.visit", planted["visit"].pk, "findings"): f"Spoke with {NAME} about her care plan.",
        ("oversight.concern", planted["concern"].pk, "summary"): "MAUD PELHAM fell twice in May.",
        ("oversight.planaction", planted["action"].pk, "description"): "Review falls risk for maud pelham by June.",
    }
    assert search.result_count == 3
    assert search.by == administrator
    assert search.reference == "SAR-2024-17"
    # The safeguarding concern is restricted: its read is logged.
    assert RecordRead.objects.filter(model="concern", object_id=planted["concern"].pk, user=administrator).count() == 1


def test_a_named_user_is_found(administrator, planted):
    planted["visit"].officer = administrator
    planted["visit"].save()
    administrator.first_name, administrator.last_name = "Ada", "Quill"
    administrator.save()

    _search_row, result = _search(administrator, terms="ada quill")

    assert [(hit.source.key, hit.field) for hit in result.hits] == [("oversight.visit", "officer")]


@pytest.mark.parametrize(
    ("terms", "message"),
    [("ab", "at least 3"), ("x" * 201, "at most 200"), ("  ", "Enter a name")],
)
def test_terms_are_validated_naming_the_field(client_as_admin, terms, message):
    response = client_as_admin.post(reverse("records:subject_access"), {"terms": terms, "reference": "R1"})

    assert response.status_code == 200
    assert message in str(response.context["form"].errors["terms"])
    assert not SubjectAccessSearch.objects.exists()


def test_search_page_redirects_to_results(client_as_admin, planted):
    response = client_as_admin.post(
        reverse("records:subject_access"), {"terms": NAME, "reference": "SAR-1", "reason": ""}
    )
    search = SubjectAccessSearch.objects.get()
    assert response.status_code == 302
    assert response.url == search.get_absolute_url()

    page = client_as_admin.get(response.url)
    assert page.status_code == 200
    assert "Visit (1)" in page.content.decode()
    assert "Concern (1)" in page.content.decode()


def test_csv_export_contains_the_hits(client_as_admin, administrator, planted):
    search, _ = _search(administrator)

    content = client_as_admin.get(reverse("records:subject_access_export_csv", args=[search.pk])).content.decode()

    assert "SAR-2024-17" in content
    assert f"Spoke with {NAME} about her care plan." in content
    assert "MAUD PELHAM fell twice" in content
    assert "maud pelham by June" in content
    assert "Maudlin" not in content


def test_pdf_export_contains_the_hits(client_as_admin, administrator, planted):
    search, _ = _search(administrator)

    response = client_as_admin.get(reverse("records:subject_access_export_pdf", args=[search.pk]))

    assert response.content.startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "SAR-2024-17" in text
    assert "MAUD PELHAM fell twice" in text
    assert "maud pelham by June" in text


def test_redaction_replaces_in_chosen_records_only(client_as_admin, administrator, planted):
    search, result = _search(administrator)
    visit_choice = f"oversight.visit:{planted['visit'].pk}:findings"
    action_choice = f"oversight.planaction:{planted['action'].pk}:description"
    data = {"choices": [visit_choice, action_choice], "replacement": "", "reason": "Erasure request SAR-2024-17"}

    preview = client_as_admin.post(reverse("records:subject_access_redact", args=[search.pk]), data)
    assert preview.status_code == 200
    assert "Confirm the redaction" in preview.content.decode()
    assert not Redaction.objects.exists()  # the first POST only shows what will change

    done = client_as_admin.post(reverse("records:subject_access_redact", args=[search.pk]), {**data, "confirm": "True"})
    assert done.status_code == 302

    assert Visit.objects.get(pk=planted["visit"].pk).findings == "Spoke with [redacted] about her care plan."
    assert PlanAction.objects.get(pk=planted["action"].pk).description == "Review falls risk for [redacted] by June."
    assert Concern.objects.get(pk=planted["concern"].pk).summary == "MAUD PELHAM fell twice in May."
    logged = sorted(Redaction.objects.values_list("model", "object_id", "field", "replacements", "by"))
    assert logged == sorted(
        [
            ("visit", planted["visit"].pk, "findings", 1, administrator.pk),
            ("planaction", planted["action"].pk, "description", 1, administrator.pk),
        ]
    )
    assert not any(NAME.lower() in r.reason.lower() for r in Redaction.objects.all())
    # The history row names the redactor; earlier history holds no trace.
    visit = Visit.objects.get(pk=planted["visit"].pk)
    assert visit.history.first().history_user == administrator
    assert all("Pelham" not in row.findings for row in visit.history.all())

    _again, result = _search(administrator)
    assert [hit.source.key for hit in result.hits] == ["oversight.concern"]


def test_published_pack_is_listed_but_not_redacted(administrator):
    pack = PublishedScrutinyPackFactory(summary=f"Thanks to {NAME}.")
    search, result = _search(administrator)

    [hit] = result.hits
    assert not hit.redactable
    assert "new revision" in hit.not_redactable
    with pytest.raises(Exception, match="cannot be redacted"):
        subject_access.records_redact(
            search=search, choices=[hit.choice], replacement="", reason="Erasure", by=administrator
        )
    pack.refresh_from_db()
    assert pack.summary == f"Thanks to {NAME}."


@pytest.mark.parametrize("client_name", ["client_as_officer", "client_as_scrutiny"])
def test_officers_and_councillors_are_refused_every_page(request, administrator, client_name, planted):
    client = request.getfixturevalue(client_name)
    search, _ = _search(administrator)
    for method, name, args in [
        ("get", "records:subject_access", []),
        ("post", "records:subject_access", []),
        ("get", "records:subject_access_results", [search.pk]),
        ("get", "records:subject_access_export_csv", [search.pk]),
        ("get", "records:subject_access_export_pdf", [search.pk]),
        ("post", "records:subject_access_redact", [search.pk]),
        ("get", "records:redactions", []),
    ]:
        response = getattr(client, method)(reverse(name, args=args), {"terms": NAME, "reference": "X"})
        assert response.status_code == 403, (method, name)


def test_nonsense_input_gives_no_500(client_as_admin, administrator):
    search, _ = _search(administrator)
    url = reverse("records:subject_access_redact", args=[search.pk])
    assert client_as_admin.post(url, {"choices": ["nope:1:x"], "reason": "r"}).status_code == 400
    assert client_as_admin.post(url, {}).status_code == 400
    assert (
        client_as_admin.post(reverse("records:subject_access"), {"terms": "(*)[?]", "reference": "R"}).status_code
        == 302
    )


def test_search_runs_constant_queries(administrator, django_assert_max_num_queries):
    for number in range(15):
        VisitFactory(findings=f"{NAME} visited {number}")
        ConcernFactory(summary=f"{NAME} concern {number}", kind=Concern.Kind.SAFEGUARDING)
        PlanActionFactory(description=f"{NAME} action {number}")
    # users + one per source + one read-log insert + the search row
    with django_assert_max_num_queries(len(subject_access.SOURCES) + 4):
        _search_row, result = _search(administrator)
    assert len(result.hits) == 45
