"""A small known council: strategies with outcomes, measures and results, contracts, providers and ratings."""

import datetime
from decimal import Decimal
from typing import cast

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from commissioning import roles
from commissioning.models import User
from commissioning.periods import FinancialQuarter
from tests.factories import (
    ConcernFactory,
    ContractFactory,
    CqcRatingFactory,
    DirectorateFactory,
    HighlightReportFactory,
    HighRiskAssessmentFactory,
    LocationFactory,
    MeasureFactory,
    MeasureResultFactory,
    OutcomeFactory,
    ProviderFactory,
    RiskAssessmentFactory,
    StrategyFactory,
    UserFactory,
    VisitFactory,
)

Q3 = FinancialQuarter(2018, 3)
TODAY = datetime.date(2019, 1, 15)


def build_council(scale: int = 1, first: int = 0) -> dict:
    """``scale`` copies of: a carers strategy (green, 4 measures: 2 achieved, 1 not, 1 measured only) with
    8 quarters of results, a strategy with no report (1 measure awaiting data), contracts, providers at each
    risk level, visits, concerns and CQC ratings."""
    made: dict[str, list] = {"strategies": []}
    for n in range(first, first + scale):
        carers = StrategyFactory(name=f"Carers {n}")
        outcome = OutcomeFactory(strategy=carers, title="Carers feel valued and respected", order=1)
        HighlightReportFactory(strategy=carers, year=2018, quarter=3, rag="green")
        included = MeasureFactory(strategy=carers, outcome=outcome, name=f"Carers included {n}")
        supported = MeasureFactory(
            strategy=carers, outcome=outcome, name=f"Carers supported {n}", unit="rate_100k", decimal_places=0
        )
        social = MeasureFactory(strategy=carers, outcome=outcome, name=f"Carers social contact {n}")
        reviews = MeasureFactory(strategy=carers, name=f"Carers reviewed {n}", is_targeted=False)
        for period in Q3.last(8):
            MeasureResultFactory(
                measure=included, year=period.year, quarter=period.quarter, value=Decimal("66.7"), target=Decimal("60")
            )
            MeasureResultFactory(
                measure=supported,
                year=period.year,
                quarter=period.quarter,
                value=Decimal("1719"),
                target=Decimal("1500"),
            )
            MeasureResultFactory(
                measure=social, year=period.year, quarter=period.quarter, value=Decimal("33.2"), target=Decimal("38")
            )
            MeasureResultFactory(
                measure=reviews, year=period.year, quarter=period.quarter, value=Decimal("84.8"), target=None
            )
        wellbeing = StrategyFactory(name=f"Wellbeing {n}")
        MeasureFactory(strategy=wellbeing, name=f"Health checks {n}")
        made["strategies"] += [carers, wellbeing]

        # Contracts (dated from today, as the rule is): one needing a decision, one decided, one ending later.
        today = timezone.localdate()
        soon, later = today + relativedelta(months=6), today + relativedelta(months=30)
        ContractFactory(start_date=datetime.date(2016, 4, 1), end_date=soon)
        ContractFactory(start_date=datetime.date(2016, 4, 1), end_date=soon, reprocurement_decision="extend")
        ContractFactory(start_date=datetime.date(2016, 4, 1), end_date=later)
        # Providers: high, low and never assessed.
        high = ProviderFactory()
        RiskAssessmentFactory(provider=high, assessed_on=datetime.date(2018, 5, 1))
        HighRiskAssessmentFactory(provider=high, assessed_on=datetime.date(2018, 11, 20))
        low = ProviderFactory()
        RiskAssessmentFactory(provider=low, assessed_on=datetime.date(2018, 6, 1))
        ProviderFactory()
        # Visits and concerns: Q3 and Q2.
        VisitFactory(provider=high, visited_on=datetime.date(2018, 10, 3))
        VisitFactory(provider=high, visited_on=datetime.date(2018, 12, 31))
        VisitFactory(provider=low, visited_on=datetime.date(2018, 9, 30))
        ConcernFactory(provider=high, raised_on=datetime.date(2018, 11, 1), kind="safeguarding")
        ConcernFactory(provider=low, raised_on=datetime.date(2018, 7, 1), kind="poor_practice")
        # CQC: good (latest), requires improvement now though good before, outstanding.
        CqcRatingFactory(location=LocationFactory(provider=high), overall="good")
        dropped = LocationFactory(provider=high)
        CqcRatingFactory(location=dropped, overall="good", published_on=datetime.date(2017, 1, 1))
        CqcRatingFactory(location=dropped, overall="requires_improvement", published_on=datetime.date(2018, 8, 1))
        CqcRatingFactory(location=LocationFactory(provider=low), overall="outstanding")
    return made


@pytest.fixture
def council(db):
    return build_council()


# --- People and strategies of two directorates ---------------------------------------------------------------
# The commissioner of tests/conftest.py is tied to Adult Care ("accw"); these add Children's Services.


def user_with_role(role: str, **kwargs) -> User:
    user = cast(User, UserFactory(**kwargs))
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def other_directorate(db):
    return DirectorateFactory(name="Children's Services", code="cs")


@pytest.fixture
def own_strategy(directorate):
    """A strategy of the commissioner's own directorate."""
    return StrategyFactory(name="Carers", directorate=directorate)


@pytest.fixture
def foreign_strategy(other_directorate):
    """A strategy of another directorate than the commissioner's."""
    return StrategyFactory(name="Children's mental health", directorate=other_directorate)


@pytest.fixture
def other_commissioner(other_directorate):
    return user_with_role(roles.COMMISSIONER, username="other-commissioner", directorate=other_directorate)


@pytest.fixture
def directorate_officer(other_directorate):
    """A contract officer tied to Children's Services (the officer of tests/conftest.py is council-wide)."""
    return user_with_role(roles.CONTRACT_OFFICER, username="cs-officer", directorate=other_directorate)


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
