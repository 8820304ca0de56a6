"""The 2018/19 volume behind the contract-management report, generated with a fixed random seed.

Built only when it is not there yet (the RES- contracts mark it), through the owning apps' bulk services (a few
thousand rows, checked by the same rules as one record and inserted in batches, with their history), as a
command run on the server with no user named; each record names the officer who made it.
"""

import random
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from commissioning.imports import refuse_rows
from contracts.models import Contract
from contracts.services import contract_record_decision, contract_record_parts, contracts_import
from oversight.services import (
    ActionPlanEntry,
    ConcernEntry,
    EscalationEntry,
    PlanActionEntry,
    SanctionEntry,
    VisitEntry,
    action_plans_create_many,
    concerns_record_many,
    sanctions_record_many,
    visits_record_many,
)
from providers.models import Location, Provider
from providers.services import (
    RatingEntry,
    cqc_ratings_record,
    locations_register_many,
    providers_register_many,
)

from . import risk as demo_risk
from .figures import FIGURES
from .managers import manager_names
from .terms import estimated_value

IN_COUNTY_DISTRICTS = {
    "Lincoln": ["Lincoln", "Lincoln South"],
    "Boston": ["Boston"],
    "East Lindsey": ["Louth", "Skegness", "Horncastle", "Mablethorpe"],
    "West Lindsey": ["Gainsborough", "Market Rasen"],
    "North Kesteven": ["Sleaford", "Hykeham", "Woodhall Spa"],
    "South Kesteven": ["Grantham", "Stamford", "Bourne"],
    "South Holland": ["Spalding", "Holbeach"],
}
OUT_OF_COUNTY = [
    "Nottinghamshire",
    "Peterborough",
    "Rutland",
    "North Lincolnshire",
    "North East Lincolnshire",
    "Leicestershire",
    "Norfolk",
    "Cambridgeshire",
    "Yorkshire",
]
HOMECARE_ZONES = [
    "Zone 1 – Lincoln North",
    "Zone 2 – Lincoln South",
    "Zone 3 – Louth",
    "Zone 4 – Gainsborough",
    "Zone 5 – Skegness",
    "Zone 6 – Boston",
    "Zone 7 – Sleaford",
    "Zone 8 – Spalding",
    "Zone 9 – Grantham",
    "Zone 10 – Horncastle",
    "Zone 11 – Market Rasen",
    "Zone 12 – Stamford and Bourne",
]
# Care homes named in the seed report, with the story of their ratings.
RI_TO_GOOD = [
    "Abbey Court Care Home",
    "Apex Care Centre",
    "Bank House Care Home",
    "Bernadette House",
    "Caythorpe Residential Home",
    "Field House",
    "Five Bells Residential Care Home",
    "Summerfield Residential Home",
    "The Georgians (Boston)",
    "The Grove Care Centre",
    "The Manor Care Home Scotter",
    "Greenacres Care Home",
    "Homer Lodge Care Centre",
    "Kimberley Care Village",
    "Martin Hall Nursing Home",
    "Meadows Edge Care Home",
    "Meadows Sands Care Home",
    "Ruckland Court",
    "Woodlands Court Care Home",
    "Elm Tree House",
    "Brook Lodge",
]
GOOD_TO_OUTSTANDING = ["An Caladh House", "Hartsholme House"]
INADEQUATE_TO_RI = ["South Wold Nursing Home"]
OTHER_NAMED = [
    "Capricorn Cottage",
    "The Laurels",
    "Ashfield Lodge",
    "Melody Lodge",
    "Ferndene Care Home",
    "Redcote House",
    "Sandbeck House",
]
HOME_WORDS = [
    "Abbey",
    "Ash",
    "Beech",
    "Birch",
    "Bramley",
    "Cedar",
    "Chestnut",
    "Clover",
    "Elm",
    "Fen",
    "Fern",
    "Glebe",
    "Hawthorn",
    "Hazel",
    "Heath",
    "Holly",
    "Ivy",
    "Juniper",
    "Larch",
    "Laurel",
    "Lime",
    "Linden",
    "Maple",
    "Meadow",
    "Mill",
    "Oak",
    "Orchard",
    "Pine",
    "Poplar",
    "Priory",
    "Rowan",
    "Rose",
    "Sycamore",
    "Thorn",
    "Vicarage",
    "Willow",
    "Wold",
    "Yew",
    "Marsh",
    "Church",
    "Grange",
    "Park",
]
HOME_ENDINGS = ["House", "Lodge", "Court", "Care Home", "Nursing Home", "Manor", "Hall", "View", "Gardens"]
COMPANY_WORDS = [
    "Lindum",
    "Fenland",
    "Wolds",
    "Witham",
    "Trent",
    "Welland",
    "Ancholme",
    "Haven",
    "Kesteven",
    "Holland",
    "Lindsey",
    "Bain",
    "Steeping",
    "Glen",
    "Slea",
    "Brant",
    "Till",
    "Eau",
    "Nene",
    "Humber",
]
COMPANY_ENDINGS = [
    "Care Ltd",
    "Healthcare Ltd",
    "Care Homes Ltd",
    "Care Group Ltd",
    "Residential Care Ltd",
    "Senior Living Ltd",
    "Care Services Ltd",
]
TOWNS = [town for towns in IN_COUNTY_DISTRICTS.values() for town in towns]

VISIT_FINDINGS = [
    "Care plans up to date; residents positive about staff.",
    "Medication records checked; minor recording gaps discussed.",
    "Activities programme improved since last visit.",
    "Staffing levels met the dependency tool on the day.",
    "Follow-up of concerns raised; actions in progress.",
]
CONCERN_SUMMARIES = {
    "poor_practice": [
        "Missed medication reported by a relative.",
        "Care plan not followed for repositioning.",
        "Late or missed home care calls.",
    ],
    "safeguarding": [
        "Unexplained bruising reported by district nurse.",
        "Alleged financial abuse by a visitor.",
        "Resident-on-resident altercation.",
    ],
    "serious_incident": [
        "Fall resulting in a fracture.",
        "Grade 3 pressure ulcer identified.",
        "Resident left the home unsupervised.",
    ],
    "complaint": ["Family unhappy with communication from the home.", "Complaint about food quality."],
}
CONCERN_OUTCOMES = [
    "Substantiated; action plan agreed with the provider.",
    "Not substantiated; no further action.",
    "Partially substantiated; training delivered to staff.",
    "Referred to CQC; provider response accepted.",
]
# Complaints a year beside the seed's concerns (the seed does not count them).
COMPLAINTS_A_YEAR = 140


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _month_day(rng, year, month) -> date:
    return date(year, month, rng.randint(1, monthrange(year, month)[1]))


# Seed 001's documents processed "in the last six months" of 2018/19 (October to March): what the annual
# statistics' documents table counts for those months (``oversight.statistics``).
SIX_MONTHS = (date(2018, 10, 1), date(2019, 3, 31))
DOCUMENTS_SIX_MONTHS = {
    "contract_documents": 124,
    "out_of_county": 146,
    "variations": 330,
    "grants": 12,
    "novations": 4,
}
# New contract documents in the six months: the 51 day care framework contracts (15 November 2018), the two
# re-let home care zones (1 October 2018) and this many community supported living placements.
CSL_SIX_MONTHS = DOCUMENTS_SIX_MONTHS["contract_documents"] - 51 - 2


@dataclass(frozen=True)
class Succession:
    """How a stream of 2018/19 contracts continues today: the successors' reference prefix, their term (``start``
    None: the day after the old contract's end), the share of the old contracts whose service still runs, the
    uplift on their annual value, and the framework (``part_of``, a 2020s contract's title) or the agreement
    built for them (``agreement``: the summary contract's fields) they are call-offs under."""

    prefix: str
    new_prefix: str
    suffix: str
    start: date | None
    end: date
    extension_months: tuple[int, ...]
    share: float
    uplift: Decimal = Decimal("1.2")
    route: str = ""
    contract_type: str = ""
    part_of: str = ""
    agreement: dict[str, Any] | None = None

    def title(self, old_title: str) -> str:
        return f"{old_title} ({self.suffix})"


