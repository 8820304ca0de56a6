"""The contracts app's relation to the people who manage them: a contract's named contract manager.

Registered with ``commissioning.permissions`` when the app is ready, so pages, the API and imports, which all
ask ``permissions.may`` through the services, give the same answer.
"""

from __future__ import annotations

from typing import Any

from commissioning import permissions

# What a named contract manager may do to the contract they manage, in any directorate.
MANAGER_MAY = ("contracts.change_contract", "contracts.add_contractchange")


def is_named_manager(user: Any, obj: Any) -> bool | None:
    """True for the contract's named manager (or that of a change's contract); no opinion otherwise."""
    contract = getattr(obj, "contract", obj)
    manager_id = getattr(contract, "contract_manager_id", None)
    if manager_id is not None and manager_id == getattr(user, "pk", None):
        return True
    return None


def register() -> None:
    permissions.add_relation_rule(MANAGER_MAY, is_named_manager)
