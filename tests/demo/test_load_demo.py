"""The demo data: the Lincolnshire 2018/19 figures come out of the records, and loading twice changes nothing."""

import io
from collections import Counter
from datetime import date, datetime, time

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from commissioning import roles
from commissioning.models import Notification, User
from commissioning.periods import FinancialQuarter
from contracts.models import Contract, ContractChange, PooledBudget
from demo import FIGURES
from demo.plans import PLAN_NAME as SOMERSET_PLAN
from oversight.models import Concern, Sanction, Visit
from performance.selectors import measures_summary
from providers.models import CqcRating, Location, Provider
from scrutiny.models import ScrutinyConclusion, ScrutinyPack
from strategies.models import CommissioningStrategy, HighlightReport

PASSWORD = "a-demo-password-for-tests"
YEAR_2018 = (date(2018, 4, 1), date(2019, 3, 31))

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def demo(demo_database, django_db_blocker):
    """The demo loaded once for the run (tests/conftest.py), then loaded again here: the counts after each."""
    with django_db_blocker.unblock():
        after_first = _counts()
        call_command("load_demo", password=PASSWORD, i_know_this_is_not_production=True, stdout=io.StringIO())
        after_second = _counts()
    return {"output": demo_database, "after_first": after_first, "after_second": after_second}


def test_loading_twice_changes_no_record_count(demo):
    changed = {
        label: (before, demo["after_second"][label])
        for label, before in demo["after_first"].items()
        if before != demo["after_second"][label]
    }
    assert changed == {}
    assert demo["after_first"]["contracts.Contract"] > 1000


def test_the_six_strategies_of_the_executive_report(demo):
    # Somerset's plan (seed 003) is a second council area's, beside the Lincolnshire six.
    strategies = CommissioningStrategy.objects.exclude(name=SOMERSET_PLAN).select_related(
        "directorate", "commissioning_lead"
    )
    assert sorted(s.name for s in strategies) == sorted(FIGURES["q3_measures"])
    carers = strategies.get(name="Carers")
    assert carers.stages == ["Do", "Review"]
    assert carers.sponsor == "Executive Director – Adult Care and Community Wellbeing"
    assert carers.commissioning_lead.job_title == "Head of Commissioning – Carers"
    assert strategies.get(name="Public Protection").directorate.name == "Public Protection"


def test_q3_highlight_reports_are_approved_by_the_executive(demo):
    reports = HighlightReport.objects.filter(year=2018, quarter=3)
    assert reports.count() == 6
    assert set(reports.values_list("status", "decision_reference", "decision_date")) == {
        ("approved", "I017457", date(2019, 6, 4))
    }
    assert all(FinancialQuarter(2018, 3).contains(r.report_date) for r in reports)
    timeline = reports.get(strategy__name="Carers").events.order_by("at").values_list("kind", flat=True)
    assert list(timeline) == ["created", "submitted", "board_reviewed", "scrutiny_considered", "approved"]
    assert HighlightReport.objects.filter(year=2018, quarter=4, status="draft").count() == 2


def test_q3_measures_achieved_and_not_achieved_match_the_seed(demo):
    names = dict(CommissioningStrategy.objects.exclude(name=SOMERSET_PLAN).values_list("pk", "name"))
    summaries = measures_summary(strategy_ids=list(names), period=FinancialQuarter(2018, 3))
    found = {
        names[pk]: (s.targeted, s.achieved, s.not_achieved, s.awaiting_data, s.measured_only)
        for pk, s in summaries.items()
    }
    assert found == FIGURES["q3_measures"]


def test_every_measure_with_data_has_eight_quarters_to_q3_and_a_q4(demo):
    from performance.models import Measure

    quarters = {(q.year, q.quarter) for q in FinancialQuarter(2018, 3).last(8)} | {(2018, 4)}
    for measure in Measure.objects.prefetch_related("results"):
        # The seed's history, to 2018/19; the demo clock adds the recent quarters (tests/demo/test_demo_clock.py).
        periods = {(r.year, r.quarter) for r in measure.results.all() if r.year <= 2018}
        if measure.name.startswith("People receiving long-term support"):  # new measure, awaiting data in Q3
            assert periods == {(2018, 3), (2018, 4)}
        else:
            assert periods == quarters, measure.name


