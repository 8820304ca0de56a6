"""The forward plan of key decisions (the Executive Arrangements Regulations 2012): 28 clear days' notice
(regulation 9), the general exception (regulation 10) and special urgency (regulation 11), through the services;
the published plan and its selectors; the pages."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import Contract
from demo.seed import on
from scrutiny import selectors, services
from scrutiny.models import Decision, ExemptParagraph, ForwardPlanEntry
from tests.factories import (
    ContractFactory,
    DirectorateFactory,
    ForwardPlanEntryFactory,
    GeneralExceptionForwardPlanEntryFactory,
    StrategyFactory,
)

pytestmark = pytest.mark.django_db

MAY_1 = datetime.date(2019, 5, 1)
EXECUTIVE = datetime.date(2019, 6, 4)


def _data(**overrides) -> dict:
    data = {
        "reference": "I017457",
        "title": "Commissioning Strategies",
        "decision_maker": "Executive",
        "key_decision": True,
        "decision_due": EXECUTIVE,
        "first_published": MAY_1,
        "contact_officer": "Democratic Services, 01522 000000",
    }
    return {**data, **overrides}


def _errors(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.message_dict


def _decision(**fields) -> Decision:
    values = {
        "reference": "I017457",
        "decision_maker": "Executive",
        "key_decision": True,
        "report_to": "Executive",
        "report_date": EXECUTIVE,
        "subject": "Commissioning Strategies",
        **fields,
    }
    return Decision.objects.create(**values)


# --- Clear days ------------------------------------------------------------------------------------------


def test_clear_days_leave_out_the_day_of_publication_and_the_day_of_decision():
    assert selectors.clear_days(datetime.date(2019, 5, 1), datetime.date(2019, 5, 30)) == 28
    assert selectors.clear_days(datetime.date(2019, 5, 1), datetime.date(2019, 5, 2)) == 0
    assert selectors.clear_days(datetime.date(2019, 5, 1), datetime.date(2019, 5, 3)) == 1
    # Across a month and a leap day.
    assert selectors.clear_days(datetime.date(2020, 2, 1), datetime.date(2020, 3, 1)) == 28


@pytest.mark.parametrize(
    ("decision_due", "days", "allowed"),
    [
        (datetime.date(2019, 5, 29), 27, False),
        (datetime.date(2019, 5, 30), 28, True),
        (datetime.date(2019, 5, 31), 29, True),
    ],
)
def test_a_key_decision_on_notice_needs_28_clear_days(commissioner, decision_due, days, allowed):
    def create():
        return services.forward_plan_entry_create(by=commissioner, data=_data(decision_due=decision_due))

    if allowed:
        entry = create()
        assert selectors.notice_clear_days(entry) == days
        assert selectors.notice_given(entry)
    else:
        errors = _errors(create)
        assert list(errors) == ["notice_route"]
        assert f"gives {days}" in errors["notice_route"][0]
        assert not ForwardPlanEntry.objects.exists()


def test_28_days_counted_by_the_calendar_is_only_27_clear_days(commissioner):
    """Published on 2 May for 30 May: 28 days later by the calendar, but the 30th itself does not count."""
    errors = _errors(
        lambda: services.forward_plan_entry_create(
            by=commissioner,
            data=_data(first_published=datetime.date(2019, 5, 2), decision_due=datetime.date(2019, 5, 30)),
        )
    )
    assert "gives 27" in errors["notice_route"][0]


def test_an_entry_with_enough_notice_is_an_ordinary_notice(commissioner):
    errors = _errors(
        lambda: services.forward_plan_entry_create(
            by=commissioner, data=_data(notice_route="general_exception", urgency_reasons="Urgent.")
        )
    )
    assert "choose the notice route" in errors["notice_route"][0]


def test_the_entry_is_first_published_today_unless_said(commissioner):
    with on(datetime.date(2019, 5, 1)):
        entry = services.forward_plan_entry_create(by=commissioner, data=_data(first_published=None))
    assert entry.first_published == MAY_1


def test_a_decision_date_on_or_before_publication_is_refused(commissioner):
    errors = _errors(lambda: services.forward_plan_entry_create(by=commissioner, data=_data(decision_due=MAY_1)))
    assert "after the date the entry was first published" in errors["decision_due"][0]


def test_a_decision_that_is_not_key_needs_no_28_days_but_takes_no_urgency_route(commissioner):
    entry = services.forward_plan_entry_create(
        by=commissioner, data=_data(key_decision=False, decision_due=datetime.date(2019, 5, 10))
    )
    assert selectors.notice_clear_days(entry) == 8
    errors = _errors(
        lambda: services.forward_plan_entry_create(
            by=commissioner,
            data=_data(reference="I017458", key_decision=False, notice_route="special_urgency"),
        )
    )
    assert "Only a key decision" in errors["notice_route"][0]


# --- General exception (regulation 10) ----------------------------------------------------------------


def _general_exception(**overrides) -> dict:
    values = {
        "decision_due": datetime.date(2019, 5, 20),
        "notice_route": "general_exception",
        "urgency_reasons": "The provider has given notice; a new contract must start in June.",
        "chair_informed_on": datetime.date(2019, 5, 14),
    }
    return _data(**{**values, **overrides})


def test_the_general_exception_needs_reasons_and_the_chair_told(commissioner):
    errors = _errors(
        lambda: services.forward_plan_entry_create(
            by=commissioner, data=_general_exception(urgency_reasons="  ", chair_informed_on=None)
        )
    )
    assert set(errors) == {"urgency_reasons", "chair_informed_on"}


@pytest.mark.parametrize(
    ("chair_informed_on", "allowed"),
    [
        (datetime.date(2019, 5, 14), True),  # 15, 16, 17, 18, 19: 5 clear days before the 20th
        (datetime.date(2019, 5, 15), False),  # 4 clear days
    ],
)
def test_the_general_exception_needs_the_chair_told_5_clear_days_before(commissioner, chair_informed_on, allowed):
    def create():
        return services.forward_plan_entry_create(
            by=commissioner, data=_general_exception(chair_informed_on=chair_informed_on)
        )

    if allowed:
        entry = create()
        assert entry.notice_route == ForwardPlanEntry.NoticeRoute.GENERAL_EXCEPTION
        assert not selectors.notice_given(entry)
    else:
        errors = _errors(create)
        assert list(errors) == ["chair_informed_on"]
        assert "leaves 4" in errors["chair_informed_on"][0]


def test_the_general_exception_notice_itself_is_published_5_clear_days_before(commissioner):
    errors = _errors(
        lambda: services.forward_plan_entry_create(
            by=commissioner,
            data=_general_exception(
                first_published=datetime.date(2019, 5, 16), chair_informed_on=datetime.date(2019, 5, 1)
            ),
        )
    )
    assert list(errors) == ["first_published"]
    assert "gives 3" in errors["first_published"][0]


# --- Special urgency (regulation 11) ----------------------------------------------------------------------


def test_special_urgency_needs_reasons_and_who_agreed_and_when(commissioner):
    short = _data(decision_due=datetime.date(2019, 5, 3), notice_route="special_urgency")
    errors = _errors(lambda: services.forward_plan_entry_create(by=commissioner, data=short))
    assert set(errors) == {"urgency_reasons", "urgency_agreed_by", "urgency_agreed_on"}

    entry = services.forward_plan_entry_create(
        by=commissioner,
        data={
            **short,
            "urgency_reasons": "A care home closes on 3 May; its residents need places at once.",
            "urgency_agreed_by": "Chair of the Adults and Community Wellbeing Scrutiny Committee",
            "urgency_agreed_on": datetime.date(2019, 5, 2),
        },
    )
    assert selectors.notice_clear_days(entry) == 1
    assert entry.chair_informed_on is None


def test_urgency_agreed_after_the_decision_is_refused(commissioner):
    errors = _errors(
        lambda: services.forward_plan_entry_create(
            by=commissioner,
            data=_data(
                decision_due=datetime.date(2019, 5, 3),
                notice_route="special_urgency",
                urgency_reasons="Urgent.",
                urgency_agreed_by="Chair of the council",
                urgency_agreed_on=datetime.date(2019, 5, 4),
            ),
        )
    )
    assert list(errors) == ["urgency_agreed_on"]


def test_an_ordinary_notice_keeps_no_urgency(commissioner):
    entry = services.forward_plan_entry_create(
        by=commissioner, data=_data(urgency_reasons="Typed by mistake.", urgency_agreed_by="Someone")
    )
    assert (entry.urgency_reasons, entry.urgency_agreed_by) == ("", "")


# --- Exempt items, references, links ----------------------------------------------------------------------


def test_an_exempt_item_names_its_schedule_12a_paragraph(commissioner):
    errors = _errors(lambda: services.forward_plan_entry_create(by=commissioner, data=_data(exempt=True)))
    assert "Schedule 12A" in errors["exempt_paragraph"][0]
    errors = _errors(
        lambda: services.forward_plan_entry_create(
            by=commissioner, data=_data(exempt_paragraph=ExemptParagraph.FINANCIAL)
        )
    )
    assert "open item" in errors["exempt_paragraph"][0]
    entry = services.forward_plan_entry_create(
        by=commissioner, data=_data(exempt=True, exempt_paragraph=ExemptParagraph.FINANCIAL)
    )
    assert entry.get_exempt_paragraph_display().startswith("3:")


def test_each_entry_has_a_reference_of_its_own(commissioner):
    ForwardPlanEntryFactory(reference="I017457")
    errors = _errors(lambda: services.forward_plan_entry_create(by=commissioner, data=_data(reference="i017457")))
    assert "already on the forward plan" in errors["reference"][0]


def test_linked_contracts_carry_a_reprocurement_decision(commissioner):
    undecided = ContractFactory(reference="CON-1")
    decided = ContractFactory(reference="CON-2", reprocurement_decision=Contract.Reprocurement.REPROCURE)
    errors = _errors(
        lambda: services.forward_plan_entry_create(by=commissioner, data=_data(), contracts=[decided, undecided])
    )
    assert "CON-1 has no re-procurement decision" in errors["contracts"][0]
    strategy = StrategyFactory()
    entry = services.forward_plan_entry_create(
        by=commissioner, data=_data(), contracts=[decided], strategies=[strategy]
    )
    assert list(entry.contracts.all()) == [decided]
    assert list(entry.strategies.all()) == [strategy]


def test_a_commissioner_adds_only_their_own_directorates_entries(commissioner, directorate, contract_officer):
    other = DirectorateFactory(name="Children's Services", code="cs")
    with pytest.raises(PermissionDenied):
        services.forward_plan_entry_create(by=commissioner, data=_data(directorate=other))
    services.forward_plan_entry_create(by=commissioner, data=_data(directorate=directorate))
    with pytest.raises(PermissionDenied):
        services.forward_plan_entry_create(by=contract_officer, data=_data(reference="I017460"))


def test_updating_checks_the_notice_again(commissioner):
    entry = services.forward_plan_entry_create(by=commissioner, data=_data())
    errors = _errors(
        lambda: services.forward_plan_entry_update(
            entry=entry, by=commissioner, data={"decision_due": datetime.date(2019, 5, 20)}
        )
    )
    assert "gives 18" in errors["notice_route"][0]
    entry.refresh_from_db()
    assert entry.decision_due == EXECUTIVE


# --- Moves: deferred, withdrawn, decided ---------------------------------------------------------------


def test_a_short_notice_decision_deferred_far_enough_becomes_an_ordinary_notice(commissioner):
    entry = GeneralExceptionForwardPlanEntryFactory()
    deferred = services.forward_plan_entry_defer(entry=entry, by=commissioner, decision_due=datetime.date(2019, 6, 17))
    assert deferred.status == ForwardPlanEntry.Status.DEFERRED
    assert selectors.notice_clear_days(deferred) == 28
    assert deferred.notice_route == ForwardPlanEntry.NoticeRoute.NOTICE
    assert (deferred.urgency_reasons, deferred.chair_informed_on) == ("", None)


def test_a_decision_deferred_still_short_keeps_its_route_checked_for_the_new_date(commissioner):
    entry = GeneralExceptionForwardPlanEntryFactory()
    deferred = services.forward_plan_entry_defer(entry=entry, by=commissioner, decision_due=datetime.date(2019, 6, 3))
    assert deferred.notice_route == ForwardPlanEntry.NoticeRoute.GENERAL_EXCEPTION
    assert selectors.notice_clear_days(deferred) == 14


def test_deferral_re_checks_notice_for_a_decision_that_became_key(commissioner):
    """A decision added as not key on short notice, deferred after it is found to be key: the new date is
    checked for the key decision's 28 days."""
    entry = ForwardPlanEntryFactory(key_decision=False, first_published=datetime.date(2019, 5, 20))
    ForwardPlanEntry.objects.filter(pk=entry.pk).update(key_decision=True)
    errors = _errors(
        lambda: services.forward_plan_entry_defer(entry=entry, by=commissioner, decision_due=datetime.date(2019, 6, 10))
    )
    assert "gives 20" in errors["notice_route"][0]
    entry.refresh_from_db()
    assert (entry.status, entry.decision_due) == (ForwardPlanEntry.Status.PLANNED, datetime.date(2019, 5, 30))


