"""Every permission a role group holds is needed by some row of the permission matrix.

For each grant (role, permission) in ``commissioning.roles`` (the administrator's superset aside): take that
one permission away from the role's group, ask again the rows of the table where that role is ALLOWED, and
require at least one of them to answer differently. A grant no row needs is "granted but never used": either
the table lacks a row for what the grant is for, or the grant is unnecessary and should go.

Which rows to ask again: a request that never asks about a permission cannot answer differently without it,
so a first pass records, per allowed row, which permissions the request consulted (``user.has_perm``,
``has_perms``, ``has_module_perms`` — templates' ``perms`` included), and each grant re-runs only the rows
that consulted it, stopping at the first that changes. A grant no row consulted is never used;
``test_grants_no_row_consults_change_nothing`` checks that reasoning by taking all of them away at once and
asking every allowed row again.

Grants listed in ``KNOWN_UNUSED_GRANTS`` (expectations.py) run as strict xfails, like the matrix's known bugs.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from commissioning import roles
from commissioning.models import User

from .expectations import (
    ADMIN,
    ANON,
    COMMISSIONER,
    COUNCILLOR,
    EXPECTED,
    KNOWN_BUGS,
    KNOWN_UNUSED_GRANTS,
    OFFICER,
    OTHER_COMMISSIONER,
    Redirect,
)
from .matrix import ask, client_for, describe, matches, split_key, url_for, walk
from .world import module_world

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# The actors who hold each role (the administrator's grants are a superset of everything: not checked).
HOLDERS = {
    roles.COMMISSIONER: (COMMISSIONER, OTHER_COMMISSIONER),
    roles.CONTRACT_OFFICER: (OFFICER,),
    roles.SCRUTINY_MEMBER: (COUNCILLOR,),
}
EVERYTHING = "*"  # a request that read the whole set of permissions (get_all_permissions and the like)


def _allowed(expected) -> bool:
    """Whether the table lets the actor in (any answer but a refusal, a sign-in redirect or 405)."""
    if isinstance(expected, Redirect):
        return True
    if isinstance(expected, int):
        return expected < 400 or expected in (400, 409, 428)
    return False


def allowed_rows(actor: str) -> list[tuple[str, str, object]]:
    return [
        (key, method, expected)
        for key, methods in EXPECTED[actor].items()
        for method, expected in methods.items()
        if _allowed(expected) and (actor, key, method) not in KNOWN_BUGS
    ]


class PermissionSpy:
    """Records the permissions requests consult, while ``recording`` is a set."""

    def __init__(self):
        self.recording: set[str] | None = None

    def install(self, monkeypatch):
        spy = self
        has_perm, has_module_perms = User.has_perm, User.has_module_perms

        def spied_has_perm(user, perm, obj=None):
            if spy.recording is not None:
                spy.recording.add(perm)
            return has_perm(user, perm, obj)

        def spied_has_module_perms(user, app_label):
            if spy.recording is not None:
                spy.recording.add(f"{app_label}.{EVERYTHING}")
            return has_module_perms(user, app_label)

        monkeypatch.setattr(User, "has_perm", spied_has_perm)
        monkeypatch.setattr(User, "has_module_perms", spied_has_module_perms)
        for name in ("get_all_permissions", "get_group_permissions", "get_user_permissions"):
            original = getattr(User, name)

            def spied(user, obj=None, _original=original):
                if spy.recording is not None:
                    spy.recording.add(EVERYTHING)
                return _original(user, obj)

            monkeypatch.setattr(User, name, spied)


def _consults(seen: set[str], perm: str) -> bool:
    return perm in seen or EVERYTHING in seen or f"{perm.split('.')[0]}.{EVERYTHING}" in seen


def _grants():
    for role in HOLDERS:
        for perm in sorted(roles.role_permissions(role)):
            marks = []
            if (role, perm) in KNOWN_UNUSED_GRANTS:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_UNUSED_GRANTS[(role, perm)]))
            yield pytest.param(role, perm, id=f"{role}-{perm}", marks=marks)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_world(django_db_blocker, tmp_path_factory.mktemp("grants-media")) as built:
        yield built


@pytest.fixture(scope="module")
def routes():
    return walk()[0]


@pytest.fixture(scope="module")
def consulted(world, routes, django_db_blocker):
    """(actor, key, method) -> the permissions that request consulted, for every allowed row of the table.

    A row that already answers otherwise than the table (a bug the matrix reports) is left out: taking a
    grant away cannot be seen to change it."""
    spy = PermissionSpy()
    found: dict[tuple[str, str, str], set[str]] = {}
    with pytest.MonkeyPatch.context() as monkeypatch, django_db_blocker.unblock():
        spy.install(monkeypatch)
        for actor in (COMMISSIONER, OTHER_COMMISSIONER, OFFICER, COUNCILLOR):
            for key, method, expected in allowed_rows(actor):
                spy.recording = set()
                response = _ask(world, routes, actor, key, method)
                seen, spy.recording = spy.recording, None
                if matches(response, expected, world, routes):
                    found[(actor, key, method)] = seen
    return found


def _ask(world, routes, actor, key, method):
    """One row's request, in a savepoint rolled back after it (a sign-out or a publish leaves nothing behind)."""
    name, target = split_key(key)
    with transaction.atomic():
        response = ask(
            client_for(actor, world, raise_request_exception=False), method, url_for(name, target, world, routes)
        )
        transaction.set_rollback(True)
    return response