def test_key_contracts_as_listed_with_the_allied_healthcare_novation(demo):
    reablement = Contract.objects.select_related("lead_provider").get(title="Home Based Reablement Service")
    assert reablement.lead_provider.trading_name == "Libertas"
    novation = ContractChange.objects.get(contract=reablement, kind="novation")
    assert novation.from_provider.trading_name == "Allied Healthcare"
    assert novation.to_provider == reablement.lead_provider
    addaction = Contract.objects.get(lead_provider__name="Addaction", reference="PH-0001")
    assert addaction.service_credit_percentage == 20
    assert Contract.objects.get(title="Residential Care Contracts").provider_summary == "315 x Provider Contracts"
    assert Contract.objects.filter(strategy__isnull=False).key().count() >= 33


def test_pooled_budgets_from_the_better_care_fund(demo):
    every_one = PooledBudget.objects.get(partner="Every-One")
    assert (every_one.total_value, every_one.start_date, every_one.end_date) == (
        231875,
        date(2017, 9, 30),
        date(2020, 3, 31),
    )
    assert PooledBudget.objects.get(contract__lead_provider__name="Carers FIRST").total_value == 1161091


def test_q3_reports_went_through_the_workflow_on_the_seed_dates(demo):
    timeline = [
        ("created", date(2018, 12, 10)),
        ("submitted", date(2019, 1, 15)),
        ("board_reviewed", date(2019, 2, 5)),
        ("scrutiny_considered", date(2019, 5, 30)),
        ("approved", date(2019, 6, 4)),
    ]
    for report in HighlightReport.objects.filter(year=2018, quarter=3).select_related("strategy"):
        events = list(report.events.order_by("at").select_related("by"))
        assert [(e.kind, timezone.localdate(e.at)) for e in events] == timeline, report.strategy.name
        # The lead writes and submits; only an administrator may review, record scrutiny and approve.
        assert [e.by == report.strategy.commissioning_lead for e in events] == [True, True, False, False, False]
        assert all(e.by.has_role(roles.ADMINISTRATOR) for e in events[2:])
        # A version (and a history row) per save: started, written, then the four moves.
        assert (report.version, report.history.count()) == (6, 6)
        assert report.approved_snapshot["frozen_at"].startswith("2019-06-04")


def test_scrutiny_conclusions_and_the_published_pack(demo):
    dates = dict(ScrutinyConclusion.objects.values_list("strategy__name", "meeting__date"))
    assert dates["Specialist Adult Services"] == date(2018, 9, 5)
    assert dates["Carers"] == date(2018, 10, 10)
    assert dates["Public Protection"] == date(2019, 3, 12)
    pack = ScrutinyPack.objects.get(status="published")
    assert pack.meeting.committee.name == "Overview and Scrutiny Management Board"
    assert pack.meeting.date == date(2019, 5, 30)
    assert list(pack.appendices.values_list("strategy__name", flat=True)) == list(FIGURES["q3_measures"])
    assert ScrutinyPack.objects.filter(status="draft").count() == 1


