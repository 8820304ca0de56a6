"""The risk methods' pages and API, the assessment form built from the method in force, and the assessment page."""

import datetime
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from commissioning import roles
from providers.models import RiskAssessment, RiskMethod
from providers.services import risk_assessment_record, risk_method_create
from tests.auth.keys import api_key_for
from tests.conftest import _user_with_role
from tests.factories import ProviderFactory
from tests.providers.factories import OfficerFactory
from tests.providers.risk_factories import factor, method_v1, v1_answers

pytestmark = pytest.mark.django_db
d = datetime.date


@pytest.fixture
def v1(db):
    return method_v1()


def _api(role: str | None) -> APIClient:
    client = APIClient()
    if role is not None:
        user = _user_with_role(role)
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


def _v2_body(**overrides):
    return {
        "name": "Provider risk assessment tool",
        "effective_from": "2025-04-01",
        "factors": [factor("quality", weight=2), factor("market_sustainability", weight=3)],
        "thresholds": {"medium": 4, "high": 9},
        "notes": "Adds market sustainability.",
    } | overrides


def _form_post(**overrides):
    body = _v2_body()
    data = {
        "name": body["name"],
        "effective_from_0": "1",
        "effective_from_1": "4",
        "effective_from_2": "2025",
        "factors": json.dumps(body["factors"]),
        "medium": "4",
        "high": "9",
        "notes": "",
    }
    return data | overrides


# --- Pages ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [("client", 302), ("client_as_scrutiny", 403), ("client_as_commissioner", 200), ("client_as_officer", 200)],
)
def test_the_methods_list_is_for_officers(request, v1, client_name, expected):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse("providers:risk_methods")).status_code == expected
    assert client.get(reverse("providers:risk_method_detail", args=[v1.pk])).status_code == expected


def test_the_list_shows_each_version_its_date_whether_current_and_how_many_assessments_it_scored(client_as_officer, v1):
    admin = _user_with_role(roles.ADMINISTRATOR)
    risk_assessment_record(provider=ProviderFactory(), factors=v1_answers(), assessed_on=d(2018, 6, 1), by=admin)
    risk_method_create(by=admin, **_v2_body(effective_from=d(2025, 4, 1)))
    text = client_as_officer.get(reverse("providers:risk_methods")).text
    assert "Provider risk assessment tool" in text
    assert "1 April 2025" in text
    assert "Provider risk matrix" in text
    assert "1 April 2017" in text
    assert text.index("Current") < text.index("Superseded")
    assert 'app-numeric">1</td>' in text  # version 1 scored one assessment
    assert "New version" not in text  # officers do not record methods


def test_the_method_page_shows_factors_answers_weights_points_and_bands(client_as_officer, v1):
    text = client_as_officer.get(reverse("providers:risk_method_detail", args=[v1.pk])).text
    assert "Quality and CQC rating (weight ×2)" in text
    assert "Inadequate overall or in any key question, or in special measures." in text
    assert 'app-numeric">6</td>' in text  # score 3 × weight 2
    assert "14 to 30" in text
    assert "8 to 13" in text
    assert "0 to 7" in text


@pytest.mark.parametrize("size", [1, 12])
def test_the_methods_list_runs_constant_queries(client_as_officer, v1, django_assert_max_num_queries, size):
    admin = _user_with_role(roles.ADMINISTRATOR)
    for year in range(2019, 2019 + size):
        risk_method_create(by=admin, **_v2_body(effective_from=d(year, 4, 1)))
        risk_assessment_record(provider=ProviderFactory(), factors=v1_answers(), assessed_on=d(2018, 6, 1), by=admin)
    # session, user, roles and permissions, the current method and the list (one query), the session save
    with django_assert_max_num_queries(11):
        assert client_as_officer.get(reverse("providers:risk_methods")).status_code == 200


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [("client", 302), ("client_as_scrutiny", 403), ("client_as_commissioner", 403), ("client_as_officer", 403)],
)
def test_only_administrators_record_a_method(request, v1, client_name, expected):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse("providers:risk_method_create")).status_code == expected
    assert client.post(reverse("providers:risk_method_create"), _form_post()).status_code == expected
    assert RiskMethod.objects.count() == 1


def test_the_new_version_form_starts_from_the_current_method(client_as_admin, v1):
    response = client_as_admin.get(reverse("providers:risk_method_create"))
    assert response.status_code == 200
    assert "financial_viability" in response.text
    assert 'value="Provider risk matrix"' in response.text
    assert 'value="14"' in response.text


