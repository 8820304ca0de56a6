"""/api/v1/forward-plan/: the forward plan of key decisions through the API, with the notice each entry gives,
its filters, the same refusals as the pages (a 400 naming the field), and who may write (commissioners and
administrators) and read (contract officers and councillors too)."""

import datetime
from decimal import Decimal

import pytest

from contracts.models import Contract
from scrutiny.models import Decision, ForwardPlanEntry
from tests.factories import (
    ContractFactory,
    DirectorateFactory,
    ForwardPlanEntryFactory,
    GeneralExceptionForwardPlanEntryFactory,
    StrategyFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/forward-plan/"


def _body(**overrides) -> dict:
    body = {
        "reference": "I017601",
        "title": "Re-procurement of community supported living",
        "decision_maker": "Executive",
        "key_decision": True,
        "decision_due": "2019-05-30",
        "first_published": "2019-05-01",
    }
    return {**body, **overrides}


def test_the_entry_shows_the_clear_days_and_whether_notice_was_given(api_client_for):
    entry = GeneralExceptionForwardPlanEntryFactory(reference="I017458")
    body = api_client_for("scrutiny").get(f"{URL}{entry.pk}/").json()
    assert (body["reference"], body["clear_days"], body["notice_given"]) == ("I017458", 10, False)
    assert body["notice_route"] == "general_exception"
    assert body["status"] == "planned"


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("commissioner", 200, 201), ("admin", 200, 201), ("officer", 200, 403), ("scrutiny", 200, 403), (None, 401, 401)],
)
def test_commissioners_and_administrators_write_the_plan_officers_and_councillors_read_it(
    api_client_for, role, read, write
):
    ForwardPlanEntryFactory()
    client = api_client_for(role)
    assert client.get(URL).status_code == read
    response = client.post(URL, _body(), format="json")
    assert response.status_code == write
    if write == 201:
        assert response.json()["clear_days"] == 28
        assert response.json()["notice_given"] is True


@pytest.mark.parametrize("role", ["officer", "scrutiny"])
def test_readers_cannot_change_defer_or_withdraw(api_client_for, role):
    entry = ForwardPlanEntryFactory()
    client = api_client_for(role)
    assert client.patch(f"{URL}{entry.pk}/", {"title": "New"}, format="json").status_code == 403
    assert client.post(f"{URL}{entry.pk}/withdraw/").status_code == 403
    entry.refresh_from_db()
    assert entry.status == "planned"


def test_a_commissioner_changes_only_their_own_directorates_entries(api_client_for):
    entry = ForwardPlanEntryFactory(directorate=DirectorateFactory(name="Children's Services", code="cs"))
    response = api_client_for("commissioner").patch(f"{URL}{entry.pk}/", {"title": "New"}, format="json")
    assert response.status_code == 403