def _on(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_the_published_pack_was_rendered_then_published_and_its_members_notified(demo):
    pack = ScrutinyPack.objects.select_related("meeting__committee").get(status="published")
    assert (pack.render_status, pack.page_count > 0, bool(pack.file)) == ("ready", True, True)
    # Tuesday 21 May 2019: five clear working days before the meeting of 30 May (27 May was a bank holiday).
    assert pack.generated_at < pack.published_at == _on(date(2019, 5, 21), 9)
    assert (pack.published_clear_days, pack.late_publication_reason) == (5, "")
    members = set(pack.meeting.committee.members.values_list("pk", flat=True))
    notified = Notification.objects.filter(kind="scrutiny.pack_published", link=pack.get_absolute_url())
    assert set(notified.values_list("recipient_id", flat=True)) == members
    assert ScrutinyPack.objects.get(status="draft").render_status == "not_rendered"


def test_current_risk_is_202_low_103_medium_37_high(demo):
    levels = Counter(
        Provider.objects.with_current_risk()
        .exclude(current_risk_level=None)
        .values_list("current_risk_level", flat=True)
    )
    assert dict(levels) == FIGURES["risk_current"]


# The month-by-month risk counts (with the providers that left the market during the year) are
# tests/demo/test_risk_figures.py's, under the council's risk method.


def test_contract_management_activity_in_2018_19(demo):
    assert Visit.objects.filter(visited_on__range=YEAR_2018).count() == 1331
    assert Visit.objects.filter(visited_on__range=(date(2017, 4, 1), date(2018, 3, 31))).count() == 1109
    concerns = dict(Concern.objects.filter(raised_on__range=YEAR_2018).values_list("kind").annotate(n=Count("pk")))
    assert {k: concerns[k] for k in FIGURES["concerns_2018"]} == FIGURES["concerns_2018"]
    sanctions = dict(Sanction.objects.filter(issued_on__range=YEAR_2018).values_list("kind").annotate(n=Count("pk")))
    assert sanctions == {"default_notice": 16, "suspension": 10}


def test_care_homes_and_residential_services(demo):
    assert Location.objects.filter(is_care_home=True, in_county=True).count() == 275
    # The services running at the 2018/19 year end: since ended as their terms say (demo.procurement_act).
    residential = Contract.objects.filter(
        category="residential", locations__isnull=False, start_date__lte=YEAR_2018[1], end_date__gte=YEAR_2018[1]
    ).exclude(status="terminated")
    assert residential.distinct().count() == 464
    improved = CqcRating.objects.filter(location__name="Meadows Edge Care Home").order_by("published_on")
    assert [r.overall for r in improved] == ["requires_improvement", "good"]


def test_some_live_contracts_need_a_decision_around_today(demo):
    today = date(2026, 11, 24)
    due = Contract.objects.live(on=today).filter(maximum_end_date__lte=date(2028, 12, 31), reprocurement_decision="")
    assert due.count() >= 10
    assert due.exclude(extension_months=[]).exists()


@pytest.mark.parametrize(
    ("username", "role"),
    [
        ("commissioner", roles.COMMISSIONER),
        ("officer", roles.CONTRACT_OFFICER),
        ("councillor", roles.SCRUTINY_MEMBER),
        ("admin", roles.ADMINISTRATOR),
    ],
)
def test_demo_users_log_in_with_the_given_password(demo, client, username, role):
    assert client.login(username=username, password=PASSWORD)
    user = User.objects.get(username=username)
    assert user.has_role(role)
    assert f"{username}" in demo["output"]
    assert PASSWORD in demo["output"]


def test_admin_is_staff_and_councillors_sit_on_committees(demo):
    assert User.objects.get(username="admin").is_staff
    assert User.objects.get(username="councillor").committees.count() == 2


def test_a_retention_dry_run_on_the_demo_lists_the_seed_years_records_by_the_default_schedule(demo):
    """Issue 20: the default schedule (records.defaults) over the demo: the seed's contracts that ended in 2018
    became due for deletion six years and a day later; today's live contracts are not due; the 2019 scrutiny
    packs are listed for review, never deleted; nothing is disposed of by a dry run."""
    import datetime

    from contracts.models import Contract
    from records.defaults import default_rules
    from records.models import DisposalRecord, RetentionRule
    from records.retention import retention_apply, retention_due

    for row in default_rules():  # a flush by an earlier module may have cleared the migration's rows
        RetentionRule.objects.get_or_create(record_type=row["record_type"], defaults=row)
    today = timezone.localdate()
    due = retention_due(today=today)
    contracts = [item for item in due if item.record_type == "contracts.contract"]
    residential = Contract.objects.get(title="Residential Care Contracts")  # ended 31 March 2018
    item = next(i for i in due if i.record_type == "contracts.contract" and i.object_id == residential.pk)
    assert (item.trigger_date, item.due_date, item.action) == (
        datetime.date(2018, 3, 31),
        datetime.date(2024, 4, 1),
        "delete",
    )
    live = set(Contract.objects.filter(status=Contract.Status.LIVE).values_list("pk", flat=True))
    assert not live & {i.object_id for i in due if i.record_type == "contracts.contract"}
    assert contracts
    packs = [i for i in due if i.record_type == "scrutiny.scrutinypack"]
    assert packs
    assert {i.action for i in packs} == {"review"}
    outcome = retention_apply(today=today, by=None, dry_run=True)
    # A dry run counts what it would dispose of (every due record not for review, none held) and writes nothing.
    assert outcome.applied_total == len([i for i in due if i.action != "review" and not i.held])
    assert not DisposalRecord.objects.exists()
    assert Contract.objects.filter(pk=residential.pk).exists()
