"""Factories of safeguarding: concerns by kind, a safeguarding lead, the duty rota."""

import datetime

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from commissioning import roles
from oversight.models import Concern, SafeguardingDutyLead
from tests.factories import ConcernFactory, UserFactory


class SafeguardingConcernFactory(ConcernFactory):
    kind = Concern.Kind.SAFEGUARDING
    severity = Concern.Severity.HIGH
    summary = "Resident Mrs A. Example found with unexplained bruising."


class SeriousIncidentFactory(ConcernFactory):
    kind = Concern.Kind.SERIOUS_INCIDENT
    severity = Concern.Severity.MEDIUM
    summary = "Fall on the stairs of Example House, ambulance called."


class EnquiryUnderWayFactory(SafeguardingConcernFactory):
    s42_reference = factory.Sequence(lambda n: f"S42-{n:05d}")
    s42_started_on = datetime.date(2018, 9, 3)


class SafeguardingLeadFactory(UserFactory):
    """A contract officer who is also a member of the Safeguarding lead group."""

    username = factory.Sequence(lambda n: f"safeguarding{n}")

    @factory.post_generation
    def memberships(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=extracted or roles.CONTRACT_OFFICER))
            self.groups.add(Group.objects.get(name=roles.SAFEGUARDING_LEAD))


class DutyLeadFactory(DjangoModelFactory):
    class Meta:
        model = SafeguardingDutyLead

    user = factory.SubFactory(SafeguardingLeadFactory)
    starts_on = datetime.date(2018, 9, 1)
    ends_on = datetime.date(2018, 9, 30)
