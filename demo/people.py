"""Directorates and demo users: one per role, the commissioning leads, councillors and contract officers."""

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group

from commissioning import roles
from commissioning.models import Directorate, User

from .util import upsert

DIRECTORATES = [
    # code, name, executive director (role title)
    ("ACCW", "Adult Care and Community Wellbeing", "Executive Director – Adult Care and Community Wellbeing"),
    ("CS", "Children's Services", "Executive Director – Children's Services"),
    ("PH", "Public Health", "Director of Public Health"),
    ("PP", "Public Protection", "Executive Director – Finance and Public Protection"),
    ("COM", "Commercial", "Executive Director – Commercial"),
]

# username, first, last, job title, directorate code, role, is_staff
ROLE_USERS = [
    ("commissioner", "Priya", "Marsh", "Commissioning Manager – Adult Care", "ACCW", roles.COMMISSIONER, False),
    (
        "officer",
        "Tom",
        "Hallam",
        "Senior Contract Officer – Residential Services",
        "COM",
        roles.CONTRACT_OFFICER,
        False,
    ),
    (
        "councillor",
        "Margaret",
        "Ellison",
        "Councillor, Adults and Community Wellbeing Scrutiny Committee",
        None,
        roles.SCRUTINY_MEMBER,
        False,
    ),
    ("admin", "Sam", "Ridley", "Systems Administrator – Commercial", "COM", roles.ADMINISTRATOR, True),
]

# Commissioning leads: the seed's Specialist Adult Services and Safeguarding Adults share a lead.
LEAD_USERS = [
    ("lead.sas", "Daniel", "Whitworth", "Head of Commissioning – Specialist Adult Services", "ACCW"),
    ("lead.carers", "Rachel", "Okafor", "Head of Commissioning – Carers", "ACCW"),
    ("lead.frailty", "Helen", "Brampton", "Head of Commissioning – Adult Frailty and Long Term Conditions", "ACCW"),
    ("lead.wellbeing", "Martin", "Achebe", "Director of Public Health", "PH"),
    ("lead.protection", "Claire", "Denholm", "County Officer – Public Protection", "PP"),
]

CONTRACT_OFFICERS = [
    ("officer.lee", "Jordan", "Lee", "Contract Officer – Community Based Services"),
    ("officer.patel", "Anita", "Patel", "Contract Officer – Clinical and Community Prevention Services"),
    ("officer.hughes", "Gareth", "Hughes", "Senior Contract Officer – Specialist Services"),
    ("officer.ward", "Lucy", "Ward", "Contract Officer – Residential Out of County"),
    ("officer.shaw", "Ben", "Shaw", "Senior Contract Officer – Older People and Physical Disabilities"),
]

# Contract officers in Adult Care and Community Wellbeing, who manage (and record the KPIs, assessments and
# notices of) the directorate's Procurement Act 2023 contract: username, first, last, job title.
ADULT_CARE_OFFICERS = [
    ("adultcare.begum", "Aisha", "Begum", "Contract Manager – Adult Care and Community Wellbeing"),
    ("adultcare.clarke", "Nathan", "Clarke", "Senior Contract Officer – Adult Care and Community Wellbeing"),
]

# username, first, last, committees (short keys)
COUNCILLORS = [
    ("councillor", None, None, ["acw", "osmb"]),
    ("cllr.barker", "Hugh", "Barker", ["acw"]),
    ("cllr.quinn", "Susan", "Quinn", ["acw", "osmb"]),
    ("cllr.farrow", "Colin", "Farrow", ["ppc"]),
    ("cllr.mistry", "Nisha", "Mistry", ["ppc", "osmb"]),
    ("cllr.tennant", "Robert", "Tennant", ["osmb"]),
]


def build_directorates() -> dict[str, Directorate]:
    return {
        code: upsert(Directorate, {"code": code}, {"name": name, "executive_director": director})
        for code, name, director in DIRECTORATES
    }


class Passwords:
    """One hash for every demo user: production hashers are deliberately slow, so hash and check once."""

    def __init__(self, raw: str):
        self.raw = raw
        self.checked: dict[str, bool] = {}
        self.encoded = ""

    def matches(self, encoded: str) -> bool:
        if encoded not in self.checked:
            self.checked[encoded] = bool(encoded) and check_password(self.raw, encoded)
        return self.checked[encoded]

    def hashed(self) -> str:
        if not self.encoded:
            self.encoded = make_password(self.raw)
            self.checked[self.encoded] = True
        return self.encoded


def _user(username, first, last, title, directorate, role, password: Passwords, is_staff=False) -> User:
    user = upsert(
        User,
        {"username": username},
        {
            "first_name": first,
            "last_name": last,
            "job_title": title,
            "email": f"{username}@lincolnshire.example",
            "directorate": directorate,
            "is_staff": is_staff,
            "is_active": True,
        },
    )
    # Re-hashing an unchanged password would change the stored hash (new salt): set it only when it differs.
    if not password.matches(user.password):
        user.password = password.hashed()
        user.save(update_fields=["password"])
    group = Group.objects.get(name=role)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
    return user


def build_users(directorates: dict[str, Directorate], raw_password: str) -> dict[str, User]:
    password = Passwords(raw_password)
    users = {}
    for username, first, last, title, code, role, is_staff in ROLE_USERS:
        directorate = directorates.get(code) if code else None
        users[username] = _user(username, first, last, title, directorate, role, password, is_staff)
    for username, first, last, title, code in LEAD_USERS:
        users[username] = _user(username, first, last, title, directorates[code], roles.COMMISSIONER, password)
    for username, first, last, title in CONTRACT_OFFICERS:
        users[username] = _user(username, first, last, title, directorates["COM"], roles.CONTRACT_OFFICER, password)
    for username, first, last, title in ADULT_CARE_OFFICERS:
        users[username] = _user(username, first, last, title, directorates["ACCW"], roles.CONTRACT_OFFICER, password)
    for username, first_name, last_name, _committees in COUNCILLORS:
        if username in users:
            continue
        users[username] = _user(username, first_name, last_name, "Councillor", None, roles.SCRUTINY_MEMBER, password)
    return users