def _agreement(
    title: str,
    directorate: str,
    strategy: str,
    summary: str,
    category: str,
    kind: str,
    route: str,
    start: date,
    end: date,
) -> dict[str, Any]:
    """The fields of an agreement's summary contract (two 12-month options, as the 2020s contracts have)."""
    return {
        "title": title,
        "directorate": directorate,
        "strategy": strategy,
        "provider_summary": summary,
        "category": category,
        "contract_type": kind,
        "procurement_route": route,
        "start_date": start,
        "end_date": end,
        "extension_months": [12, 12],
    }


# The agreements the out of county placements, day care, GP and pharmacy services were re-let under: one contract
# each, managed (and returned on) as a whole, the homes', settings', practices' and pharmacies' call-offs its parts.
# fmt: off
GP_AGREEMENT = _agreement(
    "GP public health services: NHS Health Checks and LARC (2022 agreement)", "PH", "Community Wellbeing",
    "GP practices across Lincolnshire", "clinical_prevention", "framework", "Approved provider list 2022",
    date(2022, 4, 1), date(2027, 3, 31),
)
PHARMACY_AGREEMENT = _agreement(
    "Community pharmacy public health services (2020 agreement)", "PH", "Community Wellbeing",
    "Community pharmacies across Lincolnshire", "clinical_prevention", "framework", "Approved provider list 2020",
    date(2020, 4, 1), date(2027, 3, 31),
)
OUT_OF_COUNTY_AGREEMENT = _agreement(
    "Out of county residential placements (2021 spot agreement)", "ACCW", "Adult Frailty and Long Term Conditions",
    "Care homes outside Lincolnshire", "residential", "spot", "Spot purchase on the council's standard terms",
    date(2021, 4, 1), date(2027, 3, 31),
)
DAY_OPPORTUNITIES_FRAMEWORK = _agreement(
    "Day opportunities framework (2022)", "ACCW", "Specialist Adult Services", "Buildings based day care providers",
    "community", "framework", "Day opportunities framework 2022", date(2022, 11, 15), date(2027, 11, 14),
)
# fmt: on
SUCCESSION = [
    # Each open home's placements under the 2024 residential and nursing framework.
    Succession(
        "RES",
        "RES24",
        "2024 framework call-off",
        date(2024, 4, 1),
        date(2027, 3, 31),
        (12, 12),
        1.0,
        route="Residential and nursing framework 2024",
        contract_type="call_off",
        part_of="Residential and nursing framework (2024)",
    ),
    # Out of county placements: the people still placed in the same home.
    Succession(
        "OOC",
        "OOC21",
        "2021",
        date(2021, 4, 1),
        date(2027, 3, 31),
        (12, 12),
        0.6,
        uplift=Decimal("1.15"),
        agreement=OUT_OF_COUNTY_AGREEMENT,
    ),
    Succession("TCB", "TCB2", "re-let", None, date(2027, 9, 30), (12, 12), 1.0, route="Step up/step down re-let"),
    # Each supported living setting under the 2021 framework.
    Succession(
        "CSL",
        "CSL21",
        "2021 framework call-off",
        date(2021, 10, 1),
        date(2027, 3, 31),
        (12, 12),
        0.9,
        route="Community supported living framework 2021",
        contract_type="call_off",
        part_of="Community supported living framework (2021)",
    ),
    Succession(
        "DC",
        "DC22",
        "2022 framework call-off",
        None,
        date(2027, 11, 14),
        (12, 12),
        0.9,
        route="Day opportunities framework 2022",
        contract_type="call_off",
        agreement=DAY_OPPORTUNITIES_FRAMEWORK,
    ),
    Succession(
        "GP",
        "GP22",
        "2022",
        date(2022, 4, 1),
        date(2027, 3, 31),
        (12, 12),
        0.85,
        uplift=Decimal("1.1"),
        contract_type="call_off",
        agreement=GP_AGREEMENT,
    ),
    Succession(
        "PHX",
        "PHX20",
        "2020",
        date(2020, 4, 1),
        date(2027, 3, 31),
        (12, 12),
        0.9,
        uplift=Decimal("1.1"),
        contract_type="call_off",
        agreement=PHARMACY_AGREEMENT,
    ),
]


def _six_months_or_before(drawn: date, *, within: bool) -> date:
    """A start date from the one drawn: moved into the seed's six months (the same day of a 182-day cycle) for
    the agreements processed then, and otherwise kept, a year earlier if it fell in them."""
    first, last = SIX_MONTHS
    if within:
        return first + timedelta(days=(drawn - date(2000, 1, 1)).days % ((last - first).days + 1))
    return drawn - relativedelta(years=1) if first <= drawn <= last else drawn


def _location(provider: Provider, **fields: Any) -> tuple[Provider, dict[str, Any]]:
    """A location to register: its provider and its fields."""
    return provider, fields


