"""Who manages the demo's live contracts: a named contract manager and a backup on every one (issue 14)."""

# (contract manager, backup) by directorate code; Specialist Adult Services' contracts and the Act contract have
# their own pairs.
MANAGERS = {
    "ACCW": ("officer.shaw", "officer.lee"),
    "PH": ("officer.patel", "officer.lee"),
    "CS": ("officer.hughes", "officer.patel"),
    "PP": ("officer", "officer.hughes"),
    "COM": ("officer", "officer.ward"),
    "EH": ("officer.ward", "officer"),
}
SPECIALIST_MANAGERS = ("officer.hughes", "officer.ward")
ACT_MANAGERS = ("adultcare.begum", "adultcare.clarke")


def manager_names(*, directorate_code: str, strategy_name: str = "") -> tuple[str, str]:
    """The demo users who manage a contract of this directorate and strategy: (manager, backup)."""
    if strategy_name == "Specialist Adult Services":
        return SPECIALIST_MANAGERS
    return MANAGERS.get(directorate_code, MANAGERS["COM"])
