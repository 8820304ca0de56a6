"""The demo's forward plan: I017457 (seed 000: the Executive, 4 June 2019, a key decision) published with at
least 28 clear days' notice and linked to its decision record, four Adult Care decisions beside it (one under the
general exception with its reasons, one exempt under paragraph 3), built through the services; a second run
writes nothing."""

import datetime

import pytest

from demo import people
from demo.forward_plan import build_forward_plan
from scrutiny import selectors
from scrutiny.models import Decision, ForwardPlanEntry
from tests.factories import StrategyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return people.build_users(people.build_directorates(), "a-demo-password-for-tests")


def _decided_i017457() -> Decision:
    return Decision.objects.create(
        reference="I017457",
        decision_maker="Executive",
        key_decision=True,
        report_to="Executive",
        report_date=datetime.date(2019, 6, 4),
        subject="Commissioning Strategies",
        outcome=Decision.Outcome.APPROVED,
        decided_on=datetime.date(2019, 6, 4),
    )


def test_the_demo_plan_carries_seed_000s_key_decision_with_its_notice(users):
    decision = _decided_i017457()
    StrategyFactory(name="Carers")
    entries = build_forward_plan(users)

    seed = entries["I017457"]
    assert (seed.decision_maker, seed.decision_due, seed.key_decision) == ("Executive", datetime.date(2019, 6, 4), True)
    assert selectors.notice_clear_days(seed) >= 28
    assert selectors.notice_given(seed)
    assert (seed.decision, seed.status) == (decision, ForwardPlanEntry.Status.DECIDED)
    assert seed.history.earliest().history_date.date() == seed.first_published

    adult_care = [entry for reference, entry in entries.items() if reference != "I017457"]
    assert 3 <= len(adult_care) <= 5
    assert {entry.directorate.code for entry in adult_care} == {"ACCW"}
    general = [e for e in adult_care if e.notice_route == ForwardPlanEntry.NoticeRoute.GENERAL_EXCEPTION]
    assert len(general) == 1
    assert general[0].urgency_reasons
    assert not selectors.notice_given(general[0])
    exempt = [e for e in adult_care if e.exempt]
    assert [(e.exempt_paragraph, "award" in e.title.lower()) for e in exempt] == [(3, True)]
    carers = ForwardPlanEntry.objects.get(reference="I017550")
    assert [s.name for s in carers.strategies.all()] == ["Carers"]


def test_loading_the_demo_plan_twice_writes_nothing(users):
    build_forward_plan(users)  # no decision record yet: the entry waits for it
    assert ForwardPlanEntry.objects.get(reference="I017457").decision is None
    history = ForwardPlanEntry.history.count()

    build_forward_plan(users)
    assert ForwardPlanEntry.objects.count() == 5
    assert ForwardPlanEntry.history.count() == history

    _decided_i017457()
    build_forward_plan(users)  # the decision recorded since is linked on the next run
    assert ForwardPlanEntry.objects.get(reference="I017457").status == ForwardPlanEntry.Status.DECIDED