def test_short_notice_is_a_400_naming_the_field(api_client_for):
    client = api_client_for("commissioner")
    response = client.post(URL, _body(decision_due="2019-05-29"), format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["notice_route"]
    assert "gives 27" in response.json()["errors"]["notice_route"][0]

    response = client.post(URL, _body(decision_due="2019-05-29", notice_route="general_exception"), format="json")
    assert set(response.json()["errors"]) == {"urgency_reasons", "chair_informed_on"}

    response = client.post(
        URL,
        _body(
            decision_due="2019-05-29",
            notice_route="special_urgency",
            urgency_reasons="A provider failed.",
            urgency_agreed_by="Chair of the council",
            urgency_agreed_on="2019-05-20",
        ),
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["clear_days"], response.json()["notice_given"]) == (27, False)


def test_bad_shapes_are_400s_naming_the_field(api_client_for):
    client = api_client_for("commissioner")
    response = client.post(URL, _body(decision_due="30 May", notice_route="soon", contracts=[999999]), format="json")
    assert response.status_code == 400
    assert {"decision_due", "notice_route", "contracts"} <= set(response.json()["errors"])
    response = client.post(URL, _body(title=""), format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["title"]


def test_the_entry_links_contracts_projects_and_strategies(api_client_for):
    contract = ContractFactory(reprocurement_decision=Contract.Reprocurement.REPROCURE)
    strategy = StrategyFactory()
    client = api_client_for("commissioner")
    response = client.post(URL, _body(contracts=[contract.pk], strategies=[strategy.pk]), format="json")
    assert response.status_code == 201
    assert (response.json()["contracts"], response.json()["strategies"]) == ([contract.pk], [strategy.pk])
    # Councillors do not read the contract register: the link is not theirs to see.
    entry = response.json()["id"]
    assert api_client_for("scrutiny").get(f"{URL}{entry}/").json()["contracts"] == []


def test_the_plan_filters(api_client_for):
    ForwardPlanEntryFactory(reference="I1", decision_due=datetime.date(2019, 6, 4))
    ForwardPlanEntryFactory(
        reference="I2", decision_due=datetime.date(2019, 7, 2), decision_maker="Executive Councillor"
    )
    ForwardPlanEntryFactory(reference="I3", decision_due=datetime.date(2019, 8, 6), key_decision=False)
    GeneralExceptionForwardPlanEntryFactory(reference="I4")
    ForwardPlanEntryFactory(reference="I5", decision_due=datetime.date(2019, 6, 30), status="withdrawn")
    client = api_client_for("officer")

    def listed(query: str) -> list[str]:
        response = client.get(URL + query)
        assert response.status_code == 200, response.json()
        return [row["reference"] for row in response.json()["results"]]

    assert listed("") == ["I4", "I1", "I5", "I2", "I3"]
    assert listed("?decision_maker=EXECUTIVE+COUNCILLOR") == ["I2"]
    assert listed("?from=2019-06&to=2019-07") == ["I1", "I5", "I2"]
    assert listed("?from=2019-06-05&to=2019-07-02") == ["I5", "I2"]
    assert listed("?key_decision=false") == ["I3"]
    assert listed("?notice_route=general_exception") == ["I4"]
    assert listed("?status=withdrawn") == ["I5"]


@pytest.mark.parametrize("query", ["?from=June", "?to=2019-13", "?notice_route=soon", "?status=done"])
def test_a_filter_that_cannot_be_applied_is_a_400(api_client_for, query):
    response = api_client_for("officer").get(URL + query)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_deferring_withdrawing_and_deciding_through_the_api(api_client_for):
    client = api_client_for("commissioner")
    entry = GeneralExceptionForwardPlanEntryFactory()

    response = client.post(f"{URL}{entry.pk}/defer/", {"decision_due": "2019-05-29"}, format="json")
    assert response.status_code == 400
    assert "decision_due" in response.json()["errors"]
    response = client.post(f"{URL}{entry.pk}/defer/", {"decision_due": "2019-06-17"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["notice_route"], response.json()["clear_days"]) == (
        "deferred",
        "notice",
        28,
    )

    decision = Decision.objects.create(
        reference=entry.reference,
        decision_maker="Executive",
        key_decision=True,
        report_to="Executive",
        report_date=datetime.date(2019, 6, 17),
        subject=entry.title,
        outcome=Decision.Outcome.APPROVED,
        decided_on=datetime.date(2019, 6, 17),
    )
    response = client.post(f"{URL}{entry.pk}/decision/", {"decision": decision.pk}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_reference"]) == ("decided", decision.reference)

    other = ForwardPlanEntryFactory()
    response = client.post(f"{URL}{other.pk}/withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    response = client.post(f"{URL}{other.pk}/withdraw/")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_the_list_runs_constant_queries(api_client_for, django_assert_max_num_queries):
    client = api_client_for("admin")
    strategy = StrategyFactory()
    for _ in range(12):
        entry = ForwardPlanEntryFactory()
        entry.contracts.add(
            ContractFactory(annual_value=Decimal("600000"), reprocurement_decision=Contract.Reprocurement.REPROCURE)
        )
        entry.strategies.add(strategy)
    client.get(URL)  # warm the permission caches of the token's user
    with django_assert_max_num_queries(10) as small:
        assert client.get(URL + "?page_size=5").status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(URL + "?page_size=100").status_code == 200
    assert ForwardPlanEntry.objects.count() == 12


def test_the_page_and_the_api_refuse_short_notice_in_the_same_words(api_client_for):
    from django.urls import reverse

    client = api_client_for("commissioner", session=True)
    api = client.post(URL, _body(decision_due="2019-05-29"), format="json").json()["errors"]["notice_route"]
    page = client.post(
        reverse("scrutiny:forward_plan_entry_create"),
        {
            "reference": "I017601",
            "title": "Re-procurement of community supported living",
            "decision_maker": "Executive",
            "key_decision": "True",
            "decision_due_0": "29",
            "decision_due_1": "5",
            "decision_due_2": "2019",
            "first_published_0": "1",
            "first_published_1": "5",
            "first_published_2": "2019",
            "notice_route": "notice",
            "exempt": "False",
        },
    )
    assert page.context["form"].errors["notice_route"] == api
