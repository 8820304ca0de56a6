"""Factories of escalation governance: stages, triggers, escalations, actions and meetings."""

import datetime

import factory
from factory.django import DjangoModelFactory

from oversight.models import (
    Escalation,
    EscalationAction,
    EscalationStage,
    EscalationTrigger,
    GovernanceMeeting,
)
from tests.factories import ProviderFactory, UserFactory


class EscalationStageFactory(DjangoModelFactory):
    class Meta:
        model = EscalationStage
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Stage {n}")
    level = factory.Sequence(lambda n: n + 1)
    who_must_be_told = "Senior Contract Officer"


class EscalationTriggerFactory(DjangoModelFactory):
    class Meta:
        model = EscalationTrigger

    kind = EscalationTrigger.Kind.OFFICER_REQUEST
    stage = factory.SubFactory(EscalationStageFactory)


class EscalationFactory(DjangoModelFactory):
    class Meta:
        model = Escalation
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    stage = factory.SubFactory(EscalationStageFactory)
    trigger_kind = EscalationTrigger.Kind.OFFICER_REQUEST
    reason = "Registered manager hampered by the owner."
    opened_on = datetime.date(2026, 5, 1)


class ClosedEscalationFactory(EscalationFactory):
    status = Escalation.Status.CLOSED
    closed_on = datetime.date(2026, 5, 20)
    outcome = "Improvements made."


class EscalationActionFactory(DjangoModelFactory):
    class Meta:
        model = EscalationAction

    escalation = factory.SubFactory(EscalationFactory)
    action = "Meet the registered manager."
    owner = factory.SubFactory(UserFactory)
    due_on = datetime.date(2026, 6, 20)


class GovernanceMeetingFactory(DjangoModelFactory):
    class Meta:
        model = GovernanceMeeting

    kind = GovernanceMeeting.Kind.GOVERNANCE
    held_on = datetime.date(2026, 6, 1)
    chair = "Strategic Commercial & Procurement Manager"


class AgreedGovernanceMeetingFactory(GovernanceMeetingFactory):
    status = GovernanceMeeting.Status.AGREED
    agreed_on = datetime.date(2026, 6, 10)
    minutes = "Agreed."


def ladder() -> list[EscalationStage]:
    """The four stages of seed 001's ladder, with the officer-request trigger at peer support."""
    names = ["Contract manager", "Peer support", "Senior intervention", "Contract Management Governance"]
    stages: list[EscalationStage] = [
        EscalationStageFactory.create(name=name, level=level) for level, name in enumerate(names, start=1)
    ]
    EscalationTriggerFactory(kind=EscalationTrigger.Kind.OFFICER_REQUEST, stage=stages[1])
    return stages


def risk(provider, on: datetime.date, level: str):
    """A risk assessment of ``provider`` at ``level`` on ``on`` (under risk method version 1, if the model has one)."""
    from providers.models import RiskAssessment
    from tests.factories import RiskAssessmentFactory

    extra = {}
    if any(field.name == "method" for field in RiskAssessment._meta.get_fields()):
        from tests.providers.risk_factories import method_v1

        extra["method"] = method_v1()
    return RiskAssessmentFactory(provider=provider, assessed_on=on, calculated_level=level, level=level, **extra)
