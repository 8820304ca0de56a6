"""The statistics page for a chosen period: a financial year, a half or quarter of one, or dates the reader
chooses (the Commercial Team's annual report gives its documents processed for "the last six months")."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract, ContractChange
from oversight.models import Concern, Sanction
from oversight.statistics import period_statistics, statistics_period
from providers.models import RiskLevel
from tests.factories import (
    ConcernFactory,
    ContractChangeFactory,
    ContractFactory,
    CqcRatingFactory,
    DirectorateFactory,
    LocationFactory,
    ProviderFactory,
    RiskAssessmentFactory,
    SanctionFactory,
    VisitFactory,
)
from tests.oversight.test_statistics import _ten_times_more, demo_year  # noqa: F401 - demo_year is a fixture
from tests.providers.factories import OfficerFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2019, 5, 20)  # in 2019/20, so the latest year the page counts is 2020/21
URL = "oversight:statistics"


# --- Each kind of period, with its dates worked out by hand ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "start", "end", "label"),
    [
        ("year", D(2018, 4, 1), D(2019, 3, 31), "2018/19"),
        ("h1", D(2018, 4, 1), D(2018, 9, 30), "H1 2018/19"),
        ("h2", D(2018, 10, 1), D(2019, 3, 31), "H2 2018/19"),
        ("q1", D(2018, 4, 1), D(2018, 6, 30), "Q1 2018/19"),
        ("q2", D(2018, 7, 1), D(2018, 9, 30), "Q2 2018/19"),
        ("q3", D(2018, 10, 1), D(2018, 12, 31), "Q3 2018/19"),
        ("q4", D(2019, 1, 1), D(2019, 3, 31), "Q4 2018/19"),
    ],
)
def test_a_period_of_the_financial_year_runs_between_its_own_dates(kind, start, end, label):
    period = statistics_period(kind=kind, year=2018, today=TODAY)
    assert (period.start, period.end, period.label, period.year) == (start, end, label, 2018)


def test_visits_are_compared_with_the_same_dates_a_year_earlier_and_29_february_becomes_the_28th():
    period = statistics_period(kind="custom", start=D(2019, 12, 1), end=D(2020, 2, 29), today=TODAY)
    assert period.a_year_earlier == (D(2018, 12, 1), D(2019, 2, 28))
    assert statistics_period(kind="h2", year=2018, today=TODAY).a_year_earlier == (D(2017, 10, 1), D(2018, 3, 31))


def test_without_a_year_the_period_is_in_the_current_financial_year():
    period = statistics_period(kind="h2", today=D(2019, 2, 10))  # 2018/19
    assert (period.start, period.end) == (D(2018, 10, 1), D(2019, 3, 31))
    assert statistics_period(today=D(2019, 4, 1)).label == "2019/20"


def test_chosen_dates_are_the_period_and_its_heading_gives_them_in_words():
    period = statistics_period(kind="custom", start=D(2018, 10, 1), end=D(2019, 3, 31), today=TODAY)
    assert (period.start, period.end) == (D(2018, 10, 1), D(2019, 3, 31))
    assert period.heading == "1 October 2018 to 31 March 2019"
    assert period.during == "from 1 October 2018 to 31 March 2019"
    assert statistics_period(kind="h2", year=2018, today=TODAY).heading == "1 October 2018 to 31 March 2019"
    assert statistics_period(kind="year", year=2018, today=TODAY).heading == "2018/19"


def test_a_single_day_is_a_period():
    period = statistics_period(kind="custom", start=D(2018, 10, 1), end=D(2018, 10, 1), today=TODAY)
    assert period.snapshot_days == [D(2018, 10, 1)]


def test_five_years_is_the_longest_period_of_chosen_dates():
    # 1 April 2014 + 5 years - 1 day = 31 March 2019.
    longest = statistics_period(kind="custom", start=D(2014, 4, 1), end=D(2019, 3, 31), today=TODAY)
    assert longest.end == D(2019, 3, 31)
    with pytest.raises(ValidationError) as refused:
        statistics_period(kind="custom", start=D(2014, 4, 1), end=D(2019, 4, 1), today=TODAY)
    assert refused.value.message_dict == {
        "to": ["The period can be at most 5 years: the to date must be on or before 31 March 2019"]
    }


@pytest.mark.parametrize(
    ("arguments", "errors"),
    [
        (
            {"kind": "custom", "start": D(2019, 3, 31), "end": D(2018, 10, 1)},
            {"to": ["The to date must be on or after the from date"]},
        ),
        (
            {"kind": "custom"},
            {
                "from": ["Enter the from date as day, month and year"],
                "to": ["Enter the to date as day, month and year"],
            },
        ),
        (
            {"kind": "custom", "start": D(1999, 1, 1), "end": D(2000, 1, 1)},
            {"from": ["The from date must be on or after 1 April 2000"]},
        ),
        (
            {"kind": "custom", "start": D(2020, 1, 1), "end": D(2021, 4, 1)},
            {"to": ["The to date must be on or before 31 March 2021"]},
        ),
        ({"kind": "year", "year": 1999}, {"year": ["The financial year must be from 2000/01 to 2020/21"]}),
        ({"kind": "q3", "year": 2021}, {"year": ["The financial year must be from 2000/01 to 2020/21"]}),
        ({"kind": "q5", "year": 2018}, {"period": ["Select a period from the list"]}),
    ],
)
def test_a_period_that_cannot_be_counted_is_refused_naming_the_field(arguments, errors):
    with pytest.raises(ValidationError) as refused:
        statistics_period(today=TODAY, **arguments)
    assert refused.value.message_dict == errors


# --- The seed's six months: documents processed October 2018 to March 2019 ------------------------------------


@pytest.fixture
def six_months_of_documents(db):
    """The report's "last six months": 124 contract documents, 146 out of county agreements, 330
    variations/extensions, 12 grant agreements and 4 novations, with one of each just either side."""
    directorate, provider = DirectorateFactory(), ProviderFactory()
    away = LocationFactory(provider=provider, in_county=False, district="Nottinghamshire")

    def contracts(count, start_date, **kwargs):
        made = ContractFactory.create_batch(
            count,
            directorate=directorate,
            lead_provider=provider,
            start_date=start_date,
            end_date=D(2021, 3, 31),
            **kwargs,
        )
        return made

    for day in (D(2018, 10, 1), D(2019, 3, 31)):  # the first and the last day count
        contracts(62, day)
        contracts(6, day, contract_type=Contract.ContractType.GRANT)
        for contract in contracts(73, day, contract_type=Contract.ContractType.SPOT):
            contract.locations.add(away)
    for day in (D(2018, 9, 30), D(2019, 4, 1)):  # the day before and the day after do not
        contracts(1, day)
        contracts(1, day, contract_type=Contract.ContractType.GRANT)
        contracts(1, day, contract_type=Contract.ContractType.SPOT)[0].locations.add(away)

    # Every change on one contract that started long before (the GDPR variations went to every contract).
    changed = ContractFactory(directorate=directorate, lead_provider=provider, start_date=D(2016, 4, 1))
    for kind, count, day in [
        (ContractChange.Kind.VARIATION, 300, D(2018, 10, 1)),
        (ContractChange.Kind.EXTENSION, 30, D(2019, 3, 31)),
        (ContractChange.Kind.NOVATION, 4, D(2019, 1, 14)),
        (ContractChange.Kind.VARIATION, 1, D(2018, 9, 30)),
        (ContractChange.Kind.NOVATION, 1, D(2019, 4, 1)),
    ]:
        ContractChangeFactory.create_batch(count, contract=changed, kind=kind, effective_on=day)


SIX_MONTHS = [
    ("Contract documents", 124),
    ("Out of county agreements", 146),
    ("Variations/Extensions", 330),
    ("Grant agreements", 12),
    ("Novations", 4),
]


def test_the_second_half_of_2018_19_gives_the_reports_six_months_of_documents(
    client_as_officer, six_months_of_documents
):
    response = client_as_officer.get(reverse(URL), {"year": 2018, "period": "h2"})
    page = response.content.decode()

    assert response.status_code == 200
    assert response.context["stats"].documents == SIX_MONTHS
    assert "Contract-management statistics 1 October 2018 to 31 March 2019" in page
    assert "H2 2018/19" in page
    for label, count in SIX_MONTHS:
        assert f'{label}</th><td class="govuk-table__cell app-numeric">{count}</td>' in page


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "from": "2018-10-01", "to": "2019-03-31"},
        {"from": "01/10/2018", "to": "31/03/2019"},  # a shared link with only the dates
        {
            "period": "custom",
            "from_0": "1",
            "from_1": "10",
            "from_2": "2018",
            "to_0": "31",
            "to_1": "3",
            "to_2": "2019",
        },
    ],
)
def test_the_same_six_months_as_dates_you_choose(client_as_officer, six_months_of_documents, query):
    response = client_as_officer.get(reverse(URL), query)
    assert response.status_code == 200
    assert response.context["stats"].documents == SIX_MONTHS
    assert "Contract-management statistics 1 October 2018 to 31 March 2019" in response.content.decode()


def test_the_whole_year_still_counts_the_whole_year(client_as_officer, six_months_of_documents):
    # 2018/19 adds the 30 September documents: one of each contract kind and one variation; 1 April 2019 is out.
    stats = client_as_officer.get(reverse(URL), {"year": 2018}).context["stats"]
    assert stats.documents == [
        ("Contract documents", 125),
        ("Out of county agreements", 147),
        ("Variations/Extensions", 331),
        ("Grant agreements", 13),
        ("Novations", 4),
    ]


# --- Every section is counted for the period ---------------------------------------------------------------


def test_every_count_is_for_the_quarter_and_visits_compare_with_the_same_quarter_a_year_earlier(
    client_as_officer,
):
    provider = ProviderFactory()
    # Q3 2018/19 is 1 October to 31 December 2018; Q3 2017/18 is 1 October to 31 December 2017.
    for day in (D(2018, 10, 1), D(2018, 11, 15), D(2018, 12, 31), D(2018, 12, 31), D(2018, 12, 31)):
        VisitFactory(provider=provider, visited_on=day)
    for day in (D(2017, 10, 1), D(2017, 12, 31), D(2018, 9, 30), D(2019, 1, 1), D(2017, 9, 30)):
        VisitFactory(provider=provider, visited_on=day)
    ConcernFactory(provider=provider, kind=Concern.Kind.SAFEGUARDING, raised_on=D(2018, 10, 1))
    ConcernFactory(provider=provider, kind=Concern.Kind.SAFEGUARDING, raised_on=D(2019, 1, 1))
    SanctionFactory(provider=provider, kind=Sanction.Kind.SUSPENSION, issued_on=D(2018, 12, 31))
    SanctionFactory(provider=provider, kind=Sanction.Kind.SUSPENSION, issued_on=D(2018, 9, 30))

    response = client_as_officer.get(reverse(URL), {"year": "2018", "period": "q3"})
    stats = response.context["stats"]

    # 5 this quarter against 2 a year earlier: (5 - 2) / 2 = +150%.
    assert (stats.visits, stats.visits_previous_year, stats.visits_change) == (5, 2, Decimal("150"))
    assert dict(stats.concerns_by_kind)["Safeguarding enquiry"] == 1
    assert (stats.default_notices, stats.suspensions) == (0, 1)
    page = response.content.decode()
    assert "In Q3 2018/19 contract officers completed <strong>5</strong> visits" in page
    assert "an increase of 150% on the same period a year earlier (2)" in page


def test_risk_and_cqc_ratings_are_taken_on_the_last_day_of_chosen_dates():
    provider = ProviderFactory()
    RiskAssessmentFactory(provider=provider, assessed_on=D(2018, 9, 1), calculated_level="low", level="low")
    RiskAssessmentFactory(provider=provider, assessed_on=D(2018, 11, 20), calculated_level="high", level="high")
    RiskAssessmentFactory(provider=provider, assessed_on=D(2019, 1, 20), calculated_level="medium", level="medium")
    improved = LocationFactory(name="Capricorn Cottage")
    CqcRatingFactory(location=improved, published_on=D(2017, 5, 1), overall="requires_improvement")
    CqcRatingFactory(location=improved, published_on=D(2019, 1, 15), overall="good")
    later = LocationFactory(name="Bank House Care Home")
    CqcRatingFactory(location=later, published_on=D(2017, 5, 1), overall="requires_improvement")
    CqcRatingFactory(location=later, published_on=D(2019, 1, 16), overall="good")

    period = statistics_period(kind="custom", start=D(2018, 10, 1), end=D(2019, 1, 15), today=TODAY)
    stats = period_statistics(period=period, user=OfficerFactory(username="reader"))

    # Days counted: 30 September (before), 31 October, 30 November, 31 December, 15 January (the last day);
    # not 31 January, by which the provider was medium.
    assert period.snapshot_days == [D(2018, 10, 31), D(2018, 11, 30), D(2018, 12, 31), D(2019, 1, 15)]
    risk = {r.level: r for r in stats.risk}
    assert (risk[RiskLevel.LOW].at_start, risk[RiskLevel.LOW].at_end) == (1, 0)
    assert (risk[RiskLevel.HIGH].at_start, risk[RiskLevel.HIGH].at_end, risk[RiskLevel.HIGH].highest) == (0, 1, 1)
    assert (risk[RiskLevel.MEDIUM].at_end, risk[RiskLevel.MEDIUM].highest) == (0, 0)
    # Rated on the last day counts; the day after does not.
    assert [(c.from_label, c.to_label, c.locations) for c in stats.rating_changes] == [
        ("Requires improvement", "Good", ["Capricorn Cottage"])
    ]


# --- Bad input shows the error on the page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"period": "custom", "from": "2019-03-31", "to": "2018-10-01"},
            "The to date must be on or after the from date",
        ),
        (
            {"period": "custom", "from": "2010-04-01", "to": "2019-03-31"},
            "The period can be at most 5 years: the to date must be on or before 31 March 2015",
        ),
        ({"period": "custom", "from": "2018-10-01"}, "Enter the to date as day, month and year"),
        (
            {"period": "custom", "from_0": "31", "from_1": "2", "from_2": "2019", "to": "2019-03-31"},
            "The from date must be a real date, for example 5 9 2018",
        ),
        # The shared date field's own message for letters in a box; the summary links to the from date.
        ({"period": "custom", "from": "yesterday", "to": "2019-03-31"}, 'href="#id_from_0"'),
        ({"period": "fortnight"}, "Select a period from the list"),
        ({"year": "abc"}, "The financial year must be a year such as 2018 (for 2018/19)"),
        ({"year": "1999", "period": "h1"}, "The financial year must be from 2000/01 to"),
        ({"year": "99999999999999999999"}, "The financial year must be from 2000/01 to"),
    ],
)
def test_a_period_that_cannot_be_counted_shows_why_on_the_page(client_as_officer, query, message):
    response = client_as_officer.get(reverse(URL), query)
    page = response.content.decode()

    assert response.status_code == 400
    assert response.context["stats"] is None
    assert "There is a problem" in page
    assert message in page
    assert "Documents processed" not in page  # no figures for a period that was not counted


def test_the_page_without_a_period_shows_the_current_financial_year(client_as_officer):
    response = client_as_officer.get(reverse(URL))
    period = response.context["period"]
    assert response.status_code == 200
    assert period.kind == "year"
    assert (period.start.month, period.start.day) == (4, 1)
    assert period.start <= timezone.localdate() <= period.end


def test_one_date_without_a_period_leaves_the_whole_year(client_as_officer):
    # The old /contracts/statistics/ links carry the officer lists' ?from=; they still show a financial year.
    response = client_as_officer.get(reverse(URL), {"year": "2018", "from": "2018-10-01"})
    assert response.status_code == 200
    assert response.context["period"].label == "2018/19"


# --- A fixed number of queries whatever the period -------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "from": "2018-10-01", "to": "2019-03-31"},
        {"period": "custom", "from": "2014-04-01", "to": "2019-03-31"},  # five years: sixty month ends
        {"year": "2018", "period": "q3"},
    ],
)
@pytest.mark.usefixtures("demo_year")
def test_a_chosen_period_runs_constant_queries(client_as_officer, django_assert_max_num_queries, query):
    # The same bound as the whole year's page (tests/oversight/test_statistics.py).
    with django_assert_max_num_queries(16):
        assert client_as_officer.get(reverse(URL), query).status_code == 200
    _ten_times_more()
    with django_assert_max_num_queries(16):
        assert client_as_officer.get(reverse(URL), query).status_code == 200
