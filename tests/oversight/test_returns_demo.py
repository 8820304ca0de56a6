"""The demo's contract returns (demo.returns): made through the services, the seed contracts' grades match the
seed's Good / Average / Poor, today's managed contracts have returns over the demo clock's window with due and
overdue ones on the demo officer's home page, a majority Good spread, and loading twice changes nothing."""

from collections import Counter

import pytest
from django.utils import timezone

from commissioning.models import User
from contracts.models import Contract
from demo import clock
from demo.returns import SEED_MONTH, seed_performance
from oversight import grading
from oversight.models import ContractReturn
from oversight.returns import grade_distribution_now, returns_due_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_database, db):
    """The demo data, loaded once for the run (tests/conftest.py). Loading it twice makes no new returns: the
    idempotence of the whole load is tests/demo/test_load_demo.py's."""


def test_the_seed_contracts_grades_give_their_seed_performance(demo):
    for reference, word in seed_performance().items():
        contract = Contract.objects.get(reference=reference)
        if word == "not_assessed":
            assert not contract.returns.exists(), reference
            continue
        ret = contract.returns.get(period_start=SEED_MONTH)
        assert grading.performance_for_grade(ret.grade) == word, reference
        assert contract.performance == word, reference


def test_every_managed_live_contract_has_returns_over_the_window(demo):
    since = clock.recent_start()
    # A call-off recorded as part of a framework or agreement is reported in its framework's return.
    managed = Contract.objects.filter(status="live", contract_manager__isnull=False, part_of__isnull=True)
    assert managed.exists()
    for contract in managed:
        assert contract.returns.filter(period_start__gte=since).exists(), contract.reference
    call_offs = Contract.objects.filter(status="live", part_of__isnull=False)
    assert call_offs.count() > 500
    assert not ContractReturn.objects.filter(contract__in=call_offs).exists()


def test_the_demo_officer_has_due_and_overdue_returns(demo):
    today = timezone.localdate()
    due = list(returns_due_for(user=User.objects.get(username="officer"), today=today))

    assert any(r.due_on < today for r in due)
    assert any(r.due_on >= today for r in due)


def test_the_grades_are_mostly_good_and_every_submission_obeys_the_rules(demo):
    dist = grade_distribution_now()
    grades = dict(dist.grade_rows)
    assert grades["Good"] > dist.total / 3
    assert grades["Good"] >= max(grades["Outstanding"], grades["Requires Improvement"], grades["Inadequate"])
    severities = Counter()
    for ret in ContractReturn.objects.submitted().prefetch_related("findings"):
        weaknesses = [f.severity for f in ret.findings.all() if f.kind == "weakness"]
        assert grading.severity_problem(ret.jet_score, weaknesses) is None, ret
        assert ret.submitted_on > ret.period_end
        severities.update(weaknesses)
    assert set(severities) == {"minor", "moderate", "major"}