def test_deferral_is_to_a_later_date(commissioner):
    entry = ForwardPlanEntryFactory()
    errors = _errors(
        lambda: services.forward_plan_entry_defer(entry=entry, by=commissioner, decision_due=datetime.date(2019, 5, 30))
    )
    assert "after the current one" in errors["decision_due"][0]


def test_a_withdrawn_entry_is_kept_as_it_was(commissioner):
    entry = services.forward_plan_entry_withdraw(entry=ForwardPlanEntryFactory(), by=commissioner)
    assert entry.status == ForwardPlanEntry.Status.WITHDRAWN
    errors = _errors(lambda: services.forward_plan_entry_update(entry=entry, by=commissioner, data={"title": "New"}))
    assert "withdrawn" in errors["status"][0]
    errors = _errors(
        lambda: services.forward_plan_entry_defer(entry=entry, by=commissioner, decision_due=datetime.date(2019, 7, 1))
    )
    assert "status" in errors


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (Decision.Outcome.PENDING, ForwardPlanEntry.Status.PLANNED),
        (Decision.Outcome.APPROVED, ForwardPlanEntry.Status.DECIDED),
        (Decision.Outcome.APPROVED_WITH_AMENDMENTS, ForwardPlanEntry.Status.DECIDED),
        (Decision.Outcome.REJECTED, ForwardPlanEntry.Status.DECIDED),
        (Decision.Outcome.DEFERRED, ForwardPlanEntry.Status.DEFERRED),
        (Decision.Outcome.WITHDRAWN, ForwardPlanEntry.Status.WITHDRAWN),
    ],
)
def test_the_entry_status_follows_its_decision_outcome(commissioner, outcome, status):
    entry = ForwardPlanEntryFactory(decision_due=EXECUTIVE)
    decided_on = None if outcome == Decision.Outcome.PENDING else EXECUTIVE
    decision = _decision(outcome=outcome, decided_on=decided_on)
    linked = services.forward_plan_entry_link_decision(entry=entry, by=commissioner, decision=decision)
    assert (linked.status, linked.decision) == (status, decision)


