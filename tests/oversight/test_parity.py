"""The page and the API give the same answer for what officers record (visits, concerns, sanctions, risk
assessments): the same forbidden actor is refused by both, and the same bad input is refused by both with
the same message on the same field (both call the same service)."""

import datetime

import pytest
from django.urls import reverse

from oversight.models import Concern, Sanction, Visit
from providers.models import RiskAssessment
from tests.factories import ContractFactory, DirectorateFactory, ProviderFactory
from tests.parity import api_client as _api
from tests.parity import api_errors as _api_errors
from tests.parity import page_client as _page
from tests.parity import page_errors as _page_errors
from tests.providers.factories import CommissionerFactory, OfficerFactory
from tests.providers.risk_factories import V1_CODES, method_v1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _risk_method_v1(db):
    """Assessments are scored by the risk method in force: version 1 (the providers migration's)."""
    return method_v1()


FUTURE_PAGE, FUTURE_API = "01/01/2100", "2100-01-01"


@pytest.fixture
def provider():
    return ProviderFactory(name="Willow Care Ltd")


@pytest.fixture
def officer():
    return OfficerFactory()


# What each record's page and API take, with the date each is refused for (in each one's date format).
RECORDS = {
    "visit": (
        "oversight:visit_add",
        "/api/v1/visits/",
        {"kind": "unannounced", "findings": "Call bells answered promptly."},
        "visited_on",
        Visit,
    ),
    "concern": (
        "oversight:concern_add",
        "/api/v1/concerns/",
        {"kind": "safeguarding", "severity": "high", "summary": "Unexplained bruising."},
        "raised_on",
        Concern,
    ),
    "sanction": (
        "oversight:sanction_add",
        "/api/v1/sanctions/",
        {"kind": "suspension", "reason": "Staffing below safe levels."},
        "issued_on",
        Sanction,
    ),
}


def _post_both(user, record: str, provider, page_extra: dict, api_extra: dict):
    url_name, api_path, data, _, _ = RECORDS[record]
    # The visit page asks who visited (the API records the one who sends it).
    page_data = data | ({"officer": user.pk} if record == "visit" else {}) | page_extra
    page = _page(user).post(f"{reverse(url_name)}?provider={provider.pk}", page_data)
    api = _api(user).post(api_path, data | {"provider": provider.pk} | api_extra, format="json")
    return page, api


@pytest.mark.parametrize("record", RECORDS)
def test_a_commissioner_records_nothing_by_either_way(provider, record):
    date_field, model = RECORDS[record][3], RECORDS[record][4]

    page, api = _post_both(
        CommissionerFactory(), record, provider, {date_field: "12/09/2018"}, {date_field: "2018-09-12"}
    )

    assert (page.status_code, api.status_code) == (403, 403)
    assert not model.objects.exists()


@pytest.mark.parametrize("record", RECORDS)
def test_an_officer_of_another_directorate_records_nothing_under_its_contract_by_either_way(provider, record):
    contract = ContractFactory(lead_provider=provider)
    outsider = OfficerFactory(directorate=DirectorateFactory(code="cs", name="Children's Services"))
    date_field, model = RECORDS[record][3], RECORDS[record][4]

    page, api = _post_both(
        outsider,
        record,
        provider,
        {date_field: "12/09/2018", "contract": contract.pk},
        {date_field: "2018-09-12", "contract": contract.pk},
    )

    assert (page.status_code, api.status_code) == (403, 403)
    assert not model.objects.exists()


@pytest.mark.parametrize("record", ["visit", "concern"])
def test_a_date_in_the_future_gets_the_same_message_on_the_same_field(officer, provider, record):
    date_field, model = RECORDS[record][3], RECORDS[record][4]

    page, api = _post_both(officer, record, provider, {date_field: FUTURE_PAGE}, {date_field: FUTURE_API})

    assert _page_errors(page, date_field) == _api_errors(api, date_field)
    assert not model.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"kind": "service_credit"}, "amount"),
        ({"kind": "default_notice", "amount": "500.00"}, "amount"),
        ({"lifted_on": ("01/09/2018", "2018-09-01")}, "lifted_on"),
    ],
)
def test_a_bad_sanction_gets_the_same_message_on_the_same_field(officer, provider, extra, field):
    page_extra = {"issued_on": "01/10/2018"}
    api_extra = {"issued_on": "2018-10-01"}
    for name, value in extra.items():
        page_value, api_value = value if isinstance(value, tuple) else (value, value)
        page_extra[name], api_extra[name] = page_value, api_value

    page, api = _post_both(officer, "sanction", provider, page_extra, api_extra)

    assert _page_errors(page, field) == _api_errors(api, field)
    assert not Sanction.objects.exists()


def test_a_good_visit_is_the_same_visit_by_either_way(officer, provider):
    page, api = _post_both(officer, "visit", provider, {"visited_on": "12/09/2018"}, {"visited_on": "2018-09-12"})

    assert (page.status_code, api.status_code) == (302, 201)
    assert (
        sorted(Visit.objects.values_list("visited_on", "kind", "officer"))
        == [(datetime.date(2018, 9, 12), "unannounced", officer.pk)] * 2
    )


# --- Risk assessments ---------------------------------------------------------------------------------------


def _assess_both(user, provider, *, page_extra: dict, api_extra: dict):
    page_data = {f"factor_{code}": "0" for code in V1_CODES} | page_extra
    api_data = {"provider": provider.pk, "factors": dict.fromkeys(V1_CODES, 0)} | api_extra
    page = _page(user).post(reverse("providers:assess", args=[provider.pk]), page_data)
    api = _api(user).post("/api/v1/risk-assessments/", api_data, format="json")
    return page, api


def test_a_commissioner_assesses_no_risk_by_either_way(provider):
    page, api = _assess_both(
        CommissionerFactory(),
        provider,
        page_extra={"assessed_on": "01/06/2018"},
        api_extra={"assessed_on": "2018-06-01"},
    )

    assert (page.status_code, api.status_code) == (403, 403)
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize(
    ("page_extra", "api_extra", "field"),
    [
        ({"override_level": "high"}, {"override_level": "high"}, "override_reason"),
        ({"assessed_on": FUTURE_PAGE}, {"assessed_on": FUTURE_API}, "assessed_on"),
    ],
)
def test_a_bad_assessment_gets_the_same_message_on_the_same_field(officer, provider, page_extra, api_extra, field):
    page, api = _assess_both(
        officer,
        provider,
        page_extra={"assessed_on": "01/06/2018"} | page_extra,
        api_extra={"assessed_on": "2018-06-01"} | api_extra,
    )

    assert _page_errors(page, field) == _api_errors(api, field)
    assert not RiskAssessment.objects.exists()
