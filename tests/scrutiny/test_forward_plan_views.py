"""The forward plan's pages: the plan as published, its filters and exports, the entry's page, the form that
names the field at fault when notice is short, what happened to a decision, and the decision record's page."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from contracts.models import Contract
from demo.seed import on
from scrutiny.models import Decision, ForwardPlanEntry
from tests.factories import (
    ContractFactory,
    ForwardPlanEntryFactory,
    GeneralExceptionForwardPlanEntryFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2019, 5, 15)


@pytest.fixture(autouse=True)
def _on_15_may_2019():
    with on(TODAY):
        yield


def _form(**overrides) -> dict:
    data = {
        "reference": "I017601",
        "title": "Re-procurement of community supported living",
        "decision_maker": "Executive",
        "key_decision": "True",
        "decision_due_0": "20",
        "decision_due_1": "6",
        "decision_due_2": "2019",
        "first_published_0": "15",
        "first_published_1": "5",
        "first_published_2": "2019",
        "notice_route": "notice",
        "exempt": "False",
        "contact_officer": "Democratic Services",
    }
    return {**data, **overrides}


def test_the_plan_shows_each_decision_as_councils_publish_it(client_as_scrutiny):
    ForwardPlanEntryFactory(
        reference="I017457",
        title="Commissioning Strategies",
        decision_due=datetime.date(2019, 6, 4),
        documents="Report on the Commissioning Strategies",
        consultation="Write to the contact officer by 28 May 2019.",
        exempt=True,
        exempt_paragraph=3,
    )
    GeneralExceptionForwardPlanEntryFactory(reference="I017458", title="Day opportunities contract award")
    ForwardPlanEntryFactory(reference="I017001", decision_due=datetime.date(2019, 5, 1))  # already past

    response = client_as_scrutiny.get(reverse("scrutiny:forward_plan"))

    html = response.content.decode()
    assert response.status_code == 200
    plan = html[html.index("Download this plan") : html.index("Key decisions on short notice")]
    assert plan.index("May 2019") < plan.index("I017458") < plan.index("June 2019") < plan.index("I017457")
    assert "I017001" not in html
    for text in [
        "Report on the Commissioning Strategies",
        "Write to the contact officer by 28 May 2019.",
        "Exempt (Schedule 12A, paragraph 3:",
        "33 clear days' notice",
        "10 clear days' notice",
        "General exception",
        "Key decisions on short notice",
    ]:
        assert text in html, text
    # Councillors do not see the contract register, so not the list of contracts missing from the plan.
    assert "Decisions missing from the forward plan" not in html


def test_the_plan_filters_by_decision_maker_months_key_decision_and_route(client_as_officer):
    ForwardPlanEntryFactory(reference="I1", decision_due=datetime.date(2019, 6, 4))
    ForwardPlanEntryFactory(
        reference="I2", decision_due=datetime.date(2019, 7, 2), decision_maker="Executive Councillor"
    )
    ForwardPlanEntryFactory(reference="I3", decision_due=datetime.date(2019, 8, 6), key_decision=False)
    GeneralExceptionForwardPlanEntryFactory(reference="I4")

    def listed(query: str) -> set[str]:
        response = client_as_officer.get(reverse("scrutiny:forward_plan") + query)
        assert response.status_code == 200
        html = response.content.decode().split("Key decisions on short notice")[0]
        return {ref for ref in ["I1", "I2", "I3", "I4"] if f">{ref}: " in html}

    assert listed("") == {"I1", "I2", "I3", "I4"}
    assert listed("?decision_maker=executive+councillor") == {"I2"}
    assert listed("?from=2019-06&to=2019-07") == {"I1", "I2"}
    assert listed("?key_decision=false") == {"I3"}
    assert listed("?notice_route=general_exception") == {"I4"}


def test_a_filter_that_cannot_be_applied_is_said(client_as_officer):
    response = client_as_officer.get(reverse("scrutiny:forward_plan") + "?from=June&notice_route=nonsense")
    html = response.content.decode()
    assert response.status_code == 200
    assert "The “From” filter was not applied" in html
    assert "The “Notice route” filter was not applied" in html


def test_the_plan_as_it_stood_on_a_day(client_as_officer, commissioner):
    from scrutiny import services

    with on(datetime.date(2019, 5, 1)):
        entry = services.forward_plan_entry_create(
            by=commissioner,
            data={
                "reference": "I017457",
                "title": "Commissioning Strategies",
                "decision_maker": "Executive",
                "decision_due": datetime.date(2019, 6, 4),
            },
        )
    services.forward_plan_entry_defer(entry=entry, by=commissioner, decision_due=datetime.date(2019, 7, 2))

    def plan(query: str) -> str:
        html = client_as_officer.get(reverse("scrutiny:forward_plan") + query).content.decode()
        return html[html.index("Download this plan") :]

    as_at = plan("?as_at=2019-05-02")
    assert '<h2 class="govuk-heading-m">June 2019</h2>' in as_at
    assert "July 2019" not in as_at
    assert (
        "The plan as it stood on 2 May 2019"
        in client_as_officer.get(reverse("scrutiny:forward_plan") + "?as_at=2019-05-02").content.decode()
    )
    assert "July 2019" in plan("")


def test_officers_see_key_reprocurement_decisions_missing_from_the_plan(client_as_commissioner):
    ContractFactory(
        reference="CON-HOMECARE",
        annual_value=Decimal("2500000.00"),
        reprocurement_decision=Contract.Reprocurement.REPROCURE,
        end_date=datetime.date(2020, 3, 31),
    )
    html = client_as_commissioner.get(reverse("scrutiny:forward_plan")).content.decode()
    assert "Decisions missing from the forward plan" in html
    assert "CON-HOMECARE" in html
    assert reverse("scrutiny:forward_plan_entry_create") + "?contract=CON-HOMECARE" in html


def test_the_plan_runs_constant_queries(client_as_commissioner, django_assert_max_num_queries):
    for number in range(30):
        entry = ForwardPlanEntryFactory(decision_due=datetime.date(2019, 6, 1) + datetime.timedelta(days=number))
        entry.contracts.add(ContractFactory(reprocurement_decision=Contract.Reprocurement.REPROCURE))
        ContractFactory(annual_value=Decimal("900000"), reprocurement_decision=Contract.Reprocurement.DECOMMISSION)
        GeneralExceptionForwardPlanEntryFactory()
    with django_assert_max_num_queries(20):
        assert client_as_commissioner.get(reverse("scrutiny:forward_plan")).status_code == 200


def test_the_plan_exports_as_csv_and_excel_with_its_filters(client_as_officer):
    ForwardPlanEntryFactory(reference="=I1", title="Homecare", decision_due=datetime.date(2019, 6, 4))
    GeneralExceptionForwardPlanEntryFactory(reference="I2")

    response = client_as_officer.get(reverse("scrutiny:forward_plan_csv") + "?notice_route=notice")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == [
        "Decision reference",
        "Matter for decision",
        "Description",
        "Decision maker",
        "Date of decision",
    ]
    assert len(rows) == 2
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert row["Decision reference"] == "'=I1"  # a formula is never run by the spreadsheet
    assert (row["Date of decision"], row["Clear days' notice"], row["Notice given (28 clear days)"]) == (
        "04/06/2019",
        "33",
        "Yes",
    )

    response = client_as_officer.get(reverse("scrutiny:forward_plan_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 3
    assert values[1][0] == "I2"
    assert values[1][10] == "General exception (regulation 10)"


def test_the_entry_page_says_the_notice_given(client_as_scrutiny):
    entry = GeneralExceptionForwardPlanEntryFactory(reference="I017458")
    html = client_as_scrutiny.get(reverse("scrutiny:forward_plan_entry", args=[entry.pk])).content.decode()
    assert "10 clear days' notice" in html
    assert "The provider gave notice to end the contract" in html
    assert "20 May 2019" in html
    assert "Edit entry" not in html  # councillors read the plan


def test_the_form_names_the_field_when_notice_is_short(client_as_commissioner):
    url = reverse("scrutiny:forward_plan_entry_create")
    response = client_as_commissioner.post(url, _form(decision_due_0="30", decision_due_1="5"))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["notice_route"]
    assert "gives 14" in form.errors["notice_route"][0]
    assert not ForwardPlanEntry.objects.exists()

    response = client_as_commissioner.post(
        url, _form(decision_due_0="30", decision_due_1="5", notice_route="general_exception")
    )
    assert set(response.context["form"].errors) == {"urgency_reasons", "chair_informed_on"}

    response = client_as_commissioner.post(
        url,
        _form(
            decision_due_0="30",
            decision_due_1="5",
            notice_route="general_exception",
            urgency_reasons="The current provider leaves at the end of June.",
            chair_informed_on_0="16",
            chair_informed_on_1="5",
            chair_informed_on_2="2019",
        ),
    )
    entry = ForwardPlanEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == entry.get_absolute_url()
    assert entry.notice_route == "general_exception"


def test_the_form_names_unknown_contract_references(client_as_commissioner):
    ContractFactory(reference="CON-1", reprocurement_decision=Contract.Reprocurement.REPROCURE)
    ContractFactory(reference="CON-2")
    url = reverse("scrutiny:forward_plan_entry_create")
    form = client_as_commissioner.post(url, _form(contracts="CON-1, CON-9")).context["form"]
    assert form.errors["contracts"] == ["There is no contract with the reference CON-9."]
    form = client_as_commissioner.post(url, _form(contracts="con-1 CON-2")).context["form"]
    assert "CON-2 has no re-procurement decision" in form.errors["contracts"][0]
    response = client_as_commissioner.post(url, _form(contracts="con-1"))
    assert response.status_code == 302
    assert [c.reference for c in ForwardPlanEntry.objects.get().contracts.all()] == ["CON-1"]


def test_the_form_is_the_commissioners_and_administrators(client_as_officer, client_as_scrutiny, client_as_admin):
    url = reverse("scrutiny:forward_plan_entry_create")
    assert client_as_officer.get(url).status_code == 403
    assert client_as_scrutiny.post(url, _form()).status_code == 403
    assert client_as_admin.post(url, _form()).status_code == 302


def test_editing_an_entry(client_as_commissioner):
    entry = ForwardPlanEntryFactory(reference="I017457", decision_due=datetime.date(2019, 6, 4))
    url = reverse("scrutiny:forward_plan_entry_edit", args=[entry.pk])
    assert client_as_commissioner.get(url).status_code == 200
    response = client_as_commissioner.post(
        url, _form(reference="I017457", first_published_0="1", first_published_1="5", documents="The report")
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.documents == "The report"


def test_recording_what_happened_to_a_decision(client_as_commissioner):
    entry = ForwardPlanEntryFactory(decision_due=datetime.date(2019, 6, 4))
    url = reverse("scrutiny:forward_plan_entry_progress", args=[entry.pk])

    form = client_as_commissioner.post(url, {"status": "deferred"}).context["form"]
    assert "decision_due" in form.errors
    form = client_as_commissioner.post(
        url, {"status": "deferred", "decision_due_0": "1", "decision_due_1": "6", "decision_due_2": "2019"}
    ).context["form"]
    assert "after the current one" in form.errors["decision_due"][0]
    response = client_as_commissioner.post(
        url, {"status": "deferred", "decision_due_0": "2", "decision_due_1": "7", "decision_due_2": "2019"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.decision_due) == ("deferred", datetime.date(2019, 7, 2))

    decision = Decision.objects.create(
        reference=entry.reference,
        decision_maker="Executive",
        key_decision=True,
        report_to="Executive",
        report_date=datetime.date(2019, 7, 2),
        subject=entry.title,
        outcome=Decision.Outcome.APPROVED,
        decided_on=datetime.date(2019, 7, 2),
    )
    response = client_as_commissioner.post(url, {"status": "decided", "decision": decision.pk})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.decision) == ("decided", decision)
    # Decided: the plan keeps it as it was.
    assert "Record what happened" not in client_as_commissioner.get(entry.get_absolute_url()).content.decode()


def test_the_decision_page_says_whether_notice_was_given(client_as_scrutiny):
    decision = Decision.objects.create(
        reference="I017457",
        decision_maker="Executive",
        key_decision=True,
        report_to="Executive",
        report_date=datetime.date(2019, 6, 4),
        subject="Commissioning Strategies",
    )
    url = reverse("scrutiny:decision", args=[decision.pk])
    assert "This decision is not on the forward plan" in client_as_scrutiny.get(url).content.decode()
    ForwardPlanEntryFactory(reference="I017457", decision=decision, decision_due=datetime.date(2019, 6, 4))
    html = client_as_scrutiny.get(url).content.decode()
    assert "28 clear days' notice was given (33 clear days)" in html


def test_another_directorates_commissioner_cannot_edit_the_entry(client_as_commissioner):
    from tests.factories import DirectorateFactory

    entry = ForwardPlanEntryFactory(directorate=DirectorateFactory(name="Children's Services", code="cs"))
    assert client_as_commissioner.get(reverse("scrutiny:forward_plan_entry_edit", args=[entry.pk])).status_code == 403
    assert (
        client_as_commissioner.post(reverse("scrutiny:forward_plan_entry_progress", args=[entry.pk])).status_code == 403
    )


def test_the_admin_writes_through_the_services(client_as_admin):
    entry = ForwardPlanEntryFactory(reference="I017457")
    assert client_as_admin.get(reverse("admin:scrutiny_forwardplanentry_changelist")).status_code == 200
    url = reverse("admin:scrutiny_forwardplanentry_change", args=[entry.pk])
    assert client_as_admin.get(url).status_code == 200
    fields = {
        "reference": "I017457",
        "title": entry.title,
        "decision_maker": "Executive",
        "key_decision": "on",
        "decision_due": "2019-05-20",
        "first_published": "2019-05-01",
        "notice_route": "notice",
        "contact_officer": entry.contact_officer,
    }
    # 18 clear days on an ordinary notice: refused by the service, as on the page.
    assert client_as_admin.post(url, fields).status_code == 403
    entry.refresh_from_db()
    assert entry.decision_due == datetime.date(2019, 5, 30)
    assert client_as_admin.post(url, {**fields, "decision_due": "2019-06-04"}).status_code == 302
    entry.refresh_from_db()
    assert entry.decision_due == datetime.date(2019, 6, 4)
    assert entry.history.first().history_user.username == "administrator"