def test_a_key_decision_taken_before_its_notice_allowed_is_refused(commissioner):
    entry = ForwardPlanEntryFactory(decision_due=EXECUTIVE)
    decision = _decision(outcome=Decision.Outcome.APPROVED, decided_on=datetime.date(2019, 5, 21))
    errors = _errors(lambda: services.forward_plan_entry_link_decision(entry=entry, by=commissioner, decision=decision))
    assert "decided on 21 May 2019" in errors["decision"][0]
    entry.refresh_from_db()
    assert (entry.status, entry.decision_id) == (ForwardPlanEntry.Status.PLANNED, None)


def test_a_decision_record_belongs_to_one_entry_of_its_kind(commissioner):
    decision = _decision()
    services.forward_plan_entry_link_decision(entry=ForwardPlanEntryFactory(), by=commissioner, decision=decision)
    errors = _errors(
        lambda: services.forward_plan_entry_link_decision(
            entry=ForwardPlanEntryFactory(), by=commissioner, decision=decision
        )
    )
    assert "already linked" in errors["decision"][0]
    errors = _errors(
        lambda: services.forward_plan_entry_link_decision(
            entry=ForwardPlanEntryFactory(key_decision=False), by=commissioner, decision=_decision(reference="I1")
        )
    )
    assert "recorded as a key decision" in errors["decision"][0]


