"""The headline numbers the demo data reproduces, from the seed reports.

Tests import these and count the records, so the pages' figures come out of the data, not out of this file.
"""

from datetime import date

FINANCIAL_YEAR = 2018  # 2018/19
YEAR_START = date(2018, 4, 1)
YEAR_END = date(2019, 3, 31)

# Risk month by month (providers at each level at each month end, by their stored level, leaving out providers that
# had left the market), Commercial Team annual report 2018/19: 202 / 114 / 33 at the start of the year (low
# "remained consistent at 202"), 202 / 103 / 37 at the end, each month end within low 185-207, medium 99-115 and
# high 31-39. 349 providers at the start and 342 at the end: seven left the market during the year
# (demo.risk.EXITED_IN_2018), counted until the day they left.
RISK_START = {"low": 202, "medium": 114, "high": 33}
RISK_BY_MONTH_END = [
    # (year, month, low, medium, high)
    (2018, 4, 199, 115, 34),
    (2018, 5, 194, 115, 38),
    (2018, 6, 193, 115, 39),
    (2018, 7, 196, 113, 36),
    (2018, 8, 200, 110, 34),
    (2018, 9, 204, 109, 31),
    (2018, 10, 205, 106, 33),
    (2018, 11, 207, 102, 35),
    (2018, 12, 206, 99, 38),
    (2019, 1, 204, 101, 37),
    (2019, 2, 203, 102, 37),
    (2019, 3, 202, 103, 37),
]
RISK_EXITS_2018 = 7

FIGURES = {
    "strategies": 6,
    "risk_current": {"low": 202, "medium": 103, "high": 37},
    "risk_providers": 342,
    "risk_providers_start": 349,
    "risk_exits_2018": RISK_EXITS_2018,
    "risk_start": RISK_START,
    "risk_range": {"low": (185, 207), "medium": (99, 115), "high": (31, 39)},
    # Care homes: 275 homes signed to the new residential framework in April 2018 (two closed in 2018, leaving
    # 273 in county); 464 residential services = 273 in-county + 165 out-of-county + 26 block transitional-bed
    # contracts (the 26 block homes are in-county framework homes too).
    "in_county_care_homes": 275,
    "in_county_care_homes_open": 273,
    "out_of_county_care_homes": 165,
    "block_transitional_bed_homes": 26,
    "residential_services": 464,
    "community_services": 259,
    "clinical_prevention_services": 269,
    "visits_2018": 1331,
    "visits_2017": 1109,  # "an increase of 20% since last year"
    "concerns_2018": {"poor_practice": 562, "safeguarding": 680, "serious_incident": 429},
    "default_notices_2018": 16,
    "suspensions_2018": 10,
    "rating_changes": {"requires_improvement_to_good": 21, "good_to_outstanding": 2, "inadequate_to_ri": 1},
    # Quarter 3 2018/19 "How is success measured?" per strategy: (targeted, achieved, not achieved, awaiting data,
    # measured only).
    "q3_measures": {
        "Specialist Adult Services": (5, 5, 0, 0, 0),
        "Safeguarding Adults": (3, 2, 1, 0, 0),
        "Carers": (4, 3, 1, 0, 0),
        "Adult Frailty and Long Term Conditions": (6, 4, 1, 1, 0),
        "Community Wellbeing": (8, 3, 5, 0, 0),
        "Public Protection": (11, 8, 3, 0, 6),
    },
}
