"""Every list runs the same number of queries at page size 5 as at page size 100."""

import pytest

from scrutiny.models import Committee
from tests import factories as f

pytestmark = pytest.mark.django_db

BOUND = 10


def _rows(directorate):
    strategy = f.StrategyFactory(directorate=directorate)
    f.OutcomeFactory(strategy=strategy)
    f.MeasureResultFactory(measure=f.MeasureFactory(strategy=strategy))
    f.HighlightReportFactory(strategy=strategy)
    f.ScrutinyConclusionFactory(strategy=strategy)
    f.PackAppendixFactory(strategy=strategy)
    contract = f.ContractFactory(strategy=strategy)
    contract.other_providers.add(f.ProviderFactory())
    f.PooledBudgetFactory(strategy=strategy, contract=contract)
    provider = contract.lead_provider
    f.CqcRatingFactory(location=f.LocationFactory(provider=provider, name=f"Home {provider.pk}"))
    f.RiskAssessmentFactory(provider=provider)
    f.VisitFactory(provider=provider, contract=contract)
    f.ConcernFactory(provider=provider, contract=contract)
    f.SanctionFactory(provider=provider, contract=contract)
    f.PlanActionFactory(plan=f.ActionPlanFactory(provider=provider, contract=contract))
    f.MeetingFactory()


@pytest.mark.parametrize(
    "resource",
    [
        "strategies",
        "outcomes",
        "highlight-reports",
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
        "measures",
        "measure-results",
        "meetings",
        "scrutiny-conclusions",
        "scrutiny-packs",
    ],
)
def test_lists_run_constant_queries_whatever_the_page_size(
    api_client_for, directorate, django_assert_max_num_queries, resource
):
    client = api_client_for("admin")
    for _ in range(12):
        _rows(directorate)

    with django_assert_max_num_queries(BOUND) as small:
        assert client.get(f"/api/v1/{resource}/?page_size=5").status_code == 200
    with django_assert_max_num_queries(BOUND) as large:
        response = client.get(f"/api/v1/{resource}/?page_size=100")

    assert len(response.json()["results"]) >= 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_page_size_is_capped_at_100(api_client_for):
    Committee.objects.bulk_create(Committee(name=f"Committee {n}") for n in range(105))

    body = api_client_for("admin").get("/api/v1/committees/?page_size=5000").json()

    assert body["count"] == 105
    assert len(body["results"]) == 100