# --- Selectors ----------------------------------------------------------------------------------------------


def test_the_published_plan_lists_decisions_to_come_by_month(scrutiny_member):
    today = datetime.date(2019, 5, 15)
    june = ForwardPlanEntryFactory(decision_due=datetime.date(2019, 6, 4), first_published=datetime.date(2019, 5, 1))
    may = ForwardPlanEntryFactory(decision_due=datetime.date(2019, 5, 30))
    deferred = ForwardPlanEntryFactory(decision_due=datetime.date(2019, 6, 20), status="deferred")
    ForwardPlanEntryFactory(decision_due=datetime.date(2019, 5, 14))  # past
    ForwardPlanEntryFactory(decision_due=datetime.date(2019, 6, 5), status="withdrawn")
    ForwardPlanEntryFactory(decision_due=datetime.date(2019, 6, 6), status="decided")

    plan = selectors.forward_plan_published(user=scrutiny_member, today=today)
    months = selectors.forward_plan_by_month(plan)

    assert [(month, [e.pk for e in entries]) for month, entries in months] == [
        (datetime.date(2019, 5, 1), [may.pk]),
        (datetime.date(2019, 6, 1), [june.pk, deferred.pk]),
    ]


def test_the_plan_as_at_a_date_shows_what_it_said_then(commissioner):
    with on(datetime.date(2019, 5, 1)):
        entry = services.forward_plan_entry_create(by=commissioner, data=_data())
    with on(datetime.date(2019, 5, 10)):
        services.forward_plan_entry_defer(entry=entry, by=commissioner, decision_due=datetime.date(2019, 7, 2))
    with on(datetime.date(2019, 5, 12)):
        ForwardPlanEntryFactory(reference="I017500", first_published=datetime.date(2019, 5, 12))

    as_at_may_5 = list(selectors.forward_plan_as_at(user=commissioner, on=datetime.date(2019, 5, 5)))
    assert [(e.reference, e.decision_due, e.status) for e in as_at_may_5] == [("I017457", EXECUTIVE, "planned")]
    as_at_may_12 = list(selectors.forward_plan_as_at(user=commissioner, on=datetime.date(2019, 5, 12)))
    assert [(e.reference, e.decision_due) for e in as_at_may_12] == [
        ("I017500", datetime.date(2019, 5, 30)),
        ("I017457", datetime.date(2019, 7, 2)),
    ]
    assert list(selectors.forward_plan_as_at(user=commissioner, on=datetime.date(2019, 4, 30))) == []


