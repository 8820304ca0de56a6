"""The bench data generator: totals reached, demo-style content for the pages, re-runnable and growable."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from contracts.imports import HEADERS, import_contracts
from contracts.models import Contract
from demo import bench_data
from oversight.models import Concern, Visit
from performance.models import Measure, MeasureResult
from providers.models import CqcRating, Location, Provider, RiskAssessment
from strategies.models import CommissioningStrategy, HighlightReport, Outcome

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)


def _counts():
    return (
        CommissioningStrategy.objects.count(),
        Provider.objects.count(),
        Contract.objects.count(),
        Visit.objects.count(),
    )


def test_a_hundredth_of_the_data_set_reaches_each_total():
    out = io.StringIO()
    call_command("build_bench_data", "--scale", "0.01", stdout=out)

    assert _counts() == (2, 20, 100, 500)
    assert "Totals: 2 strategies, 20 providers" in out.getvalue()


def test_strategies_have_outcomes_measures_results_and_reports_for_the_pages():
    bench_data.build(contracts=10, providers=5, visits=20, strategies=2, today=TODAY)

    strategy = CommissioningStrategy.objects.first()
    assert Outcome.objects.filter(strategy=strategy).count() == 3
    assert Measure.objects.filter(strategy=strategy).count() == 5
    # Seven past quarters of results for each measure; the current quarter's are not in yet.
    assert MeasureResult.objects.filter(measure__strategy=strategy).count() == 5 * 7
    assert HighlightReport.objects.filter(strategy=strategy).count() == 4
    assert Location.objects.exists()
    assert CqcRating.objects.exists()
    assert RiskAssessment.objects.exists()
    assert all(c.strategy_id and c.lead_provider_id for c in Contract.objects.all())
    assert Concern.objects.count() <= Visit.objects.count()


def test_a_second_run_with_the_same_totals_adds_nothing():
    bench_data.build(contracts=30, providers=6, visits=40, strategies=2, today=TODAY)
    before = _counts()

    result = bench_data.build(contracts=30, providers=6, visits=40, strategies=2, today=TODAY)

    assert _counts() == before
    assert not any(result.added.values())


def test_growing_the_data_set_carries_on_the_numbering():
    bench_data.build(contracts=30, providers=6, visits=40, strategies=2, today=TODAY)
    bench_data.build(contracts=80, providers=15, visits=100, strategies=3, today=TODAY)

    assert _counts() == (3, 15, 80, 100)
    references = list(Contract.objects.values_list("reference", flat=True))
    assert len(set(references)) == 80
    assert "BEN-000080" in references


def test_the_import_file_is_accepted_by_the_contract_importer(tmp_path):
    bench_data.build(contracts=10, providers=5, visits=10, strategies=2, today=TODAY)

    path = bench_data.write_import_file(tmp_path / "contracts.csv", rows=25)

    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 25
    assert list(rows[0]) == HEADERS
    report = import_contracts(content=path.read_bytes(), filename=path.name, by=None, dry_run=True)
    assert report.ok, report.errors[:3]
    assert report.created == 25


def test_the_import_file_needs_the_bench_data_first(tmp_path):
    with pytest.raises(ValueError, match="Build the bench data first"):
        bench_data.write_import_file(tmp_path / "contracts.csv", rows=5)


def test_a_scale_of_zero_is_refused():
    with pytest.raises(CommandError, match="--scale must be more than 0"):
        call_command("build_bench_data", "--scale", "0")
