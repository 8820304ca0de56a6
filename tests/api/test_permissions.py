"""Every resource, per role: reads and writes allowed exactly as in the browser."""

import pytest

from tests import factories as f
from tests.providers.risk_factories import V1_CODES, method_v1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _risk_method_v1(db):
    """Assessments are scored by the risk method in force: version 1 (the providers migration's)."""
    return method_v1()


STRATEGY_SIDE = [
    "strategies",
    "outcomes",
    "highlight-reports",
    "measures",
    "measure-results",
    "committees",
    "meetings",
    "scrutiny-conclusions",
    "scrutiny-packs",
]
OFFICER_ONLY = [
    "contracts",
    "pooled-budgets",
    "providers",
    "locations",
    "cqc-ratings",
    "risk-assessments",
    "visits",
    "concerns",
    "sanctions",
    "action-plans",
]


@pytest.fixture
def one_of_everything(directorate):
    strategy = f.StrategyFactory(directorate=directorate)
    f.OutcomeFactory(strategy=strategy)
    # Board reviewed: the published pack below prints it, so councillors read it too.
    f.HighlightReportFactory(strategy=strategy, status=f.HighlightReport.Status.BOARD_REVIEWED)
    f.MeasureResultFactory(measure=f.MeasureFactory(strategy=strategy))
    f.ScrutinyConclusionFactory(strategy=strategy)
    f.PackAppendixFactory(pack=f.PublishedScrutinyPackFactory(), strategy=strategy)
    contract = f.ContractFactory(directorate=directorate, strategy=strategy)
    f.PooledBudgetFactory(strategy=strategy, contract=contract)
    location = f.LocationFactory(provider=contract.lead_provider, name="Meadow View")
    f.CqcRatingFactory(location=location)
    f.RiskAssessmentFactory(provider=contract.lead_provider)
    for factory in (f.VisitFactory, f.ConcernFactory, f.SanctionFactory, f.ActionPlanFactory):
        factory(provider=contract.lead_provider, contract=contract)


def _expected_read(role, resource):
    if role is None:
        return 401
    if role == "scrutiny" and resource in OFFICER_ONLY:
        return 403
    return 200


@pytest.mark.parametrize("role", [None, "scrutiny", "commissioner", "officer", "admin"])
@pytest.mark.parametrize("resource", STRATEGY_SIDE + OFFICER_ONLY)
def test_list_and_detail_are_readable_exactly_as_in_the_browser(api_client_for, one_of_everything, role, resource):
    client = api_client_for(role)
    expected = _expected_read(role, resource)

    response = client.get(f"/api/v1/{resource}/")

    assert response.status_code == expected
    body = response.json()
    if expected != 200:
        assert body["status"] == expected
        assert body["detail"]
        return
    assert body["count"] >= 1
    first = body["results"][0]["id"]
    assert client.get(f"/api/v1/{resource}/{first}/").status_code == 200


def test_anonymous_request_is_401_with_a_token_challenge(api_client_for):
    response = api_client_for(None).get("/api/v1/strategies/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json() == {
        "status": 401,
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
        "errors": {},
    }


def test_a_wrong_token_is_401(api_client_for):
    client = api_client_for(None)
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert client.get("/api/v1/strategies/").status_code == 401


def test_a_browser_session_reaches_the_api_too(api_client_for, one_of_everything):
    assert api_client_for("officer", session=True).get("/api/v1/contracts/").status_code == 200


def test_councillors_see_reports_only_once_they_have_gone_to_scrutiny(api_client_for, directorate):
    draft = f.HighlightReportFactory(strategy=f.StrategyFactory(directorate=directorate))
    with_the_board = f.SubmittedHighlightReportFactory(strategy=draft.strategy, quarter=2, report_date="2018-09-05")
    at_scrutiny = f.HighlightReportFactory(
        strategy=draft.strategy,
        quarter=1,
        report_date="2018-06-05",
        status=f.HighlightReport.Status.SCRUTINY_CONSIDERED,
    )
    draft_pack = f.ScrutinyPackFactory()
    client = api_client_for("scrutiny")

    ids = [r["id"] for r in client.get("/api/v1/highlight-reports/").json()["results"]]

    assert ids == [at_scrutiny.pk]
    assert client.get(f"/api/v1/highlight-reports/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/highlight-reports/{with_the_board.pk}/").status_code == 404
    assert client.get(f"/api/v1/scrutiny-packs/{draft_pack.pk}/").status_code == 404
    assert api_client_for("commissioner").get(f"/api/v1/highlight-reports/{draft.pk}/").status_code == 200