def _take_away(role: str, perms) -> None:
    group = Group.objects.get(name=role)
    for perm in perms:
        label, codename = perm.split(".")
        group.permissions.remove(Permission.objects.get(content_type__app_label=label, codename=codename))


@pytest.mark.parametrize(("role", "perm"), list(_grants()))
def test_each_grant_is_needed_by_some_row(world, routes, consulted, role, perm):
    candidates = [
        (actor, key, method, EXPECTED[actor][key][method])
        for actor in HOLDERS[role]
        for key, method, _ in allowed_rows(actor)
        if (actor, key, method) in consulted and _consults(consulted[(actor, key, method)], perm)
    ]
    assert candidates, f"{role} is granted {perm} but never used: no row of the table consults it"

    _take_away(role, [perm])

    for actor, key, method, expected in candidates:
        response = _ask(world, routes, actor, key, method)
        if not matches(response, expected, world, routes):
            return  # needed: without it this row answers otherwise
    rows = ", ".join(f"{actor} {method} {key}" for actor, key, method, _ in candidates)
    pytest.fail(f"{role} is granted {perm} but never used: without it every row still answers as before ({rows})")


@pytest.mark.parametrize("role", list(HOLDERS))
def test_grants_no_row_consults_change_nothing(world, routes, consulted, role):
    """The shortcut above is sound: taking away every grant no row consulted changes no allowed row."""
    unconsulted = [
        perm
        for perm in sorted(roles.role_permissions(role))
        if not any(_consults(seen, perm) for (actor, _, _), seen in consulted.items() if actor in HOLDERS[role])
    ]
    _take_away(role, unconsulted)

    changed = [
        f"{actor} {method} {key}: {describe(response)}"
        for actor in HOLDERS[role]
        for key, method, expected in allowed_rows(actor)
        if (actor, key, method) in consulted
        and not matches(response := _ask(world, routes, actor, key, method), expected, world, routes)
    ]

    assert not changed, "Rows that changed although they consulted none of the grants taken away: " + "; ".join(changed)


def test_known_unused_grants_are_still_granted():
    """An entry for a grant that has since been taken out of commissioning.roles must go too."""
    stale = sorted(f"{role} {perm}" for role, perm in KNOWN_UNUSED_GRANTS if perm not in roles.role_permissions(role))

    assert not stale, "Remove from KNOWN_UNUSED_GRANTS (no longer granted): " + ", ".join(stale)


def test_the_anonymous_and_administrator_are_not_holders():
    assert ANON not in {a for holders in HOLDERS.values() for a in holders}
    assert ADMIN not in {a for holders in HOLDERS.values() for a in holders}
