"""Factories for contract returns and their findings (helper B's tests): a due return, an overdue one and a
submitted one, on a managed live contract."""

import datetime

import factory
from dateutil.relativedelta import relativedelta
from factory.django import DjangoModelFactory

from contracts.models import Contract
from oversight.models import ContractReturn, Rag, ReturnFinding
from tests.factories import ContractFactory

TODAY = datetime.date(2026, 6, 15)


class ManagedContractFactory(ContractFactory):
    """A live contract with a named contract manager (set by the test: ``contract_manager=officer``)."""

    status = Contract.Status.LIVE
    start_date = datetime.date(2024, 4, 1)
    end_date = datetime.date(2028, 3, 31)


class ContractReturnFactory(DjangoModelFactory):
    """Due: May 2026's return, due at the end of June 2026."""

    class Meta:
        model = ContractReturn

    contract = factory.SubFactory(ManagedContractFactory)
    period_start = datetime.date(2026, 5, 1)
    period_end = factory.LazyAttribute(lambda r: r.period_start + relativedelta(months=1, days=-1))
    due_on = factory.LazyAttribute(
        lambda r: (
            r.period_end
            + relativedelta(
                days=1,
                months=1,
            )
            - relativedelta(days=1)
        )
    )


class OverdueContractReturnFactory(ContractReturnFactory):
    """April 2026's return, due 31 May 2026: overdue on TODAY."""

    period_start = datetime.date(2026, 4, 1)


class SubmittedContractReturnFactory(OverdueContractReturnFactory):
    submitted_on = datetime.date(2026, 5, 20)
    risk_rating = Rag.GREEN
    jet_score = 7
    kpi_descriptor = "No KPIs"


class ReturnFindingFactory(DjangoModelFactory):
    class Meta:
        model = ReturnFinding

    contract_return = factory.SubFactory(SubmittedContractReturnFactory)
    kind = ReturnFinding.Kind.STRENGTH
    text = "Good engagement with families"
