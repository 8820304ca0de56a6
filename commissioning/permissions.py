"""Who may do what: the one place that answers "may this user do this to this object".

Two things decide it, and nothing else:

- the **role groups** (``commissioning.roles``), which grant Django model permissions such as
  ``performance.change_measure``;
- the **relation** between the user and the object: a user tied to a directorate changes only that
  directorate's records, unless their role is council-wide. Objects say which directorate owns them
  through an ``owning_directorate_id`` attribute (a field or a property on the model), so the core
  needs to know nothing about the domain apps.

Further relations (committee membership, a named contract manager) are added to ``RELATION_RULES``:
a role added later needs no new mechanism, only a row there.

Pages, the API, the admin, imports, commands and tasks all ask here, through the services, so that
every path gives the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, TypeVar

from django.core.exceptions import PermissionDenied

from . import roles

F = TypeVar("F", bound=Callable[..., Any])


class OwnedByDirectorate(Protocol):
    """A record that belongs to one directorate (or to none: council-wide)."""

    @property
    def owning_directorate_id(self) -> int | None: ...


# Extra object rules, by permission: each answers True (allowed), False (refused) or None (no opinion).
# The directorate rule below applies unless a rule here has answered.
RELATION_RULES: dict[str, list[Callable[[Any, Any], bool | None]]] = {}


def add_relation_rule(perms: tuple[str, ...], rule: Callable[[Any, Any], bool | None]) -> None:
    """Let ``rule(user, obj)`` answer for ``perms`` before the directorate rule (an app registers its
    relations in ``AppConfig.ready``). Registering the same rule twice has no further effect."""
    for perm in perms:
        rules = RELATION_RULES.setdefault(perm, [])
        if rule not in rules:
            rules.append(rule)


def has_role(user: Any, *role_names: str) -> bool:
    """Whether the user holds any of the roles (superusers hold every role)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.has_role(*role_names))


def is_council_wide(user: Any) -> bool:
    """Administrators, superusers and staff with no directorate act for the whole council."""
    return bool(user.is_superuser or user.directorate_id is None or has_role(user, roles.ADMINISTRATOR))


def owning_directorate_id(obj: Any) -> int | None:
    """The directorate that owns ``obj`` (None: the record is council-wide)."""
    return getattr(obj, "owning_directorate_id", None)


def may(user: Any, perm: str, obj: Any = None) -> bool:
    """Whether ``user`` may use ``perm`` ("app_label.codename") on ``obj`` (or on the model, if None)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not user.has_perm(perm):
        return False
    if obj is None:
        return True
    for rule in RELATION_RULES.get(perm, ()):
        answer = rule(user, obj)
        if answer is not None:
            return answer
    # Officers read across directorates (a provider's contracts in every directorate); the directorate
    # binds what they change.
    if perm.split(".", 1)[-1].startswith("view_"):
        return True
    return acts_for(user, owning_directorate_id(obj))


def acts_for(user: Any, directorate_id: int | None) -> bool:
    """Whether the user acts for that directorate (None: a council-wide record, which everyone does)."""
    if directorate_id is None or is_council_wide(user):
        return True
    return bool(user.directorate_id == directorate_id)


def require(user: Any, perm: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless ``may(user, perm, obj)``."""
    if not may(user, perm, obj):
        raise PermissionDenied(_refusal(perm, obj))


def may_see_drafts(user: Any) -> bool:
    """Draft highlight reports and the history of drafts are officers' working copies."""
    return has_role(user, roles.COMMISSIONER, roles.CONTRACT_OFFICER, roles.ADMINISTRATOR)


def is_officer(user: Any) -> bool:
    """Council officers (everyone but councillors) see the contract register and provider records."""
    return has_role(user, roles.COMMISSIONER, roles.CONTRACT_OFFICER, roles.ADMINISTRATOR)


def permission_required(*perms: str) -> Callable[[F], F]:
    """View decorator: 403 unless the signed-in user holds every one of ``perms``.

    Object-level checks (directorate, committee) happen in the service the view calls.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            for perm in perms:
                require(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _refusal(perm: str, obj: Any) -> str:
    action = perm.split(".", 1)[-1].split("_", 1)[0]
    if obj is not None and owning_directorate_id(obj) is not None:
        return f"You may {action} only your own directorate's records."
    return "You do not have permission to do that."
