"""The Django admin of strategies and highlight reports writes through the services: a workflow-governed field is
never typed in, an approved report is frozen, a report's timeline is not edited, nothing is deleted and no
history version is reverted to."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from strategies.models import CommissioningStrategy, HighlightReport, Outcome, ReportEvent
from tests.factories import ApprovedHighlightReportFactory, HighlightReportFactory, StrategyFactory

pytestmark = pytest.mark.django_db

Status = HighlightReport.Status


class _FormFields(HTMLParser):
    """The fields a browser would send from the page's main form (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, object] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            else:
                self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] = str(self.data[self._textarea]) + data.removeprefix("\n")


def admin_form(client, url: str) -> dict:
    """What the admin's change form at ``url`` sends back untouched."""
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields()
    parser.feed(response.content.decode())
    return {name: value for name, value in parser.data.items() if name != "csrfmiddlewaretoken"}


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def strategy(directorate):
    return StrategyFactory(directorate=directorate, name="Carers")


def test_an_approved_report_cannot_be_changed_in_the_admin(client_as_admin, strategy):
    report = ApprovedHighlightReportFactory(strategy=strategy, summary="As approved.")
    page = client_as_admin.get(change_url(report))

    response = client_as_admin.post(change_url(report), {"summary": "Rewritten.", "status": Status.DRAFT})

    assert page.status_code == 200
    assert 'name="summary"' not in page.content.decode()  # shown, not offered for typing
    assert response.status_code == 403
    report.refresh_from_db()
    assert (report.status, report.summary, report.version) == (Status.APPROVED, "As approved.", 1)
    assert not ReportEvent.objects.exists()


def test_a_report_with_the_board_cannot_be_changed_in_the_admin(client_as_admin, strategy):
    report = HighlightReportFactory(strategy=strategy, status=Status.SUBMITTED)

    assert client_as_admin.post(change_url(report), {"summary": "Rewritten."}).status_code == 403
    report.refresh_from_db()
    assert report.summary == "Summary of the quarter."


def test_a_drafts_sections_are_saved_through_the_service_and_its_status_is_not_typed_in(
    client_as_admin, administrator, strategy
):
    report = HighlightReportFactory(strategy=strategy)
    report.events.create(kind=ReportEvent.Kind.CREATED, to_status=Status.DRAFT, by=administrator)
    data = admin_form(client_as_admin, change_url(report))
    assert "status" not in data
    assert "version" not in data

    data.update({"summary": "Changed in the admin.", "status": Status.APPROVED, "version": "9"})
    response = client_as_admin.post(change_url(report), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert (report.summary, report.status, report.version) == ("Changed in the admin.", Status.DRAFT, 2)
    assert report.history.first().history_user == administrator
    assert report.events.count() == 1


def test_a_drafts_rules_hold_in_the_admin(client_as_admin, strategy):
    report = HighlightReportFactory(strategy=strategy)
    data = admin_form(client_as_admin, change_url(report))

    data.update({"rag": "red", "rag_comment": ""})
    response = client_as_admin.post(change_url(report), data)

    assert response.status_code == 200
    assert "Enter a supporting comment: a Red status needs one." in response.content.decode()
    report.refresh_from_db()
    assert (report.rag, report.version) == ("green", 1)


def test_reports_are_neither_added_nor_deleted_in_the_admin(client_as_admin, strategy):
    report = ApprovedHighlightReportFactory(strategy=strategy)

    assert client_as_admin.get(reverse("admin:strategies_highlightreport_add")).status_code == 403
    delete = reverse("admin:strategies_highlightreport_delete", args=[report.pk])
    assert client_as_admin.post(delete, {"post": "yes"}).status_code == 403
    assert HighlightReport.objects.filter(pk=report.pk).exists()


def test_no_history_version_is_reverted_to_in_the_admin(client_as_admin, strategy):
    report = ApprovedHighlightReportFactory(strategy=strategy)
    HighlightReport.objects.filter(pk=report.pk).update(summary="After.")
    version = report.history.get()

    url = reverse("admin:strategies_highlightreport_simple_history", args=[report.pk, version.history_id])
    response = client_as_admin.post(url, {"summary": "Before.", "status": Status.DRAFT})

    assert response.status_code == 403
    report.refresh_from_db()
    assert (report.summary, report.status) == ("After.", Status.APPROVED)


def test_a_strategy_is_added_in_the_admin_through_the_service_and_its_rules(
    client_as_admin, administrator, directorate
):
    data = admin_form(client_as_admin, reverse("admin:strategies_commissioningstrategy_add"))
    data.update(
        {
            "name": "Adult Frailty",
            "directorate": str(directorate.pk),
            "purpose": "Support frail adults.",
            "sponsor": "Executive Director",
            "period_start": "2019-04-01",
            "period_end": "2019-03-31",
        }
    )

    refused = client_as_admin.post(reverse("admin:strategies_commissioningstrategy_add"), data)
    data["period_end"] = "2021-03-31"
    data.update({"outcomes-TOTAL_FORMS": "1", "outcomes-0-title": "Frail adults live well", "outcomes-0-order": "1"})
    added = client_as_admin.post(reverse("admin:strategies_commissioningstrategy_add"), data)

    assert refused.status_code == 200
    assert "The strategy must end after it starts." in refused.content.decode()
    assert added.status_code == 302, added.content.decode()[:3000]
    strategy = CommissioningStrategy.objects.get()
    assert strategy.period_end == datetime.date(2021, 3, 31)
    assert strategy.history.get().history_user == administrator
    assert Outcome.objects.get().history.get().history_user == administrator


def test_nothing_of_a_strategy_is_deleted_in_the_admin(client_as_admin, strategy):
    delete = reverse("admin:strategies_commissioningstrategy_delete", args=[strategy.pk])

    assert client_as_admin.post(delete, {"post": "yes"}).status_code == 403
    assert CommissioningStrategy.objects.exists()