def _contract_payload(directorate, provider):
    return {
        "reference": "ACCW-2019-001",
        "title": "Carers' support service",
        "directorate": directorate.pk,
        "lead_provider": provider.pk,
        "category": "community",
        "contract_type": "block",
        "start_date": "2019-04-01",
        "end_date": "2022-03-31",
        "extension_months": [12, 12],
        "annual_value": "1200000.00",
        "total_value": "3600000.00",
    }


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 401), ("scrutiny", 403), ("commissioner", 403), ("officer", 201), ("admin", 201)]
)
def test_only_contract_officers_and_administrators_add_contracts(api_client_for, directorate, role, expected):
    response = api_client_for(role).post(
        "/api/v1/contracts/", _contract_payload(directorate, f.ProviderFactory()), format="json"
    )

    assert response.status_code == expected
    if expected == 201:
        body = response.json()
        assert body["reference"] == "ACCW-2019-001"
        assert body["is_key"] is True
        assert body["maximum_end_date"] == "2024-03-31"


@pytest.mark.parametrize(("role", "expected"), [("scrutiny", 403), ("commissioner", 403), ("officer", 200)])
def test_only_contract_officers_change_contracts(api_client_for, directorate, role, expected):
    contract = f.ContractFactory(directorate=directorate)  # theirs: only the role decides here

    response = api_client_for(role).patch(
        f"/api/v1/contracts/{contract.pk}/", {"performance_note": "Majority Good"}, format="json"
    )

    assert response.status_code == expected
    contract.refresh_from_db()
    assert (contract.performance_note == "Majority Good") is (expected == 200)


def test_contracts_cannot_be_deleted_through_the_api(api_client_for):
    contract = f.ContractFactory()

    assert api_client_for("admin").delete(f"/api/v1/contracts/{contract.pk}/").status_code == 405