def test_an_administrator_records_a_new_version_through_the_form(client_as_admin, v1):
    response = client_as_admin.post(reverse("providers:risk_method_create"), _form_post())
    method = RiskMethod.objects.get(version=2)
    assert response.status_code == 302
    assert response.url == method.get_absolute_url()
    assert (method.effective_from, method.thresholds) == (d(2025, 4, 1), {"medium": 4, "high": 9})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"factors": "[{"}, "not valid JSON"),
        ({"factors": json.dumps([factor("quality", scores=(0, 1, 1))])}, "Factor &#x27;quality&#x27;, answer 3"),
        ({"factors": "[]"}, "at least one factor"),
        ({"medium": "9", "high": "4"}, "High above Medium"),
        ({"effective_from_2": "2016"}, "after version 1"),
        ({"effective_from_1": "13"}, "must be a real date"),
        ({"medium": "x"}, "Enter a whole number"),
    ],
)
def test_a_bad_method_is_shown_back_with_the_error_and_nothing_saved(client_as_admin, v1, overrides, message):
    response = client_as_admin.post(reverse("providers:risk_method_create"), _form_post(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert RiskMethod.objects.count() == 1


def test_the_assessment_form_is_built_from_the_current_method(client_as_officer, v1):
    admin = _user_with_role(roles.ADMINISTRATOR)
    risk_method_create(by=admin, **_v2_body(effective_from=d(2025, 4, 1)))
    provider = ProviderFactory()
    text = client_as_officer.get(reverse("providers:assess", args=[provider.pk])).text
    assert "version 2" in text
    assert 'name="factor_market_sustainability"' in text
    assert 'name="factor_quality_cqc"' not in text
    assert "Answer scoring 3" in text
    assert "9 to 15" in text


def test_an_assessment_dated_under_an_earlier_version_asks_for_that_versions_answers(client_as_officer, v1):
    admin = _user_with_role(roles.ADMINISTRATOR)
    v2 = risk_method_create(by=admin, **_v2_body(effective_from=d(2025, 4, 1)))
    provider = ProviderFactory()
    data = {"assessed_on_0": "1", "assessed_on_1": "6", "assessed_on_2": "2018", "factor_quality": "3"}
    data["method_shown"] = str(v2.pk)  # the form showed today's version
    data["factor_market_sustainability"] = "0"
    response = client_as_officer.post(reverse("providers:assess", args=[provider.pk]), data)
    assert response.status_code == 200
    assert "Version 1 of the risk method was in force on that date" in response.text
    assert 'name="factor_quality_cqc"' in response.text
    assert not RiskAssessment.objects.exists()
    data = {"assessed_on_0": "1", "assessed_on_1": "6", "assessed_on_2": "2018"} | {
        f"factor_{code}": "1" for code in v1_answers()
    }
    assert client_as_officer.post(reverse("providers:assess", args=[provider.pk]), data).status_code == 302
    assert RiskAssessment.objects.get().method == v1


def test_with_no_method_in_force_the_form_sends_the_officer_back(client_as_officer):
    # None in force: the migration's version 1 (when the database holds it) is taken away first.
    RiskMethod.objects.all().delete()
    provider = ProviderFactory()
    response = client_as_officer.get(reverse("providers:assess", args=[provider.pk]))
    assert response.status_code == 302
    assert response.url == provider.get_absolute_url()


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [("client", 302), ("client_as_scrutiny", 403), ("client_as_commissioner", 200), ("client_as_officer", 200)],
)
def test_the_assessment_page_shows_the_method_version_and_the_override_with_its_reason(
    request, v1, client_name, expected
):
    assessment = risk_assessment_record(
        provider=ProviderFactory(),
        factors=v1_answers(quality_cqc=3),
        assessed_on=d(2018, 6, 1),
        by=OfficerFactory(),
        override_level="high",
        override_reason="Owner entering administration.",
    )
    response = request.getfixturevalue(client_name).get(
        reverse("providers:risk_assessment_detail", args=[assessment.pk])
    )
    assert response.status_code == expected
    if expected == 200:
        assert "Provider risk matrix, version 1" in response.text
        assert "Overridden" in response.text
        assert "Owner entering administration." in response.text
        assert "3 – Inadequate overall" in response.text
        assert "6 of 30" in response.text


def test_the_provider_page_lists_each_assessments_version_and_marks_overrides(client_as_officer, v1):
    provider = ProviderFactory()
    risk_assessment_record(
        provider=provider,
        factors=v1_answers(),
        assessed_on=d(2018, 6, 1),
        by=OfficerFactory(),
        override_level="medium",
        override_reason="Market intelligence.",
    )
    text = client_as_officer.get(reverse("providers:detail", args=[provider.pk])).text
    assert "Version 1" in text
    assert "Overridden" in text
    assert "Market intelligence." in text


def test_an_unknown_assessment_or_method_is_404(client_as_officer, v1):
    assert client_as_officer.get(reverse("providers:risk_assessment_detail", args=[999999])).status_code == 404
    assert client_as_officer.get(reverse("providers:risk_method_detail", args=[999999])).status_code == 404


# --- API -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 401), (roles.SCRUTINY_MEMBER, 403), (roles.COMMISSIONER, 200), (roles.CONTRACT_OFFICER, 200)],
)
def test_officers_read_the_methods(v1, role, expected):
    client = _api(role)
    response = client.get("/api/v1/risk-methods/")
    assert response.status_code == expected
    assert client.get(f"/api/v1/risk-methods/{v1.pk}/").status_code == expected
    if expected == 200:
        (row,) = response.json()["results"]
        assert (row["version"], row["is_current"], row["max_score"], row["thresholds"]) == (
            1,
            True,
            30,
            {"medium": 8, "high": 14},
        )
        assert row["factors"][0]["answers"][3] == {
            "score": 3,
            "label": "Inadequate overall or in any key question, or in special measures.",
        }


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 401), (roles.SCRUTINY_MEMBER, 403), (roles.COMMISSIONER, 403), (roles.CONTRACT_OFFICER, 403)],
)
def test_only_administrators_post_a_method(v1, role, expected):
    response = _api(role).post("/api/v1/risk-methods/", _v2_body(), format="json")
    assert response.status_code == expected
    assert RiskMethod.objects.count() == 1


