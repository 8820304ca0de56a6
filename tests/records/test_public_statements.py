"""The accessibility statement and the privacy notice: public, in the model statement's structure, and edited
by administrators only."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from records.models import PublicStatement
from records.public import statement_update

pytestmark = pytest.mark.django_db

ACCESSIBILITY_HEADINGS = [
    "Accessibility statement for Commissioning management",
    "How accessible this website is",
    "Feedback and contact information",
    "Reporting accessibility problems with this website",
    "Enforcement procedure",
    "Technical information about this website&#x27;s accessibility",
    "Compliance status",
    "Non-accessible content",
    "What we&#x27;re doing to improve accessibility",
    "Preparation of this accessibility statement",
]


@pytest.mark.parametrize("method", ["get", "head"])
def test_the_accessibility_statement_answers_without_signing_in(method):
    response = getattr(Client(), method)("/accessibility/")
    assert response.status_code == 200
    if method == "get":
        page = response.content.decode()
        positions = [page.index(heading) for heading in ACCESSIBILITY_HEADINGS]
        assert positions == sorted(positions)  # the model statement's order
        assert "The results of the automated check have not been recorded yet." in page


def test_the_privacy_notice_answers_without_signing_in_and_names_the_controller_and_bases(settings):
    settings.COUNCIL_NAME = "Borsetshire County Council"
    page = Client().get("/privacy/").content.decode()
    assert "Borsetshire County Council is the data controller" in page
    assert "article 6(1)(e)" in page
    assert "article 9(2)(g)" in page
    assert "article 9(2)(h)" in page
    assert "Information Commissioner" in page


def test_only_reading_is_open(client):
    assert Client().post("/accessibility/").status_code == 405


def test_the_statements_are_linked_from_every_page_footer():
    page = Client().get("/privacy/").content.decode()
    assert 'href="/accessibility/">Accessibility statement</a>' in page
    assert 'href="/privacy/">Privacy notice</a>' in page


@pytest.mark.parametrize("url", ["/accessibility/edit/", "/privacy/edit/"])
def test_editing_asks_an_anonymous_visitor_to_sign_in(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_client", ["client_as_officer", "client_as_commissioner", "client_as_scrutiny"])
@pytest.mark.parametrize("url", ["/accessibility/edit/", "/privacy/edit/"])
def test_only_administrators_edit_the_statements(role_client, url, request):
    client = request.getfixturevalue(role_client)
    assert client.get(url).status_code == 403
    assert client.post(url, {"body": "## Hijacked"}).status_code == 403
    assert not PublicStatement.objects.exists()


def test_an_administrator_edits_the_statement_and_html_is_shown_as_text(client_as_admin):
    response = client_as_admin.post(
        "/accessibility/edit/",
        {
            "body": "## How accessible this website is\nMostly.\n\n<script>alert(1)</script>",
            "pages_checked": "42",
            "serious_violations": "0",
            "date_checked_0": "3",
            "date_checked_1": "2",
            "date_checked_2": "2025",
        },
    )
    assert response.status_code == 302
    page = Client().get("/accessibility/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<h2 class="govuk-heading-m">How accessible this website is</h2>' in page
    assert "42</dd>" in page
    assert "3 February 2025" in page
    assert PublicStatement.objects.get().history.count() == 1


def test_check_results_come_together(administrator):
    with pytest.raises(ValidationError) as refused:
        statement_update(kind="accessibility", by=administrator, body="Text", pages_checked=42)
    assert set(refused.value.message_dict) == {"serious_violations", "date_checked"}
