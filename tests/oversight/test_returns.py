"""Contract returns through their services (oversight.returns): the frequency, the schedule, submitting with the
JET rules and the KPI descriptor, the derived Good / Average / Poor field, chasing, and the selectors."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from commissioning import roles
from commissioning.models import Notification
from contracts.models import Contract
from oversight import returns
from oversight.models import KpiRating, ReturnFinding
from oversight.tasks import contract_returns_daily
from providers.models import RiskLevel
from tests.conftest import _user_with_role
from tests.factories import (
    DirectorateFactory,
    FrozenContractKpiFactory,
    KpiResultFactory,
    RiskAssessmentFactory,
)
from tests.oversight.returns_factories import (
    TODAY,
    ContractReturnFactory,
    ManagedContractFactory,
    OverdueContractReturnFactory,
    SubmittedContractReturnFactory,
)
from tests.providers.risk_factories import method_v1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def manager(db):
    return _user_with_role(roles.CONTRACT_OFFICER, username="manager", directorate=DirectorateFactory(code="cs"))


@pytest.fixture
def backup(db):
    return _user_with_role(roles.CONTRACT_OFFICER, username="backup")


@pytest.fixture
def contract(manager, backup):
    return ManagedContractFactory(contract_manager=manager, backup_manager=backup)


def _risk(provider, on, level=RiskLevel.LOW):
    return RiskAssessmentFactory(provider=provider, assessed_on=on, calculated_level=level, method=method_v1())


def _submit(ret, by, **overrides):
    fields = {"risk_rating": "green", "jet_score": 7, "commentary": "", "findings": []}
    fields.update(overrides)
    return returns.contract_return_submit(contract_return=ret, by=by, **fields)


# --- Frequency ------------------------------------------------------------------------------------------------


def test_returns_are_monthly_by_default(contract):
    assert returns.return_frequency_for(contract) == "monthly"


def test_a_low_risk_contract_under_the_value_makes_quarterly_returns(contract):
    _risk(contract.lead_provider, datetime.date(2026, 1, 5))
    contract.annual_value = Decimal("99999.99")

    assert returns.return_frequency_for(contract) == "quarterly"


def test_a_low_risk_contract_at_the_value_stays_monthly(contract):
    _risk(contract.lead_provider, datetime.date(2026, 1, 5))
    contract.annual_value = Decimal("100000")

    assert returns.return_frequency_for(contract) == "monthly"


def test_a_medium_risk_small_contract_stays_monthly(contract):
    _risk(contract.lead_provider, datetime.date(2026, 1, 5), RiskLevel.MEDIUM)
    contract.annual_value = Decimal("5000")

    assert returns.return_frequency_for(contract) == "monthly"


@override_settings(CONTRACT_RETURN_QUARTERLY_BELOW="10000")
def test_the_quarterly_threshold_is_a_setting(contract):
    _risk(contract.lead_provider, datetime.date(2026, 1, 5))
    contract.annual_value = Decimal("50000")

    assert returns.return_frequency_for(contract) == "monthly"


# --- The schedule ---------------------------------------------------------------------------------------------


def test_the_schedule_makes_last_months_return_due_at_the_end_of_this_month(contract):
    made = returns.returns_schedule(contract=contract, today=TODAY)

    assert [(r.period_start, r.period_end, r.due_on) for r in made] == [
        (datetime.date(2026, 5, 1), datetime.date(2026, 5, 31), datetime.date(2026, 6, 30))
    ]


def test_the_schedule_is_idempotent_and_follows_on_from_the_latest_return(contract):
    returns.returns_schedule(contract=contract, today=datetime.date(2026, 3, 2))
    returns.returns_schedule(contract=contract, today=TODAY)
    returns.returns_schedule(contract=contract, today=TODAY)

    assert list(contract.returns.order_by("period_start").values_list("period_start", flat=True)) == [
        datetime.date(2026, 2, 1),
        datetime.date(2026, 3, 1),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 5, 1),
    ]


def test_the_schedule_starts_no_earlier_than_the_contract(manager):
    contract = ManagedContractFactory(contract_manager=manager, start_date=datetime.date(2026, 4, 10))

    made = returns.returns_schedule(contract=contract, today=TODAY, since=datetime.date(2025, 1, 1))

    assert [r.period_start for r in made] == [datetime.date(2026, 4, 1), datetime.date(2026, 5, 1)]


def test_a_contract_with_no_manager_or_not_live_makes_no_returns(manager):
    assert returns.returns_schedule(contract=ManagedContractFactory(), today=TODAY) == []
    ended = ManagedContractFactory(contract_manager=manager, status=Contract.Status.EXPIRED)
    assert returns.returns_schedule(contract=ended, today=TODAY) == []


def test_a_call_off_under_a_framework_is_reported_in_the_frameworks_return(manager, backup):
    from contracts.services import contract_record_parts

    framework = ManagedContractFactory(contract_manager=manager, backup_manager=backup)
    call_off = ManagedContractFactory(contract_manager=manager, backup_manager=backup)
    contract_record_parts(summary=framework, parts=[call_off], by=None)

    assert returns.returns_schedule(contract=call_off, today=TODAY) == []
    assert [r.period_start for r in returns.returns_schedule(contract=framework, today=TODAY)] == [
        datetime.date(2026, 5, 1)
    ]
    returns.returns_schedule_all(today=datetime.date(2026, 7, 15))
    assert not call_off.returns.exists()
    assert framework.returns.count() == 2


def test_quarterly_returns_cover_financial_quarters(contract):
    _risk(contract.lead_provider, datetime.date(2025, 1, 5))
    Contract.objects.filter(pk=contract.pk).update(annual_value=Decimal("20000"))

    returns.returns_schedule(contract=contract, today=datetime.date(2026, 1, 5), since=datetime.date(2025, 3, 1))

    assert list(contract.returns.order_by("period_start").values_list("frequency", "period_start", "period_end")) == [
        ("monthly", datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)),
        ("quarterly", datetime.date(2025, 4, 1), datetime.date(2025, 6, 30)),
        ("quarterly", datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
        ("quarterly", datetime.date(2025, 10, 1), datetime.date(2025, 12, 31)),
    ]


def test_scheduling_every_contract_gives_the_same_returns(contract, manager):
    other = ManagedContractFactory(contract_manager=manager)

    made = returns.returns_schedule_all(today=TODAY, since=datetime.date(2026, 3, 1))

    assert made == 6
    assert contract.returns.count() == other.returns.count() == 3
    assert returns.returns_schedule_all(today=TODAY) == 0


def test_opening_a_return_refuses_a_period_not_yet_ended_or_already_there(contract, manager):
    with pytest.raises(ValidationError) as error:
        returns.contract_return_open(contract=contract, period_start=datetime.date(2026, 6, 1), by=manager)
    assert "period_start" in error.value.message_dict
    returns.contract_return_open(contract=contract, period_start=datetime.date(2026, 4, 1), by=manager)
    with pytest.raises(ValidationError, match="already has a return"):
        returns.contract_return_open(contract=contract, period_start=datetime.date(2026, 4, 1), by=manager)


# --- Submitting -----------------------------------------------------------------------------------------------


def test_submitting_records_the_grade_and_derives_the_registers_field(contract, manager):
    ret = ContractReturnFactory(contract=contract)

    done = _submit(
        ret,
        manager,
        risk_rating="amber",
        jet_score=5,
        commentary="Waiting times up.",
        findings=[
            {"kind": "strength", "text": "Good engagement"},
            {"kind": "weakness", "severity": "moderate", "text": "Waiting times above the specification"},
        ],
    )

    assert (done.submitted_on, done.submitted_by, done.grade, done.jet_descriptor) == (
        TODAY,
        manager,
        "requires_improvement",
        "Effective",
    )
    assert done.kpi_descriptor == "No KPIs"
    assert [(f.kind, f.severity) for f in done.findings.order_by("kind")] == [
        ("strength", ""),
        ("weakness", "moderate"),
    ]
    contract.refresh_from_db()
    assert contract.performance == Contract.Performance.AVERAGE
    assert contract.history.first().history_user == manager


@pytest.mark.parametrize(
    ("score", "findings", "performance"),
    [
        (9, [], "good"),
        (6, [{"kind": "weakness", "severity": "minor", "text": "x"}], "good"),
        (2, [{"kind": "weakness", "severity": "major", "text": "x"}], "poor"),
    ],
)
def test_the_register_field_follows_the_grade(contract, manager, score, findings, performance):
    _submit(ContractReturnFactory(contract=contract), manager, jet_score=score, findings=findings)

    contract.refresh_from_db()
    assert contract.performance == performance


def test_the_register_field_follows_the_latest_period_not_the_latest_submission(contract, manager):
    _submit(ContractReturnFactory(contract=contract), manager, jet_score=8)
    _submit(
        OverdueContractReturnFactory(contract=contract),
        manager,
        jet_score=3,
        findings=[{"kind": "weakness", "severity": "major", "text": "x"}],
    )

    contract.refresh_from_db()
    assert contract.performance == "good"


def test_a_score_must_fit_the_worst_weakness(contract, manager):
    ret = ContractReturnFactory(contract=contract)

    with pytest.raises(ValidationError) as error:
        _submit(ret, manager, jet_score=7, findings=[{"kind": "weakness", "severity": "major", "text": "x"}])

    assert "cannot have a major weakness" in error.value.message_dict["jet_score"][0]
    ret.refresh_from_db()
    assert ret.submitted_on is None
    assert not ReturnFinding.objects.exists()


def test_an_inadequate_score_needs_a_major_weakness(contract, manager):
    with pytest.raises(ValidationError) as error:
        _submit(ContractReturnFactory(contract=contract), manager, jet_score=2)

    assert "needs a major weakness" in error.value.message_dict["jet_score"][0]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"risk_rating": "purple"}, "risk_rating", "Red, Amber or Green"),
        ({"risk_rating": ""}, "risk_rating", "Red, Amber or Green"),
        ({"jet_score": 10}, "jet_score", "from 1 (Poor) to 9"),
        ({"jet_score": 0}, "jet_score", "from 1 (Poor) to 9"),
        ({"jet_score": None}, "jet_score", "from 1 (Poor) to 9"),
        ({"findings": [{"kind": "weakness", "text": "no severity"}]}, "findings", "minor, moderate or major"),
        ({"findings": [{"kind": "strength", "severity": "minor", "text": "x"}]}, "findings", "only a weakness"),
        ({"findings": [{"kind": "opinion", "text": "x"}]}, "findings", "strength or a weakness"),
        ({"findings": [{"kind": "strength", "text": "  "}]}, "findings", "describe the strength"),
    ],
)
def test_bad_submissions_are_refused_naming_the_field(contract, manager, fields, field, words):
    with pytest.raises(ValidationError) as error:
        _submit(ContractReturnFactory(contract=contract), manager, **fields)

    assert words in " ".join(error.value.message_dict[field])


def test_a_return_is_submitted_once(contract, manager):
    ret = SubmittedContractReturnFactory(contract=contract)

    with pytest.raises(ValidationError) as error:
        _submit(ret, manager)

    assert "cannot be submitted again" in error.value.message_dict["submitted_on"][0]


def test_the_backup_manager_submits_whichever_directorate(contract, backup):
    assert backup.directorate_id is None or backup.directorate_id != contract.directorate_id

    assert _submit(ContractReturnFactory(contract=contract), backup).submitted_by == backup


def test_an_officer_of_another_directorate_who_does_not_manage_it_is_refused(contract):
    stranger = _user_with_role(roles.CONTRACT_OFFICER, username="stranger", directorate=DirectorateFactory(code="ph"))

    with pytest.raises(PermissionDenied):
        _submit(ContractReturnFactory(contract=contract), stranger)


def test_a_commissioner_may_not_submit(contract):
    commissioner = _user_with_role(roles.COMMISSIONER, username="comm")

    with pytest.raises(PermissionDenied):
        _submit(ContractReturnFactory(contract=contract), commissioner)


def test_the_form_starts_from_the_last_submitted_return(contract):
    SubmittedContractReturnFactory(contract=contract, risk_rating="amber", jet_score=6, commentary="As before.")
    due = ContractReturnFactory(contract=contract)

    initial = returns.return_initial(due)

    assert (initial["risk_rating"], initial["jet_score"], initial["commentary"]) == ("amber", 6, "As before.")
    assert returns.return_initial(OverdueContractReturnFactory()) == {}


# --- The KPI descriptor ---------------------------------------------------------------------------------------


def _kpi_with(contract, value, rating, target="95", polarity="higher"):
    kpi = FrozenContractKpiFactory(contract=contract, target=Decimal(target), polarity=polarity)
    KpiResultFactory(
        kpi=kpi,
        period_start=datetime.date(2026, 5, 1),
        period_end=datetime.date(2026, 5, 31),
        value=Decimal(value),
        suggested_rating=rating,
        rating=rating,
    )
    return kpi


def test_the_kpi_descriptor_is_computed_from_the_periods_results(contract, manager):
    _kpi_with(contract, "97", KpiRating.GOOD)
    _kpi_with(contract, "99", KpiRating.GOOD)
    _kpi_with(contract, "95", KpiRating.GOOD)

    done = _submit(ContractReturnFactory(contract=contract), manager, jet_score=8)

    assert done.kpi_descriptor == "Most are above target and are at least on target"


def test_a_lower_is_better_kpi_below_its_target_is_above_target(contract):
    _kpi_with(contract, "8", KpiRating.GOOD, target="10", polarity="lower")

    descriptor = returns.kpi_descriptor_for(
        contract=contract, period_start=datetime.date(2026, 5, 1), period_end=datetime.date(2026, 5, 31)
    )
    assert descriptor.text == "All are above target"


def test_results_under_target_and_other_are_counted_as_the_rule_says(contract):
    _kpi_with(contract, "90", KpiRating.INADEQUATE)
    _kpi_with(contract, "93", KpiRating.APPROACHING_TARGET)
    _kpi_with(contract, "96", KpiRating.GOOD)
    _kpi_with(contract, "0", KpiRating.OTHER)

    descriptor = returns.kpi_descriptor_for(
        contract=contract, period_start=datetime.date(2026, 5, 1), period_end=datetime.date(2026, 5, 31)
    )
    assert descriptor.text == "Majority are under target"


def test_a_kpi_with_no_result_in_the_period_takes_its_latest_of_the_year_before(contract):
    kpi = FrozenContractKpiFactory(contract=contract, frequency="quarterly")
    KpiResultFactory(
        kpi=kpi, period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 3, 31), value=Decimal("90"),
        rating=KpiRating.INADEQUATE,
    )  # fmt: skip

    descriptor = returns.kpi_descriptor_for(
        contract=contract, period_start=datetime.date(2026, 5, 1), period_end=datetime.date(2026, 5, 31)
    )
    assert descriptor.text == "All are under target"


def test_kpis_with_no_results_say_so(contract):
    FrozenContractKpiFactory(contract=contract)

    descriptor = returns.kpi_descriptor_for(
        contract=contract, period_start=datetime.date(2026, 5, 1), period_end=datetime.date(2026, 5, 31)
    )
    assert descriptor.text == "No KPI results for the period"


# --- Many at once (the demo's) --------------------------------------------------------------------------------


def test_submitting_many_applies_the_same_rules_and_derives_each_contract(contract, manager):
    first = OverdueContractReturnFactory(contract=contract)
    second = ContractReturnFactory(contract=contract)
    _kpi_with(contract, "99", KpiRating.GOOD)

    count = returns.contract_returns_submit_many(
        submissions=[
            returns.ReturnSubmission(contract_return=first, risk_rating="green", jet_score=7),
            returns.ReturnSubmission(
                contract_return=second,
                risk_rating="red",
                jet_score=3,
                findings=({"kind": "weakness", "severity": "major", "text": "Capacity"},),
                submitted_by=manager,
            ),
        ],
        by=None,
    )

    assert count == 2
    second.refresh_from_db()
    assert (second.grade, second.kpi_descriptor, second.submitted_by) == ("inadequate", "All are above target", manager)
    contract.refresh_from_db()
    assert contract.performance == "poor"
    with pytest.raises(ValidationError, match="cannot have a major weakness"):
        returns.contract_returns_submit_many(
            submissions=[
                returns.ReturnSubmission(
                    contract_return=ContractReturnFactory(period_start=datetime.date(2026, 3, 1)),
                    risk_rating="green",
                    jet_score=9,
                    findings=({"kind": "weakness", "severity": "major", "text": "x"},),
                )
            ],
            by=None,
        )


# --- Chasing --------------------------------------------------------------------------------------------------


def test_a_return_overdue_five_days_is_chased_once_by_email_to_manager_and_backup(
    contract, manager, backup, django_capture_on_commit_callbacks
):
    ret = OverdueContractReturnFactory(contract=contract, due_on=datetime.date(2026, 6, 10))

    with django_capture_on_commit_callbacks(execute=True):
        assert returns.contract_returns_chase(today=TODAY) == 1
        assert returns.contract_returns_chase(today=TODAY) == 0

    ret.refresh_from_db()
    assert (ret.chased_on, ret.chase_count) == (TODAY, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([manager.email, backup.email])
    assert all("contract return is overdue" in m.subject for m in mail.outbox)
    assert all(contract.reference not in m.body for m in mail.outbox)
    assert Notification.objects.filter(kind=returns.CHASE_KIND, link=f"/oversight/returns/{ret.pk}/").count() == 2


def test_a_return_overdue_four_days_is_not_yet_chased(contract):
    OverdueContractReturnFactory(contract=contract, due_on=datetime.date(2026, 6, 11))

    assert returns.contract_returns_chase(today=TODAY) == 0
    assert mail.outbox == []


def test_chasing_repeats_every_n_days_until_submitted(contract, manager, django_capture_on_commit_callbacks):
    ret = OverdueContractReturnFactory(contract=contract, due_on=datetime.date(2026, 5, 31))
    with django_capture_on_commit_callbacks(execute=True):
        returns.contract_returns_chase(today=datetime.date(2026, 6, 5))
        assert returns.contract_returns_chase(today=datetime.date(2026, 6, 9)) == 0
        assert returns.contract_returns_chase(today=datetime.date(2026, 6, 10)) == 1
        _submit(ret, manager)
        assert returns.contract_returns_chase(today=datetime.date(2026, 6, 20)) == 0
    ret.refresh_from_db()
    assert ret.chase_count == 2
    assert len(mail.outbox) == 4  # manager and backup, twice


@override_settings(CONTRACT_RETURN_CHASE_AFTER_DAYS=10, CONTRACT_RETURN_CHASE_EVERY_DAYS=10)
def test_the_chase_days_are_settings(contract):
    OverdueContractReturnFactory(contract=contract, due_on=datetime.date(2026, 6, 6))

    assert returns.contract_returns_chase(today=TODAY) == 0


def test_the_daily_task_schedules_and_chases(contract, manager, django_capture_on_commit_callbacks):
    OverdueContractReturnFactory(contract=contract, due_on=datetime.date(2026, 6, 1))

    with django_capture_on_commit_callbacks(execute=True):
        assert contract_returns_daily.delay().get() == 1
    assert contract.returns.filter(period_start=datetime.date(2026, 5, 1)).exists()
    assert {m.to[0] for m in mail.outbox} == {manager.email, contract.backup_manager.email}


# --- Selectors ------------------------------------------------------------------------------------------------


def test_returns_due_for_lists_the_officers_managed_and_backed_up_contracts_only(contract, manager, backup):
    mine = ContractReturnFactory(contract=contract)
    late = OverdueContractReturnFactory(contract=contract)
    SubmittedContractReturnFactory(contract=contract, period_start=datetime.date(2026, 3, 1))
    ContractReturnFactory()  # someone else's
    ContractReturnFactory(contract=ManagedContractFactory(contract_manager=manager, status="expired"))

    assert list(returns.returns_due_for(user=manager, today=TODAY)) == [late, mine]
    assert list(returns.returns_due_for(user=backup, today=TODAY)) == [late, mine]


def test_grade_history_is_the_submitted_returns_latest_first(contract):
    older = SubmittedContractReturnFactory(contract=contract)
    newer = SubmittedContractReturnFactory(contract=contract, period_start=datetime.date(2026, 5, 1))
    ContractReturnFactory(contract=contract, period_start=datetime.date(2026, 6, 1))

    assert list(returns.grade_history(contract)) == [newer, older]


def test_the_grade_distribution_counts_each_live_contracts_latest_return(contract, manager):
    SubmittedContractReturnFactory(contract=contract, jet_score=3, risk_rating="red")
    SubmittedContractReturnFactory(
        contract=contract, period_start=datetime.date(2026, 5, 1), jet_score=8, risk_rating="green"
    )
    SubmittedContractReturnFactory(jet_score=6, risk_rating="amber")
    SubmittedContractReturnFactory(contract=ManagedContractFactory(status="expired"), jet_score=1)

    dist = returns.grade_distribution_now(user=manager)

    assert dist.total == 2
    assert dict(dist.grade_rows) == {"Outstanding": 1, "Good": 1, "Requires Improvement": 0, "Inadequate": 0}
    assert dict(dist.rag_rows) == {"Red": 0, "Amber": 1, "Green": 1}


def test_the_monthly_report_counts_by_directorate_and_lists_falling_grades(contract, manager):
    SubmittedContractReturnFactory(contract=contract, period_start=datetime.date(2026, 3, 1), jet_score=7)
    SubmittedContractReturnFactory(contract=contract, period_start=datetime.date(2026, 4, 1), jet_score=4)
    OverdueContractReturnFactory(contract=ManagedContractFactory(directorate=contract.directorate))
    other = ManagedContractFactory()
    SubmittedContractReturnFactory(contract=other, period_start=datetime.date(2026, 3, 1), jet_score=6)
    SubmittedContractReturnFactory(contract=other, period_start=datetime.date(2026, 4, 1), jet_score=7)

    report = returns.returns_report(user=manager, month=datetime.date(2026, 4, 1), today=TODAY)

    assert (report.total.submitted, report.total.overdue, report.total.due) == (2, 1, 0)
    row = next(d for d in report.directorates if d.directorate == contract.directorate.name)
    assert (row.submitted, row.overdue) == (1, 1)
    assert dict(row.grade_rows)["Requires Improvement"] == 1
    assert [r.contract for r in report.total.fell] == [contract]