def test_a_bad_contract_is_400_naming_the_field_and_nothing_is_saved(api_client_for, directorate):
    payload = {**_contract_payload(directorate, f.ProviderFactory()), "end_date": "2018-03-31"}

    response = api_client_for("officer").post("/api/v1/contracts/", payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "end_date" in body["errors"]
    assert not f.Contract.objects.exists()


@pytest.mark.parametrize(("role", "expected"), [("scrutiny", 403), ("commissioner", 201), ("admin", 201)])
def test_scrutiny_members_tokens_cannot_write_strategies(api_client_for, directorate, role, expected):
    payload = {
        "name": "Carers",
        "directorate": directorate.pk,
        "purpose": "The purpose of this commissioning strategy is to support adult carers.",
        "sponsor": "Executive Director of Adult Care and Community Wellbeing",
        "stage_do": True,
    }

    assert api_client_for(role).post("/api/v1/strategies/", payload, format="json").status_code == expected


def test_a_commissioner_edits_only_their_own_directorates_strategies(api_client_for, directorate):
    own = f.StrategyFactory(directorate=directorate)
    other = f.StrategyFactory()
    client = api_client_for("commissioner")

    assert client.patch(f"/api/v1/strategies/{own.pk}/", {"summary": "New."}, format="json").status_code == 200
    assert client.patch(f"/api/v1/strategies/{other.pk}/", {"summary": "New."}, format="json").status_code == 403
    other.refresh_from_db()
    assert other.summary == "A summary."


@pytest.mark.parametrize(("role", "expected"), [("scrutiny", 403), ("commissioner", 403), ("officer", 201)])
def test_an_officer_records_a_risk_assessment_scored_by_the_matrix(api_client_for, role, expected):
    provider = f.ProviderFactory()
    factors = dict.fromkeys(V1_CODES, 3)

    response = api_client_for(role).post(
        "/api/v1/risk-assessments/", {"provider": provider.pk, "factors": factors}, format="json"
    )

    assert response.status_code == expected
    if expected == 201:
        assert response.json()["level"] == "high"


def test_a_risk_assessment_missing_a_factor_is_refused_naming_factors(api_client_for):
    response = api_client_for("officer").post(
        "/api/v1/risk-assessments/", {"provider": f.ProviderFactory().pk, "factors": {}}, format="json"
    )

    assert response.status_code == 400
    assert "factors" in response.json()["errors"]


@pytest.mark.parametrize(("role", "expected"), [("scrutiny", 403), ("commissioner", 201), ("officer", 201)])
def test_measure_results_are_entered_by_commissioners_and_officers(api_client_for, directorate, role, expected):
    measure = f.MeasureFactory(strategy=f.StrategyFactory(directorate=directorate))

    response = api_client_for(role).post(
        "/api/v1/measure-results/",
        {"measure": measure.pk, "year": 2018, "quarter": 2, "value": "81.5", "target": "75"},
        format="json",
    )

    assert response.status_code == expected
    if expected == 201:
        assert response.json()["status"] == "achieved"


def test_a_percentage_above_100_is_refused_naming_the_value(api_client_for, directorate):
    measure = f.MeasureFactory(strategy=f.StrategyFactory(directorate=directorate))

    response = api_client_for("commissioner").post(
        "/api/v1/measure-results/", {"measure": measure.pk, "year": 2018, "quarter": 2, "value": "120"}, format="json"
    )

    assert response.status_code == 400
    assert "value" in response.json()["errors"]


@pytest.mark.parametrize(
    ("resource", "payload"),
    [
        ("visits", {"visited_on": "2018-09-12", "kind": "unannounced", "findings": "Call bells answered promptly."}),
        ("concerns", {"kind": "safeguarding", "raised_on": "2018-09-01", "summary": "Unexplained bruising."}),
        ("sanctions", {"kind": "suspension", "issued_on": "2018-10-01", "reason": "Staffing below safe levels."}),
        (
            "action-plans",
            {
                "title": "Medication improvement plan",
                "agreed_on": "2018-07-01",
                "actions": [
                    {"description": "Audit MAR charts.", "owner": "Registered manager", "due_on": "2018-08-01"}
                ],
            },
        ),
    ],
)
@pytest.mark.parametrize(("role", "expected"), [("scrutiny", 403), ("commissioner", 403), ("officer", 201)])
def test_officers_record_oversight_through_the_services(api_client_for, resource, payload, role, expected):
    provider = f.ProviderFactory()

    response = api_client_for(role).post(f"/api/v1/{resource}/", {**payload, "provider": provider.pk}, format="json")

    assert response.status_code == expected
    if expected == 201:
        assert response.json()["provider_name"] == provider.name


def test_a_visit_in_the_future_is_refused_naming_the_date(api_client_for):
    response = api_client_for("officer").post(
        "/api/v1/visits/", {"provider": f.ProviderFactory().pk, "visited_on": "2999-01-01", "kind": "planned"}
    )

    assert response.status_code == 400
    assert "visited_on" in response.json()["errors"]


@pytest.mark.parametrize(("role", "expected"), [("scrutiny", 403), ("commissioner", 201)])
def test_commissioners_record_scrutiny_conclusions(api_client_for, directorate, role, expected):
    payload = {
        "strategy": f.StrategyFactory(directorate=directorate).pk,
        "meeting": f.MeetingFactory().pk,
        "text": "The Committee supported the recommendations.",
    }

    assert api_client_for(role).post("/api/v1/scrutiny-conclusions/", payload).status_code == expected


@pytest.mark.parametrize(("role", "expected"), [("commissioner", 403), ("admin", 201)])
def test_administrators_build_scrutiny_packs_with_appendices_in_order(api_client_for, role, expected):
    first, second = f.StrategyFactory(), f.StrategyFactory()
    payload = {
        "meeting": f.MeetingFactory().pk,
        "title": "Commissioning Strategies",
        "report_to": "Overview and Scrutiny Management Board",
        "report_date": "2019-05-30",
        "subject": "Commissioning Strategies",
        "strategies": [second.pk, first.pk],
    }

    response = api_client_for(role).post("/api/v1/scrutiny-packs/", payload, format="json")

    assert response.status_code == expected
    if expected == 201:
        assert response.json()["strategies"] == [second.pk, first.pk]
        assert response.json()["status"] == "draft"
