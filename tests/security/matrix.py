"""Walking every URL of the project, asking it as an actor, and comparing the answer with the table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from .expectations import ACTORS, ANON, EXPECTED, KNOWN_BUGS, OTHER_COMMISSIONER, Redirect, SignIn

API_PREFIX = "v1:"
# The admin site has its own sign-in and rights; only its index is in the table (one row per actor).
ADMIN_NAMES = {"admin:index"}
SAFE_METHODS = {"head", "options"}


@dataclass(frozen=True)
class Route:
    name: str
    params: frozenset[str]  # keyword arguments of the URL (the format suffix aside)
    methods: frozenset[str]  # for the API: the methods the route offers; empty for pages (the table says)
    callback: object


def _params(pattern: URLPattern) -> set[str]:
    inner = pattern.pattern
    names = set(getattr(inner, "converters", {}) or {})
    regex = getattr(inner, "regex", None)
    if regex is not None:
        names |= set(regex.groupindex)
    return names - {"format"}


def _api_methods(callback) -> set[str]:
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return set()
    allowed = set(view_class.http_method_names) - SAFE_METHODS
    actions = getattr(callback, "actions", None)
    if actions:  # a router route: the methods it maps, if the viewset offers them
        return {method.upper() for method in actions if method in allowed}
    return {method.upper() for method in allowed if hasattr(view_class, method)}


def walk() -> tuple[dict[str, Route], list[tuple[str, object]]]:
    """Every named URL (namespace:name) outside the admin, the admin index, and the unnamed patterns' routes."""
    named: dict[str, Route] = {}
    unnamed: list[tuple[str, object]] = []

    def visit(patterns, namespace: str = "", prefix: str = ""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(part for part in (namespace, entry.namespace) if part)
                visit(entry.url_patterns, inner, prefix + str(entry.pattern))
                continue
            if not isinstance(entry, URLPattern):
                continue
            if entry.name is None:
                if namespace.startswith("admin"):
                    continue  # the admin's catch-all
                unnamed.append((prefix + str(entry.pattern), entry.callback))
                continue
            full = f"{namespace}:{entry.name}" if namespace else entry.name
            if full.startswith("admin:") and full not in ADMIN_NAMES:
                continue
            methods = _api_methods(entry.callback) if full.startswith(API_PREFIX) else set()
            known = named.get(full)
            if known is None:
                named[full] = Route(full, frozenset(_params(entry)), frozenset(methods), entry.callback)
            else:  # the same name again (e.g. the API's .json suffix route): same view, same arguments
                named[full] = Route(full, known.params | _params(entry), known.methods | methods, known.callback)

    visit(get_resolver().url_patterns)
    return named, unnamed


def split_key(key: str) -> tuple[str, str | None]:
    name, _, target = key.partition("@")
    return name, target or None


def rows() -> list[tuple[str, str, str, object]]:
    """(actor, key, method, expected) for every cell of the table."""
    return [
        (actor, key, method, expected)
        for actor in ACTORS
        for key, methods in EXPECTED[actor].items()
        for method, expected in methods.items()
    ]


def row_id(actor: str, key: str, method: str) -> str:
    return f"{actor}-{method}-{key}"


def is_known_bug(actor: str, key: str, method: str) -> bool:
    return (actor, key, method) in KNOWN_BUGS


def url_for(name: str, target: str | None, world, routes: dict[str, Route] | None = None) -> str:
    routes = routes if routes is not None else walk()[0]
    route = routes[name]
    spec = dict(world.targets[target]) if target else {}
    query = spec.pop("?", None)
    kwargs = {key: value for key, value in spec.items() if key in route.params}
    missing = route.params - set(kwargs)
    assert not missing, f"{name}@{target}: the target gives no {', '.join(sorted(missing))}"
    path = reverse(name, kwargs=kwargs or None)
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


def client_for(actor: str, world, **options) -> Client:
    client = Client(**options)
    if actor != ANON:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    return client


def ask(client: Client, method: str, path: str):
    """The request an actor makes: pages get an empty form; the API an empty JSON object."""
    if path.startswith("/api/") and method != "GET":
        return client.generic(method, path, json.dumps({}), content_type="application/json")
    if method == "GET":
        return client.get(path)
    if method == "POST":
        return client.post(path, {})
    return client.generic(method, path, "", content_type="application/x-www-form-urlencoded")


def matches(response, expected, world, routes=None) -> bool:
    status = response.status_code
    if isinstance(expected, SignIn):
        if status != 302:
            return False
        location = urlsplit(response["Location"])
        return location.path == reverse(expected.url_name) and "next" in parse_qs(location.query)
    if isinstance(expected, Redirect):
        if status != 302:
            return False
        path = urlsplit(response["Location"]).path
        if expected.target is None:  # that page, for whichever object (e.g. the report just started)
            try:
                return resolve(path).view_name == expected.url_name
            except Resolver404:
                return False
        return path == url_for(expected.url_name, expected.target, world, routes).split("?")[0]
    if isinstance(expected, frozenset):
        return status in expected
    return status == expected


def describe(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        return f"{status} to {response['Location']}"
    return str(status)


def actors_for(key: str) -> list[str]:
    return [actor for actor in ACTORS if key in EXPECTED[actor]]


def requires_other_commissioner(key: str) -> bool:
    return key in EXPECTED[OTHER_COMMISSIONER]