def test_short_notice_lists_key_decisions_under_28_clear_days(commissioner):
    short = GeneralExceptionForwardPlanEntryFactory()  # 10 clear days
    ForwardPlanEntryFactory(first_published=datetime.date(2019, 5, 1), decision_due=datetime.date(2019, 5, 30))  # 28
    boundary = ForwardPlanEntryFactory(
        first_published=datetime.date(2019, 5, 2),
        decision_due=datetime.date(2019, 5, 30),
        notice_route="general_exception",
    )  # 27, stored around the service
    ForwardPlanEntryFactory(key_decision=False, first_published=datetime.date(2019, 5, 20))

    assert {e.pk for e in selectors.forward_plan_short_notice(user=commissioner)} == {short.pk, boundary.pk}


def _key_reprocurement(**fields) -> Contract:
    values = {
        "annual_value": Decimal("500000.00"),
        "reprocurement_decision": Contract.Reprocurement.REPROCURE,
        "end_date": datetime.date(2030, 3, 31),
        **fields,
    }
    return ContractFactory(**values)


def test_decisions_missing_from_the_forward_plan(contract_officer):
    missing = _key_reprocurement(reference="CON-MISSING")
    in_house = _key_reprocurement(
        reference="CON-IN-HOUSE", reprocurement_decision=Contract.Reprocurement.BRING_IN_HOUSE
    )
    _key_reprocurement(reference="CON-SMALL", annual_value=Decimal("499999.99"))
    _key_reprocurement(reference="CON-EXTEND", reprocurement_decision=Contract.Reprocurement.EXTEND)
    _key_reprocurement(reference="CON-ENDED", status=Contract.Status.EXPIRED)
    planned = _key_reprocurement(reference="CON-PLANNED")
    ForwardPlanEntryFactory().contracts.add(planned)
    withdrawn = _key_reprocurement(reference="CON-WITHDRAWN")
    ForwardPlanEntryFactory(status="withdrawn").contracts.add(withdrawn)

    found = selectors.contracts_missing_from_forward_plan(user=contract_officer)

    assert {c.reference for c in found} == {missing.reference, in_house.reference, withdrawn.reference}


def test_councillors_do_not_see_the_contracts_missing_from_the_plan(scrutiny_member):
    _key_reprocurement()
    assert not selectors.contracts_missing_from_forward_plan(user=scrutiny_member).exists()