class Names:
    """Unique, plausible names from a fixed random sequence."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def unique(self, make) -> str:
        for _ in range(200):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("Ran out of demo names")

    def home(self, place=""):
        suffix = f", {place}" if place else ""
        return self.unique(lambda: f"{self.rng.choice(HOME_WORDS)} {self.rng.choice(HOME_ENDINGS)}{suffix}")

    def company(self, endings=COMPANY_ENDINGS):
        return self.unique(
            lambda: f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(HOME_WORDS)} {self.rng.choice(endings)}"
        )


class Volume:
    def __init__(self, *, directorates, strategies, users, key_providers):
        self.rng = random.Random(2019)  # noqa: S311 - demo data, fixed seed for repeatable figures
        self.names = Names(self.rng)
        self.names.used.update(RI_TO_GOOD + GOOD_TO_OUTSTANDING + INADEQUATE_TO_RI + OTHER_NAMED)
        self.directorates = directorates
        self.strategies = strategies
        self.officers = [u for name, u in users.items() if name.startswith("officer")]
        self.key_providers = key_providers
        self.location_seq = 0
        self.contract_seq = {}
        self.decisions: list[tuple[str, str, date]] = []
        # The register's administrator records what the register import cannot take: decisions and locations.
        self.administrator = users["admin"]
        self.users = users

    # --- helpers -------------------------------------------------------------------------------------------
    def _location_id(self) -> str:
        self.location_seq += 1
        return f"1-9{self.location_seq:08d}"

    def _ref(self, prefix) -> str:
        self.contract_seq[prefix] = self.contract_seq.get(prefix, 0) + 1
        return f"{prefix}-{self.contract_seq[prefix]:04d}"

    def _contract(self, prefix, title, provider, **kw) -> dict[str, Any]:
        """A contract's fields for the register import (which works out the maximum end date). A decision
        already made is recorded after, through its own service."""
        reference = self._ref(prefix)
        decision, decided_on = kw.pop("reprocurement_decision", ""), kw.pop("reprocurement_decided_on", None)
        if decision:
            self.decisions.append((reference, decision, decided_on))
        return {
            "reference": reference,
            "title": title,
            "lead_provider": provider,
            **kw,
            "total_value": kw.get("total_value") or (kw["annual_value"] * 3),
            # Every generated contract was procured before the Procurement Act 2023 applied.
            "regime": Contract.Regime.PCR_2015,
            "estimated_value": estimated_value(
                annual=kw["annual_value"],
                start=kw["start_date"],
                end=kw["end_date"],
                extension_months=kw.get("extension_months", []),
            ),
        }

    # --- providers and locations -----------------------------------------------------------------------------
    def build_providers(self):
        rng = self.rng
        new = []

        def provider(name, **kw):
            # The provider's fields for now; each is swapped for the saved provider once all are registered.
            p = dict(
                name=name,
                companies_house_number=f"{rng.randint(1000000, 12999999):08d}",
                cqc_provider_id=f"1-8{len(new) + 1:08d}",
                is_sme=rng.random() < 0.7,
                **kw,
            )
            new.append(p)
            return p

        self.homecare = [self.key_providers["Alderson Libertas Ltd"]]
        for name in [
            "Fosse Healthcare Ltd",
            "Atlas Homecare Services Ltd",
            "Carewatch Lincoln Ltd",
            "Beacon Homecare Ltd",
            "Holland Home Support Ltd",
            "Wolds Domiciliary Care Ltd",
            "Kesteven Care at Home Ltd",
        ]:
            self.homecare.append(provider(name, postcode="LN1 1AA"))
        self.csl = [
            provider(self.names.company(["Supported Living Ltd", "Support Services CIC", "Living Ltd"]))
            for _ in range(32)
        ]
        self.day_care = [
            provider(
                self.names.company(["Day Opportunities Ltd", "Day Services CIC", "Activities Ltd"]),
                is_vcse=rng.random() < 0.4,
            )
            for _ in range(32)
        ]
        self.operators = [provider(self.names.company()) for _ in range(270)]
        self.in_house = provider("Lincolnshire County Council – In-house Day Services")
        practice = ["Medical Practice", "Surgery", "Health Centre"]
        self.gps = [provider(f"{TOWNS[i % len(TOWNS)]} {practice[i % 3]} {i + 1}") for i in range(89)]
        self.pharmacies = [
            provider(f"{rng.choice(TOWNS)} {self.rng.choice(['Pharmacy', 'Chemist'])} {i + 1}") for i in range(82)
        ]
        self.multi = [
            provider("Lincs Family Partnership CIC", is_vcse=True),
            provider("Midlands Youth and Community Trust", is_vcse=True),
        ]
        saved = dict(zip(map(id, new), providers_register_many(providers=new, by=None), strict=True))

        def registered(fields):
            return saved.get(id(fields), fields)  # the key provider at the head of homecare is saved already

        self.homecare = [registered(p) for p in self.homecare]
        self.csl = [registered(p) for p in self.csl]
        self.day_care = [registered(p) for p in self.day_care]
        self.operators = [registered(p) for p in self.operators]
        self.in_house = registered(self.in_house)
        self.gps = [registered(p) for p in self.gps]
        self.pharmacies = [registered(p) for p in self.pharmacies]
        self.multi = [registered(p) for p in self.multi]
        self.risk_providers = self.homecare + self.csl + self.day_care + self.operators
        assert len(self.risk_providers) == FIGURES["risk_providers"]

    def _home(self, name, provider, in_county, district="") -> tuple[Provider, dict[str, Any]]:
        rng = self.rng
        if in_county:
            district = rng.choice(list(IN_COUNTY_DISTRICTS))
            zone = rng.choice(IN_COUNTY_DISTRICTS[district])
        else:
            zone = "Out of county"
        nursing = rng.random() < 0.35
        return _location(
            provider,
            name=name,
            cqc_location_id=self._location_id(),
            setting_type=Location.SettingType.CARE_HOME_NURSING if nursing else Location.SettingType.CARE_HOME,
            is_care_home=True,
            beds=rng.randint(18, 80) if nursing else rng.randint(12, 55),
            district=district,
            zone=zone,
            in_county=in_county,
            postcode="",
        )

    def build_locations(self):
        rng = self.rng
        named = RI_TO_GOOD + GOOD_TO_OUTSTANDING + INADEQUATE_TO_RI + OTHER_NAMED
        in_county_names = named + [self.names.home() for _ in range(FIGURES["in_county_care_homes"] - len(named))]
        owners = list(self.operators) + [rng.choice(self.operators) for _ in range(170)]
        rng.shuffle(owners)
        self.in_county_homes = [self._home(n, owners[i], True) for i, n in enumerate(in_county_names)]
        places = [rng.choice(OUT_OF_COUNTY) for _ in range(FIGURES["out_of_county_care_homes"])]
        self.out_county_homes = [
            self._home(self.names.home(place), owners[275 + i], False, place) for i, place in enumerate(places)
        ]
        self.homecare_offices = [
            _location(
                p,
                name=f"{p.name} – {HOMECARE_ZONES[i].split(' – ')[1]} branch",
                cqc_location_id=self._location_id(),
                setting_type=Location.SettingType.HOMECARE,
                district="",
                zone=HOMECARE_ZONES[i],
                in_county=True,
            )
            for i, p in enumerate(self.homecare)
        ]
        self.csl_settings = [
            _location(
                self.csl[i % 32],
                name=f"{rng.choice(HOME_WORDS)} Close {i + 1}, {rng.choice(TOWNS)}",
                setting_type=Location.SettingType.SUPPORTED_LIVING,
                district=rng.choice(list(IN_COUNTY_DISTRICTS)),
            )
            for i in range(183)
        ]
        self.day_settings = [
            _location(
                self.day_care[i % 32],
                name=f"{rng.choice(TOWNS)} Day Centre {i + 1}",
                setting_type=Location.SettingType.DAY_SERVICE,
                district=rng.choice(list(IN_COUNTY_DISTRICTS)),
            )
            for i in range(51)
        ]
        self.internal_day = [
            _location(
                self.in_house,
                name=f"{town} Day Centre (in-house)",
                setting_type=Location.SettingType.DAY_SERVICE,
                district="",
            )
            for town in TOWNS[:13]
        ]
        groups = (
            "in_county_homes",
            "out_county_homes",
            "homecare_offices",
            "csl_settings",
            "day_settings",
            "internal_day",
        )
        entries = [entry for group in groups for entry in getattr(self, group)]
        saved = iter(locations_register_many(locations=entries, by=None))
        for group in groups:  # the saved locations, in the order given
            setattr(self, group, [next(saved) for _ in getattr(self, group)])
        self.homes = self.in_county_homes + self.out_county_homes
        self.closed_homes = self.in_county_homes[-2:]  # two home closures in 2018

    # --- CQC ratings ---------------------------------------------------------------------------------------
    def _questions(self, overall):
        rng = self.rng
        if overall in ("not_rated",):
            return dict.fromkeys(["safe", "effective", "caring", "responsive", "well_led"], "")
        base = {
            "outstanding": "good",
            "good": "good",
            "requires_improvement": "requires_improvement",
            "inadequate": "inadequate",
        }[overall]
        qs = dict.fromkeys(["safe", "effective", "caring", "responsive", "well_led"], base)
        if overall == "outstanding":
            qs.update(caring="outstanding", responsive="outstanding", well_led="outstanding")
        elif overall == "good" and rng.random() < 0.3:
            qs[rng.choice(["safe", "effective", "well_led"])] = "requires_improvement"
        elif overall == "requires_improvement":
            qs["caring"] = "good" if rng.random() < 0.75 else "requires_improvement"
            qs["responsive"] = "good" if rng.random() < 0.5 else "requires_improvement"
        elif overall == "inadequate":
            qs["caring"] = "requires_improvement"
        return qs

    def _rating(self, location, day, overall, **override) -> RatingEntry:
        qs = self._questions(overall)
        qs.update(override)
        return RatingEntry(location=location, published_on=day, ratings={"overall": overall, **qs})

    def build_ratings(self):
        rng = self.rng
        before = (date(2016, 5, 1), date(2018, 3, 20))
        during = (date(2018, 4, 10), date(2019, 3, 25))
        ratings = []
        story = dict.fromkeys(RI_TO_GOOD, "ri_good")
        story.update(dict.fromkeys(GOOD_TO_OUTSTANDING, "good_outstanding"))
        story.update(dict.fromkeys(INADEQUATE_TO_RI, "inadequate_ri"))
        others = [
            h for h in self.homes + self.homecare_offices if h.name not in story and h.name != "Capricorn Cottage"
        ]
        rng.shuffle(others)
        declines = {id(h): "good_ri" for h in others[:10]}
        declines.update({id(h): "ri_inadequate" for h in others[10:12]})
        same = {id(h) for h in others[12:112]}
        for home in self.homes + self.homecare_offices:
            kind = story.get(home.name) or declines.get(id(home))
            first_day = _day(rng, *before)
            second_day = _day(rng, *during)
            if kind == "ri_good":
                ratings.append(self._rating(home, first_day, "requires_improvement"))
                extra = {"well_led": "requires_improvement"} if home.name == "Meadows Edge Care Home" else {}
                if home.name == "Meadows Edge Care Home":
                    ratings[-1] = RatingEntry(
                        location=home,
                        published_on=first_day,
                        ratings=dict.fromkeys(
                            ["overall", "safe", "effective", "caring", "responsive", "well_led"],
                            "requires_improvement",
                        ),
                    )
                ratings.append(self._rating(home, second_day, "good", **extra))
            elif kind == "good_outstanding":
                ratings.append(self._rating(home, first_day, "good"))
                ratings.append(self._rating(home, second_day, "outstanding"))
            elif kind == "inadequate_ri":
                ratings.append(self._rating(home, first_day, "inadequate"))
                ratings.append(self._rating(home, second_day, "requires_improvement"))
            elif kind == "good_ri":
                ratings.append(self._rating(home, first_day, "good"))
                ratings.append(self._rating(home, second_day, "requires_improvement"))
            elif kind == "ri_inadequate":
                ratings.append(self._rating(home, first_day, "requires_improvement"))
                ratings.append(self._rating(home, second_day, "inadequate"))
            else:
                if home.name == "Capricorn Cottage":
                    ratings.append(self._rating(home, date(2016, 11, 2), "requires_improvement"))
                    ratings.append(self._rating(home, date(2018, 1, 18), "good"))
                    continue
                draw = rng.random()
                overall = (
                    "good"
                    if draw < 0.74
                    else "requires_improvement"
                    if draw < 0.95
                    else "outstanding"
                    if draw < 0.98
                    else "inadequate"
                )
                ratings.append(self._rating(home, first_day, overall))
                if id(home) in same:
                    # Re-inspected in the year with the same overall rating.
                    ratings.append(self._rating(home, second_day, overall))
        recorded = cqc_ratings_record(entries=ratings, by=None)
        if recorded.problems:
            raise ValidationError(recorded.problems)

    # --- risk ---------------------------------------------------------------------------------------------
    def build_risk(self):
        """The risk methods and assessments, and the providers that left the market (``demo.risk``)."""
        self.final_level, self.level_history = demo_risk.build_risk(self)

    # --- contracts ---------------------------------------------------------------------------------------
    def build_contracts(self):
        contracts, links = [], []

        def add(contract, locations=()):
            contracts.append(contract)
            links.extend((contract, loc) for loc in locations)
            return contract

        self._care_home_contracts(add)
        self._community_contracts(add)
        self._prevention_contracts(add)
        self._current_contracts(add)
        self._grant_agreements(add)
        for fields, loc in links:
            fields.setdefault("locations", []).append(loc)
        imported = contracts_import(new=contracts, updates=[], by=None)
        if imported.problems:
            raise refuse_rows("contracts", imported.problems)
        saved = Contract.objects.in_bulk(imported.created, field_name="reference")
        for reference, decision, decided_on in self.decisions:
            contract_record_decision(
                contract=saved[reference], by=self.administrator, decision=decision, decided_on=decided_on
            )
        self.contract_for_location = {
            loc.pk: saved[fields["reference"]]
            for fields, loc in links
            if saved[fields["reference"]].status in ("live", "terminated")
        }
        self.contracts = [saved[fields["reference"]] for fields in contracts]

    def _care_home_contracts(self, add) -> None:
        """Residential and nursing homes in and out of county, and transitional care block beds."""
        rng = self.rng
        d = self.directorates
        sas = self.strategies["Specialist Adult Services"]
        frailty = self.strategies["Adult Frailty and Long Term Conditions"]
        weekly = Decimal("560")
        for home in self.in_county_homes:
            closed = home in self.closed_homes
            value = min(Decimal(home.beds) * Decimal("0.45") * weekly * 52, Decimal("950000")).quantize(Decimal(1))
            add(
                self._contract(
                    "RES",
                    f"Residential and nursing care – {home.name}",
                    home.provider,
                    directorate=d["ACCW"],
                    strategy=sas if rng.random() < 0.2 else frailty,
                    category="residential",
                    contract_type="framework",
                    procurement_route="Residential framework 2018",
                    start_date=date(2018, 4, 1),
                    end_date=_day(rng, date(2018, 6, 1), date(2018, 11, 30)) if closed else date(2021, 3, 31),
                    extension_months=[] if closed else [12],
                    annual_value=value,
                    has_kpis=True,
                    # The seed year's typed performance is gone (demo.returns grades contracts); the draw stays so
                    # that the seeded sequence, and every figure generated after it, is unchanged.
                    corrective_measures="" if rng.choice(["good", "good", "good", "average"]) else "",
                    payment_terms="mixed",
                    payment_terms_note="2 weeks advance, 2 weeks arrears",
                    payment_frequency="four_weekly",
                    payment_basis="performance_driven",
                    volume_sensitive="yes",
                    status="terminated" if closed else "live",
                ),
                [home],
            )
        for i, home in enumerate(self.out_county_homes):
            start = _six_months_or_before(
                _day(rng, date(2014, 6, 1), date(2018, 12, 31)), within=i < DOCUMENTS_SIX_MONTHS["out_of_county"]
            )
            add(
                self._contract(
                    "OOC",
                    f"Out of county placement agreement – {home.name}",
                    home.provider,
                    directorate=d["ACCW"],
                    strategy=sas if rng.random() < 0.6 else frailty,
                    category="residential",
                    contract_type="spot",
                    start_date=start,
                    end_date=date(2021, 3, 31),
                    annual_value=Decimal(rng.randint(32, 95) * 1000),
                    has_kpis=False,
                    payment_terms="arrears",
                    payment_frequency="four_weekly",
                    volume_sensitive="yes",
                ),
                [home],
            )
        open_homes = [h for h in self.in_county_homes if h not in self.closed_homes]
        block_providers = rng.sample(sorted({h.provider_id for h in open_homes}), 24)
        block_homes = [next(h for h in open_homes if h.provider_id == pid) for pid in block_providers]
        block_homes += rng.sample(
            [h for h in open_homes if h not in block_homes and h.provider_id in block_providers], 2
        )
        for i, home in enumerate(block_homes):
            start = date(2016, 8, 8) if i < 13 else date(2017, 8, 8)
            add(
                self._contract(
                    "TCB",
                    f"Transitional care block beds – {home.name}",
                    home.provider,
                    directorate=d["ACCW"],
                    strategy=frailty,
                    category="residential",
                    contract_type="block",
                    procurement_route=f"Step up/step down round {1 if i < 13 else 2}",
                    start_date=start,
                    end_date=start.replace(year=start.year + 3) - timedelta(days=1),
                    extension_months=[12, 12],
                    annual_value=Decimal(rng.randint(90, 160) * 1000),
                    has_kpis=False,
                    volume_sensitive="yes",
                ),
                [home],
            )

    def _community_contracts(self, add) -> None:
        """Community based: home care zones, supported living and day care settings."""
        rng = self.rng
        d = self.directorates
        sas = self.strategies["Specialist Adult Services"]
        frailty = self.strategies["Adult Frailty and Long Term Conditions"]
        # Community based: 12 home care zones, 183 supported living settings, 51 + 13 day care settings.
        hc = self.homecare  # Libertas (0) runs Louth and Gainsborough; Fosse (1) and Atlas (2) won zones 9 and 12.
        zone_providers = [hc[3], hc[4], hc[0], hc[0], hc[5], hc[6], hc[7], hc[2], hc[1], hc[3], hc[4], hc[2]]
        for i, zone in enumerate(HOMECARE_ZONES):
            if zone.startswith(("Zone 9", "Zone 12")):
                old = self.operators[i]
                add(
                    self._contract(
                        "HC",
                        f"Home care – {zone} (2015 contract)",
                        old,
                        directorate=d["ACCW"],
                        strategy=frailty,
                        category="community",
                        contract_type="framework",
                        start_date=date(2015, 9, 26),
                        end_date=date(2018, 9, 30),
                        annual_value=Decimal("2300000"),
                        payment_basis="performance_driven",
                        volume_sensitive="yes",
                        status="expired",
                    )
                )
                provider = self.homecare[1] if zone.startswith("Zone 9") else self.homecare[2]
                start, end, ext = date(2018, 10, 1), date(2020, 9, 30), [12]
            else:
                provider = zone_providers[i]
                start, end, ext = date(2015, 9, 26), date(2020, 9, 30), [12]
            add(
                self._contract(
                    "HC",
                    f"Home care – {zone}",
                    provider,
                    directorate=d["ACCW"],
                    strategy=frailty,
                    category="community",
                    contract_type="framework",
                    start_date=start,
                    end_date=end,
                    extension_months=ext,
                    annual_value=Decimal(rng.randint(1800, 3200) * 1000),
                    payment_basis="performance_driven",
                    volume_sensitive="yes",
                ),
                [self.homecare_offices[self.homecare.index(provider)]],
            )
        for i, setting in enumerate(self.csl_settings):
            add(
                self._contract(
                    "CSL",
                    f"Community supported living – {setting.name}",
                    setting.provider,
                    directorate=d["ACCW"],
                    strategy=sas,
                    category="community",
                    contract_type="open_select_list",
                    start_date=_six_months_or_before(
                        _day(rng, date(2015, 10, 1), date(2019, 2, 28)), within=i < CSL_SIX_MONTHS
                    ),
                    end_date=date(2020, 9, 30),
                    annual_value=Decimal(rng.randint(60, 400) * 1000),
                    volume_sensitive="yes",
                ),
                [setting],
            )
        for setting in self.day_settings:
            add(
                self._contract(
                    "DC",
                    f"Buildings based day care – {setting.name}",
                    setting.provider,
                    directorate=d["ACCW"],
                    strategy=sas if rng.random() < 0.5 else frailty,
                    category="community",
                    contract_type="framework",
                    start_date=date(2018, 11, 15),
                    end_date=date(2022, 11, 14),
                    extension_months=[12],
                    annual_value=Decimal(rng.randint(20, 120) * 1000),
                ),
                [setting],
            )
        for setting in self.internal_day:
            add(
                self._contract(
                    "IDC",
                    f"In-house day service – {setting.name}",
                    None,
                    directorate=d["ACCW"],
                    strategy=sas,
                    category="community",
                    contract_type="in_house",
                    provider_summary="LCC in-house day services",
                    start_date=date(2018, 4, 1),
                    end_date=date(2019, 3, 31),
                    annual_value=Decimal(rng.randint(150, 400) * 1000),
                    payment_terms="n/a",
                    payment_frequency="n/a",
                    payment_basis="n/a",
                ),
                [setting],
            )

    def _prevention_contracts(self, add) -> None:
        """Clinical and community prevention: services, GP, emergency contraception, pharmacy."""
        rng = self.rng
        d = self.directorates
        wellbeing = self.strategies["Community Wellbeing"]
        # Clinical and community prevention: 9 services, 178 GP contracts, 6 emergency contraception, 76 pharmacy.
        lchs = self.key_providers["Lincolnshire Community Health Services NHS Trust"]
        lpft = self.key_providers["Lincolnshire Partnership NHS Foundation Trust"]
        addaction = self.key_providers["Addaction"]
        for title, provider, value in [
            ("Long acting reversible contraception – community clinics", lchs, 420),
            ("Prescribing Medicines Optimisation Service", lchs, 310),
            ("Seasonal influenza vaccination for community care staff", self.pharmacies[0], 90),
            ("Pause pilot – Gainsborough", self.multi[0], 180),
            ("WellFamily pilot – Gainsborough", self.multi[0], 150),
            ("Young people's substance misuse service", addaction, 640),
            ("Oral health promotion", lchs, 120),
            ("Mental health and wellbeing promotion", lpft, 220),
            ("NHS Health Check audit and quality assurance", self.multi[1], 60),
        ]:
            add(
                self._contract(
                    "CCP",
                    title,
                    provider,
                    directorate=d["PH"],
                    strategy=wellbeing,
                    category="clinical_prevention",
                    contract_type="block",
                    start_date=date(2017, 4, 1),
                    end_date=date(2020, 3, 31),
                    extension_months=[12],
                    annual_value=Decimal(value * 1000),
                )
            )
        for gp in self.gps:
            for service in ("NHS Health Checks", "Long acting reversible contraception"):
                add(
                    self._contract(
                        "GP",
                        f"{service} – {gp.name}",
                        gp,
                        directorate=d["PH"],
                        strategy=wellbeing,
                        category="clinical_prevention",
                        contract_type="call_off",
                        start_date=date(2018, 4, 1),
                        end_date=date(2021, 3, 31),
                        extension_months=[12],
                        annual_value=Decimal(rng.randint(3, 18) * 1000),
                        payment_frequency="quarterly",
                        payment_basis="performance_driven",
                        volume_sensitive="yes",
                    )
                )
        for i in range(6):
            add(
                self._contract(
                    "EC",
                    f"Emergency contraception – pharmacy group {i + 1}",
                    self.pharmacies[i + 1],
                    directorate=d["PH"],
                    strategy=wellbeing,
                    category="clinical_prevention",
                    contract_type="call_off",
                    start_date=date(2019, 4, 1),
                    end_date=date(2022, 3, 31),
                    annual_value=Decimal(rng.randint(10, 40) * 1000),
                    status="pipeline",
                )
            )
        for pharmacy in self.pharmacies[6:]:
            add(
                self._contract(
                    "PHX",
                    f"Supervised consumption and needle exchange – {pharmacy.name}",
                    pharmacy,
                    directorate=d["PH"],
                    strategy=wellbeing,
                    category="clinical_prevention",
                    contract_type="call_off",
                    start_date=date(2017, 4, 1),
                    end_date=date(2020, 3, 31),
                    annual_value=Decimal(rng.randint(2, 12) * 1000),
                    payment_frequency="quarterly",
                )
            )

    def _current_contracts(self, add) -> None:
        """Contracts of the 2020s, so that "needs a decision" has entries around today."""
        d = self.directorates
        sas = self.strategies["Specialist Adult Services"]
        frailty = self.strategies["Adult Frailty and Long Term Conditions"]
        wellbeing = self.strategies["Community Wellbeing"]
        protection = self.strategies["Public Protection"]
        lchs = self.key_providers["Lincolnshire Community Health Services NHS Trust"]
        lpft = self.key_providers["Lincolnshire Partnership NHS Foundation Trust"]
        addaction = self.key_providers["Addaction"]
        # Current contracts (2020s) so that "needs a decision" has entries around today (November 2026).
        current = [
            (
                "ACCW",
                frailty,
                "Home care – countywide (2021 contract)",
                self.homecare[0],
                date(2021, 10, 1),
                date(2026, 12, 31),
                [12],
                "",
                31000,
            ),
            (
                "ACCW",
                frailty,
                "Home based reablement (2020 contract)",
                self.homecare[0],
                date(2020, 11, 3),
                date(2027, 3, 31),
                [12],
                "",
                5600,
            ),
            (
                "ACCW",
                sas,
                "Community supported living framework (2021)",
                self.csl[0],
                date(2021, 10, 1),
                date(2027, 3, 31),
                [12, 12],
                "",
                26000,
            ),
            ("ACCW", sas, "Shared lives service", self.multi[0], date(2019, 4, 1), date(2027, 3, 31), [], "", 700),
            (
                "ACCW",
                frailty,
                "Residential and nursing framework (2024)",
                self.operators[0],
                date(2024, 4, 1),
                date(2027, 3, 31),
                [12],
                "extend",
                99000,
            ),
            (
                "ACCW",
                frailty,
                "Dementia family support service (2022)",
                self.key_providers["Alzheimer's Society"],
                date(2022, 10, 1),
                date(2027, 9, 30),
                [12],
                "",
                1150,
            ),
            (
                "ACCW",
                self.strategies["Carers"],
                "Lincolnshire carers service (2021)",
                self.key_providers["Carers FIRST"],
                date(2021, 6, 1),
                date(2027, 5, 31),
                [12],
                "",
                2300,
            ),
            (
                "ACCW",
                frailty,
                "Sensory impairment services (2021)",
                self.key_providers["Action for Hearing Loss"],
                date(2021, 4, 1),
                date(2027, 3, 31),
                [12],
                "reprocure",
                1100,
            ),
            (
                "PH",
                wellbeing,
                "Integrated lifestyle service",
                self.multi[1],
                date(2019, 7, 1),
                date(2027, 6, 30),
                [12],
                "",
                2750,
            ),
            (
                "PH",
                wellbeing,
                "Integrated sexual health service (2021)",
                lchs,
                date(2021, 4, 1),
                date(2027, 3, 31),
                [12, 12],
                "",
                5900,
            ),
            (
                "PH",
                wellbeing,
                "Community alcohol and drug treatment (2021)",
                addaction,
                date(2021, 10, 1),
                date(2027, 9, 30),
                [24],
                "",
                6400,
            ),
            (
                "PH",
                wellbeing,
                "Integrated community equipment service (2021)",
                self.key_providers["NRS Healthcare"],
                date(2021, 4, 1),
                date(2028, 3, 31),
                [],
                "",
                6100,
            ),
            (
                "PH",
                wellbeing,
                "Housing related support (2020)",
                self.csl[3],
                date(2020, 7, 1),
                date(2027, 6, 30),
                [12],
                "",
                4600,
            ),
            (
                "PH",
                wellbeing,
                "Wellbeing service (2018)",
                self.key_providers["North Kesteven District Council"],
                date(2018, 4, 1),
                date(2027, 3, 31),
                [],
                "",
                2900,
            ),
            (
                "CS",
                None,
                "0-19 children's health service",
                lchs,
                date(2020, 4, 1),
                date(2027, 3, 31),
                [12, 12],
                "",
                9800,
            ),
            (
                "CS",
                None,
                "Short breaks for disabled children",
                self.multi[0],
                date(2022, 4, 1),
                date(2027, 3, 31),
                [12],
                "",
                1400,
            ),
            (
                "CS",
                None,
                "Supported accommodation for care leavers",
                self.multi[1],
                date(2022, 10, 1),
                date(2027, 9, 30),
                [12],
                "",
                1250,
            ),
            (
                "CS",
                None,
                "Young carers support",
                self.key_providers["Carers FIRST"],
                date(2021, 4, 1),
                date(2027, 3, 31),
                [12],
                "",
                450,
            ),
            (
                "CS",
                protection,
                "Appropriate adult service (2021)",
                self.key_providers["The Appropriate Adult Service"],
                date(2021, 4, 1),
                date(2026, 12, 31),
                [12],
                "",
                300,
            ),
            (
                "PP",
                protection,
                "Domestic abuse outreach services (2022)",
                self.key_providers["West Lindsey Domestic Abuse Service"],
                date(2022, 4, 1),
                date(2027, 3, 31),
                [12],
                "",
                950,
            ),
            (
                "PP",
                protection,
                "Independent domestic violence advisers (2022)",
                self.multi[0],
                date(2022, 4, 1),
                date(2027, 3, 31),
                [12],
                "",
                560,
            ),
            (
                "PP",
                protection,
                "Mortuary, post mortem and body removal (2023)",
                self.key_providers["Empath Pathology Services"],
                date(2023, 4, 1),
                date(2027, 3, 31),
                [12],
                "",
                780,
            ),
            (
                "PH",
                wellbeing,
                "Young people's substance misuse service (2022)",
                addaction,
                date(2022, 4, 1),
                date(2028, 3, 31),
                [12],
                "",
                700,
            ),
            (
                "ACCW",
                sas,
                "Mental health section 75 agreement (2021)",
                lpft,
                date(2021, 4, 1),
                date(2027, 3, 31),
                [12, 12],
                "",
                13100,
            ),
        ]
        for code, strategy, title, provider, start, end, ext, decision, thousands in current:
            add(
                self._contract(
                    "CUR",
                    title,
                    provider,
                    directorate=d[code],
                    strategy=strategy,
                    category="strategic" if thousands >= 1000 else "community",
                    contract_type="block",
                    start_date=start,
                    end_date=end,
                    extension_months=ext,
                    annual_value=Decimal(thousands * 1000),
                    total_value=Decimal(thousands * 1000) * ((end - start).days // 365 + 1),
                    has_kpis=True,
                    reprocurement_decision=decision,
                    reprocurement_decided_on=date(2026, 6, 9) if decision else None,
                )
            )

    # --- contract management activity ---------------------------------------------------------------------
    def _places(self):
        """Where officers go: care homes weigh most, high and medium risk providers get more attention."""
        weights = {"low": 1, "medium": 2, "high": 4}
        places, w = [], []
        for loc in self.homes + self.homecare_offices + self.csl_settings + self.day_settings:
            level = self.final_level.get(id(self._provider_of(loc)), "low")
            places.append(loc)
            w.append(weights[level] * (3 if loc.is_care_home else 1))
        return places, w

    def _provider_of(self, location):
        return self.provider_by_pk[location.provider_id]

    def build_activity(self):
        rng = self.rng
        self.provider_by_pk = {p.pk: p for p in self.risk_providers + [self.in_house]}
        places, weights = self._places()
        visits = []
        for year, count in ((2018, FIGURES["visits_2018"]), (2017, FIGURES["visits_2017"])):
            start, end = date(year, 4, 1), date(year + 1, 3, 31)
            for loc in rng.choices(places, weights=weights, k=count):
                draw = rng.random()
                kind = "planned" if draw < 0.62 else "unannounced" if draw < 0.85 else "reactive"
                contract = self.contract_for_location.get(loc.pk)
                visits.append(
                    VisitEntry(
                        provider=loc.provider,
                        location=loc,
                        contract=contract,
                        visited_on=_day(rng, start, end),
                        kind=kind,
                        officer=rng.choice(self.officers),
                        findings=rng.choice(VISIT_FINDINGS),
                        environment="poor" if rng.random() < 0.04 else rng.choice(["good", "good", "adequate"]),
                        complaints_feedback="high" if rng.random() < 0.02 else rng.choice(["none", "low", "low"]),
                    )
                )
        visits_record_many(visits=visits, by=None)

        concerns = []
        summaries, outcomes = CONCERN_SUMMARIES, CONCERN_OUTCOMES
        counts = dict(FIGURES["concerns_2018"], complaint=COMPLAINTS_A_YEAR)
        for kind, count in counts.items():
            for loc in rng.choices(places, weights=weights, k=count):
                raised = _day(rng, date(2018, 4, 1), date(2019, 3, 31))
                is_open = raised > date(2019, 2, 15) and rng.random() < 0.3
                concerns.append(
                    ConcernEntry(
                        provider=loc.provider,
                        location=loc,
                        contract=self.contract_for_location.get(loc.pk),
                        kind=kind,
                        raised_on=raised,
                        severity=rng.choices(["low", "medium", "high", "critical"], weights=[35, 45, 17, 3])[0],
                        summary=rng.choice(summaries[kind]),
                        closed_on=None if is_open else raised + timedelta(days=rng.randint(3, 60)),
                        outcome="" if is_open else rng.choice(outcomes),
                        recorded_by=rng.choice(self.officers),
                    )
                )
        concerns_record_many(concerns=concerns, by=None)

        risky_homes = [h for h in self.homes if self.final_level.get(id(self._provider_of(h))) in ("medium", "high")]
        sanctions = []
        for kind, count, reason in (
            (
                "default_notice",
                FIGURES["default_notices_2018"],
                "Failure to complete the agreed action plan within the contract's timescales.",
            ),
            (
                "suspension",
                FIGURES["suspensions_2018"],
                "Serious safeguarding and quality concerns: new admissions suspended until improvements are evidenced.",
            ),
        ):
            for i, home in enumerate(rng.sample(risky_homes, count)):
                issued = _day(rng, date(2018, 4, 10), date(2019, 3, 20))
                lifted = None if kind == "suspension" and i < 2 else issued + timedelta(days=rng.randint(28, 120))
                sanctions.append(
                    SanctionEntry(
                        provider=home.provider,
                        location=home,
                        contract=self.contract_for_location.get(home.pk),
                        kind=kind,
                        issued_on=issued,
                        lifted_on=lifted if kind == "suspension" else None,
                        reason=reason,
                        issued_by=rng.choice(self.officers),
                    )
                )
        sanctions_record_many(sanctions=sanctions, by=None)
        self._action_plans()

    def _action_plans(self):
        rng = self.rng
        plans = []
        homes_by_provider = {}
        for loc in self.homes + self.homecare_offices + self.csl_settings + self.day_settings:
            homes_by_provider.setdefault(loc.provider_id, loc)
        year_end = date(2019, 3, 31)
        for p in self.risk_providers:
            level = self.final_level.get(id(p))
            if level == "low" and rng.random() > 0.2:
                continue
            loc = homes_by_provider.get(p.pk)
            agreed = _day(rng, date(2018, 5, 1), date(2019, 3, 1))
            is_open = level == "high" or (level == "medium" and rng.random() < 0.5)
            if not is_open:
                # A complete plan was once given a completion date of its own; it is now its last action's, as
                # the rule has it. The draw stays so that every record drawn after it is as it was.
                rng.randint(30, 90)
            actions = []
            for j, text in enumerate(
                rng.sample(
                    [
                        "Review and update all care plans",
                        "Complete medication competency checks for all staff",
                        "Recruit a permanent registered manager",
                        "Deliver safeguarding refresher training",
                        "Introduce a daily activities programme",
                        "Audit falls and pressure care monthly",
                    ],
                    rng.randint(2, 4),
                )
            ):
                due = agreed + timedelta(days=30 * (j + 1))
                done = None if is_open and j >= 1 else min(due - timedelta(days=rng.randint(0, 10)), year_end)
                actions.append(
                    PlanActionEntry(description=text, owner="Registered manager", due_on=due, completed_on=done)
                )
            steps = []
            if is_open and (year_end - agreed).days > 91:
                ladder = ["reminder", "meeting", "senior_meeting"]
                for k, step in enumerate(ladder[: rng.randint(1, 3)]):
                    steps.append(
                        EscalationEntry(
                            step=step,
                            taken_on=agreed + timedelta(days=95 + 14 * k),
                            note="Actions not completed within three months.",
                            taken_by=rng.choice(self.officers),
                        )
                    )
            plans.append(
                ActionPlanEntry(
                    provider=p,
                    location=loc,
                    contract=self.contract_for_location.get(loc.pk) if loc else None,
                    title=f"Quality improvement plan – {loc.name if loc else p.name}",
                    agreed_on=agreed,
                    actions=actions,
                    escalation_steps=steps,
                )
            )
        action_plans_create_many(plans=plans, by=None)

    # --- documents processed in the last six months of 2018/19 ---------------------------------------------
    def _grant_agreements(self, add) -> None:
        """The twelve grant agreements of the six months: small grants to voluntary groups for carers' and
        community wellbeing activity (no random draws, so the records drawn after them are as they were)."""
        d = self.directorates
        first, last = SIX_MONTHS
        groups = self.multi + [p for p in self.day_care if p.is_vcse]
        for i in range(DOCUMENTS_SIX_MONTHS["grants"]):
            start = first + timedelta(days=(i * 15) % ((last - first).days + 1))
            carers = i % 3 == 0
            group = groups[i % len(groups)]
            fields = self._contract(
                "GRT",
                f"{'Carers support' if carers else 'Community wellbeing'} grant {i + 1} – {group.name}",
                group,
                directorate=d["ACCW"] if carers else d["PH"],
                strategy=self.strategies["Carers" if carers else "Community Wellbeing"],
                category="community",
                contract_type="grant",
                start_date=start,
                end_date=start + relativedelta(years=1, days=-1),
                annual_value=Decimal(15000 + 2500 * (i % 7)),
                total_value=Decimal(15000 + 2500 * (i % 7)),
                payment_terms="advance",
                payment_frequency="quarterly",
            )
            fields["regime"] = Contract.Regime.GRANT
            add(fields)

    # --- today's register: the 2018/19 contracts' services continued -------------------------------------------
    def build_successors(self) -> None:
        """The services the 2018/19 contracts bought, continued through successor contracts to today (the demo
        clock rule: the old contracts end as their terms say, ``demo.procurement_act`` records each end), so that
        today's register holds the individual homes, settings, practices and pharmacies, and today's visits name
        their contract (``SUCCESSION``). Each successor names the contract it replaced (``predecessor``) and has
        its manager and backup (``demo.managers``). Call-offs under a framework or an agreement are recorded as
        its parts (``contract_record_parts``), so totals count each value once and the framework's return covers
        them (``oversight.returns.managed_contracts``). Only services still running today continue: not the homes
        that closed, nor providers that left the market. A random sequence of its own, so every figure drawn
        before is as it was."""
        rng = random.Random("successors")  # noqa: S311 - demo data, fixed seed for repeatable figures
        users = self.users
        current = {
            c.title: c for c in Contract.objects.filter(reference__startswith="CUR-").select_related("directorate")
        }
        new: list[dict[str, Any]] = []
        summary_of: dict[str, str] = {}  # successor reference -> the title of the contract it is part of
        for rule in SUCCESSION:
            summary_title = rule.part_of
            if rule.agreement is not None:
                summary_title = rule.agreement["title"]
            olds = list(
                Contract.objects.filter(reference__startswith=f"{rule.prefix}-", status__in=["live", "expired"])
                .filter(lead_provider__exited_on__isnull=True, lead_provider__status=Provider.Status.ACTIVE)
                .exclude(locations__status=Location.Status.CLOSED)
                .select_related("directorate", "strategy")
                .prefetch_related("locations")
                .order_by("reference")
            )
            olds = [c for c in olds if rng.random() < rule.share]
            uplift = rule.uplift
            if rule.part_of and olds:
                # A framework's value is its call-offs' together: theirs are scaled to it, so totals are unchanged.
                uplift = current[rule.part_of].annual_value / sum(old.annual_value for old in olds)
            agreement_rows = []
            for old in olds:
                start = rule.start or (old.end_date + timedelta(days=1))
                manager, backup = manager_names(
                    directorate_code=old.directorate.code, strategy_name=old.strategy.name if old.strategy else ""
                )
                annual = (old.annual_value * uplift).quantize(Decimal(1000))
                fields = self._contract(
                    rule.new_prefix,
                    f"{rule.title(old.title)}",
                    old.lead_provider,
                    directorate=old.directorate,
                    strategy=old.strategy,
                    category=old.category,
                    contract_type=rule.contract_type or old.contract_type,
                    procurement_route=rule.route,
                    start_date=start,
                    end_date=rule.end,
                    extension_months=list(rule.extension_months),
                    annual_value=annual,
                    total_value=estimated_value(annual=annual, start=start, end=rule.end, extension_months=[]),
                    has_kpis=old.has_kpis,
                    payment_terms=old.payment_terms,
                    payment_frequency=old.payment_frequency,
                    payment_basis=old.payment_basis,
                    volume_sensitive=old.volume_sensitive,
                    predecessor=old,
                    contract_manager=users[manager],
                    backup_manager=users[backup],
                    status="live",
                    locations=list(old.locations.all()),
                )
                new.append(fields)
                agreement_rows.append(fields)
                if summary_title:
                    summary_of[fields["reference"]] = summary_title
            if rule.agreement is not None and agreement_rows:
                agreement = dict(rule.agreement)
                code = agreement.pop("directorate")
                strategy = self.strategies[agreement.pop("strategy")]
                annual = sum((row["annual_value"] for row in agreement_rows), Decimal(0))
                manager, backup = manager_names(directorate_code=code, strategy_name=strategy.name)
                new.append(
                    self._contract(
                        "CUR",
                        agreement.pop("title"),
                        None,
                        directorate=self.directorates[code],
                        strategy=strategy,
                        annual_value=annual,
                        total_value=estimated_value(
                            annual=annual, start=agreement["start_date"], end=agreement["end_date"], extension_months=[]
                        ),
                        contract_manager=users[manager],
                        backup_manager=users[backup],
                        status="live",
                        has_kpis=True,
                        **agreement,
                    )
                )
        links = [(fields, loc) for fields in new for loc in fields.pop("locations", [])]
        for fields, loc in links:
            fields.setdefault("locations", []).append(loc)
        imported = contracts_import(new=new, updates=[], by=None)
        if imported.problems:
            raise refuse_rows("contracts", imported.problems)
        saved = Contract.objects.in_bulk(imported.created, field_name="reference")
        by_title = {c.title: c for c in saved.values()}
        parts: dict[str, list[Contract]] = {}
        for reference, title in summary_of.items():
            parts.setdefault(title, []).append(saved[reference])
        for title, rows in parts.items():
            summary = by_title.get(title) or current[title]
            contract_record_parts(summary=summary, parts=rows, by=None)

    def build_documents(self) -> None:
        """Seed 001's variations and novations of the last six months: a GDPR variation of each contract live
        through them until the seed's 330 variations and extensions are reached (the seed says every contract
        needed one), and pharmacy contracts novated to the pharmacies that bought the business, until its four
        novations are; each recorded through ``contract_record_change`` on the day it took effect."""
        from contracts.models import ContractChange
        from contracts.services import contract_record_change

        from .seed import on

        first, last = SIX_MONTHS
        in_window = ContractChange.objects.filter(effective_on__range=SIX_MONTHS)
        variations = DOCUMENTS_SIX_MONTHS["variations"] - in_window.exclude(kind=ContractChange.Kind.NOVATION).count()
        novations = DOCUMENTS_SIX_MONTHS["novations"] - in_window.filter(kind=ContractChange.Kind.NOVATION).count()
        changed = set(ContractChange.objects.values_list("contract_id", flat=True))
        through = [
            c
            for c in self.contracts
            if c.status == Contract.Status.LIVE
            and c.start_date < first
            and c.end_date > last
            and c.pk not in changed
            and c.contract_type != Contract.ContractType.IN_HOUSE
        ]
        pharmacies = [c for c in through if c.reference.startswith("PHX-")]
        novated = pharmacies[:novations]
        varied = [c for c in through if c not in novated][:variations]
        days = (last - first).days + 1
        planned = [(first + timedelta(days=(i * 7) % days), "variation", c, None) for i, c in enumerate(varied)]
        buyer = self.pharmacies[1]
        planned += [(first + timedelta(days=40 + 30 * i), "novation", c, buyer) for i, c in enumerate(novated)]
        by_day: dict[date, list[tuple[str, Contract, Provider | None]]] = {}
        for day, kind, contract, to_provider in sorted(planned, key=lambda row: (row[0], row[2].reference)):
            by_day.setdefault(day, []).append((kind, contract, to_provider))
        for day, changes in by_day.items():
            with on(day):  # the clock moved once a day: the history is dated the day each change took effect
                for kind, contract, to_provider in changes:
                    contract_record_change(
                        contract=contract,
                        by=self.administrator,
                        kind=kind,
                        effective_on=day,
                        description=(
                            "GDPR variation: data protection and processing clauses updated for the General Data "
                            "Protection Regulation and the Data Protection Act 2018."
                            if kind == "variation"
                            else f"The pharmacy business was sold to {buyer.name}; the contract is novated to it."
                        ),
                        to_provider=to_provider,
                    )

    def build(self):
        self.build_providers()
        self.build_locations()
        self.build_ratings()
        self.build_risk()
        self.build_contracts()
        self.build_activity()
        self.build_documents()
        self.build_successors()


def build_volume(**kwargs) -> bool:
    """Generate the volume once; a second run finds the residential contracts and leaves everything as it is."""
    if Contract.objects.filter(reference__startswith="RES-").exists():
        return False
    Volume(**kwargs).build()
    return True


# --- The demo clock: contract management activity in the 13 months up to the day the demo is loaded ---------------


def _month_count(rng: random.Random, per_year: int, first: date, today: date) -> int:
    """About a twelfth of ``per_year`` for a whole month (give or take a tenth), pro rata for the month ``today``
    is in (at least one, so every month of the window has some)."""
    count = per_year / 12 * rng.uniform(0.9, 1.1)
    if first.year == today.year and first.month == today.month:
        count *= today.day / monthrange(today.year, today.month)[1]
    return max(1, round(count))


def _in_month(rng: random.Random, first: date, today: date) -> date:
    last = min(date(first.year, first.month, monthrange(first.year, first.month)[1]), today)
    return _day(rng, first, last)


def build_recent_activity(users) -> bool:
    """Visits, concerns and sanctions in every month from ``clock.recent_start()`` to ``clock.load_day()``, at the
    seed's 2018/19 rates (1,331 visits a year; concerns by kind as the seed counts them; 16 default notices and
    10 suspensions a year), through the same bulk services as the 2018/19 volume, at the services still open
    today, weighted as officers weigh them (care homes and high-risk providers get more attention). Each is
    under the contract the location has today, if any. Built once: a second run finds the window's visits."""
    from oversight.models import Visit

    from . import clock

    today, first = clock.load_day(), clock.recent_start()
    if Visit.objects.filter(visited_on__gte=first).exists():
        return False
    rng = random.Random(today.toordinal())  # noqa: S311 - demo data: repeatable for the day it is loaded
    officers = [user for name, user in users.items() if name.startswith("officer")]
    levels = {p.pk: p.current_risk_level for p in Provider.objects.with_current_risk()}
    open_now = (
        Location.objects.filter(
            provider__status=Provider.Status.ACTIVE,
            setting_type__in=[
                Location.SettingType.CARE_HOME,
                Location.SettingType.CARE_HOME_NURSING,
                Location.SettingType.HOMECARE,
                Location.SettingType.SUPPORTED_LIVING,
                Location.SettingType.DAY_SERVICE,
            ],
        )
        .exclude(status=Location.Status.CLOSED)
        .exclude(contracts__status=Contract.Status.TERMINATED)  # the homes that closed
        .exclude(provider__name__contains="In-house")
        .select_related("provider")
        .order_by("pk")
    )
    places = list(open_now)
    weights = [
        {"high": 4, "medium": 2}.get(levels.get(loc.provider_id) or "low", 1) * (3 if loc.is_care_home else 1)
        for loc in places
    ]
    live: dict[int, Contract] = {}
    for contract in Contract.objects.filter(status=Contract.Status.LIVE, locations__isnull=False).prefetch_related(
        "locations"
    ):
        for loc in contract.locations.all():
            if contract.lead_provider_id == loc.provider_id:
                live.setdefault(loc.pk, contract)
    visits: list[VisitEntry] = []
    concerns: list[ConcernEntry] = []
    sanctions: list[SanctionEntry] = []
    rates = {**cast(dict[str, int], FIGURES["concerns_2018"]), "complaint": COMPLAINTS_A_YEAR}
    visits_a_year = cast(int, FIGURES["visits_2018"])
    risky = [loc for loc in places if loc.is_care_home and levels.get(loc.provider_id) in ("medium", "high")]
    for month in clock.recent_month_starts(today):
        for loc in rng.choices(places, weights=weights, k=_month_count(rng, visits_a_year, month, today)):
            draw = rng.random()
            visits.append(
                VisitEntry(
                    provider=loc.provider,
                    location=loc,
                    contract=live.get(loc.pk),
                    visited_on=_in_month(rng, month, today),
                    kind="planned" if draw < 0.62 else "unannounced" if draw < 0.85 else "reactive",
                    officer=rng.choice(officers),
                    findings=rng.choice(VISIT_FINDINGS),
                    environment="poor" if rng.random() < 0.04 else rng.choice(["good", "good", "adequate"]),
                    complaints_feedback="high" if rng.random() < 0.02 else rng.choice(["none", "low", "low"]),
                )
            )
        for kind, per_year in rates.items():
            for loc in rng.choices(places, weights=weights, k=_month_count(rng, per_year, month, today)):
                raised = _in_month(rng, month, today)
                closed = raised + timedelta(days=rng.randint(3, 60))
                is_open = closed > today or ((today - raised).days < 45 and rng.random() < 0.3)
                concerns.append(
                    ConcernEntry(
                        provider=loc.provider,
                        location=loc,
                        contract=live.get(loc.pk),
                        kind=kind,
                        raised_on=raised,
                        severity=rng.choices(["low", "medium", "high", "critical"], weights=[35, 45, 17, 3])[0],
                        summary=rng.choice(CONCERN_SUMMARIES[kind]),
                        closed_on=None if is_open else closed,
                        outcome="" if is_open else rng.choice(CONCERN_OUTCOMES),
                        recorded_by=rng.choice(officers),
                    )
                )
    sanction_rates: list[tuple[str, object, str]] = [
        (
            "default_notice",
            FIGURES["default_notices_2018"],
            "Failure to complete the agreed action plan within the contract's timescales.",
        ),
        (
            "suspension",
            FIGURES["suspensions_2018"],
            "Serious safeguarding and quality concerns: new admissions suspended until improvements are evidenced.",
        ),
    ]
    for kind, a_year, reason in sanction_rates:
        count = round(cast(int, a_year) * len(clock.recent_month_starts(today)) / 12)
        for home in rng.sample(risky, min(count, len(risky))):
            issued = _day(rng, first, today)
            lifted = issued + timedelta(days=rng.randint(28, 120))
            sanctions.append(
                SanctionEntry(
                    provider=home.provider,
                    location=home,
                    contract=live.get(home.pk),
                    kind=kind,
                    issued_on=issued,
                    lifted_on=(lifted if lifted <= today else None) if kind == "suspension" else None,
                    reason=reason,
                    issued_by=rng.choice(officers),
                )
            )
    visits_record_many(visits=visits, by=None)
    concerns_record_many(concerns=concerns, by=None)
    sanctions_record_many(sanctions=sanctions, by=None)
    return True