def test_an_administrator_posts_a_new_version(v1):
    response = _api(roles.ADMINISTRATOR).post("/api/v1/risk-methods/", _v2_body(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["version"], body["effective_from"], body["assessment_count"]) == (2, "2025-04-01", 0)
    assert RiskMethod.objects.get(version=2).created_by.has_role(roles.ADMINISTRATOR)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"factors": [factor("quality", scores=(0, 1, 1))]}, "factors", "'quality', answer 3"),
        ({"factors": []}, "factors", ""),
        ({"factors": [factor("Bad Code")]}, "factors", ""),
        ({"thresholds": {"medium": 9, "high": 4}}, "thresholds", "High above Medium"),
        ({"effective_from": "2016-04-01"}, "effective_from", "after version 1"),
        ({"effective_from": "not a date"}, "effective_from", ""),
        ({"name": ""}, "name", ""),
    ],
)
def test_a_bad_method_is_400_naming_the_field(v1, overrides, field, message):
    response = _api(roles.ADMINISTRATOR).post("/api/v1/risk-methods/", _v2_body(**overrides), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in errors
    assert message in json.dumps(errors)
    assert RiskMethod.objects.count() == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_method_is_never_changed_or_deleted_through_the_api(v1, method):
    response = getattr(_api(roles.ADMINISTRATOR), method)(
        f"/api/v1/risk-methods/{v1.pk}/", {"notes": "x"}, format="json"
    )
    assert response.status_code == 405
    assert RiskMethod.objects.filter(pk=v1.pk).exists()


def test_assessments_in_the_api_show_method_version_score_levels_and_override(v1):
    assessment = risk_assessment_record(
        provider=ProviderFactory(),
        factors=v1_answers(quality_cqc=3),
        assessed_on=d(2018, 6, 1),
        by=OfficerFactory(),
        override_level="high",
        override_reason="Owner entering administration.",
    )
    (row,) = _api(roles.CONTRACT_OFFICER).get("/api/v1/risk-assessments/").json()["results"]
    assert row["id"] == assessment.pk
    assert {k: row[k] for k in ("method", "method_version", "score", "calculated_level", "level", "overridden")} == {
        "method": v1.pk,
        "method_version": 1,
        "score": 6,
        "calculated_level": "low",
        "level": "high",
        "overridden": True,
    }
    assert row["override_reason"] == "Owner entering administration."


def test_an_api_assessment_with_an_answer_the_method_does_not_allow_is_400(v1):
    response = _api(roles.CONTRACT_OFFICER).post(
        "/api/v1/risk-assessments/",
        {"provider": ProviderFactory().pk, "factors": v1_answers(quality_cqc=7), "assessed_on": "2018-06-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "Quality and CQC rating" in json.dumps(response.json()["errors"]["factors"])


def test_the_assessments_api_runs_constant_queries(v1, django_assert_max_num_queries):
    officer = OfficerFactory()
    for _ in range(20):
        risk_assessment_record(provider=ProviderFactory(), factors=v1_answers(), assessed_on=d(2018, 6, 1), by=officer)
    client = _api(roles.CONTRACT_OFFICER)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/risk-assessments/").status_code == 200
