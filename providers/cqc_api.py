"""A small client of CQC's public API (https://api.service.cqc.org.uk/public/v1): a location's current ratings
and attributes, and the feed of locations changed in a time window.

Shaped on CQC's published examples (``/locations/{id}`` with ``currentRatings.overall.rating``,
``currentRatings.overall.keyQuestionRatings[]`` of ``name`` and ``rating``, ``reportDate``; ``/changes/location``
answering pages of location IDs in ``changes`` with ``page`` and ``totalPages``). Unverified against the live
API until a council runs it with its own subscription key: the tests replay responses of that shape from a local
server.

Bounded: every request has a timeout, a body larger than ``max_bytes`` is refused before it is parsed, the changes
feed is read for at most ``max_pages`` pages, and every failure is a ``CqcApiError`` saying what went wrong in
words (never a traceback on a page or in the task's log).

Standard library only (``urllib``): no HTTP client is among the runtime requirements.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .models import CqcRatingValue

# CQC's names for ratings, lower-cased, as the API writes them; "no level" answers are recorded as not rated.
RATING_VALUES = {
    "outstanding": CqcRatingValue.OUTSTANDING,
    "good": CqcRatingValue.GOOD,
    "requires improvement": CqcRatingValue.REQUIRES_IMPROVEMENT,
    "inadequate": CqcRatingValue.INADEQUATE,
    "not rated": CqcRatingValue.NOT_RATED,
    "not yet rated": CqcRatingValue.NOT_RATED,
    "no published rating": CqcRatingValue.NOT_RATED,
    "insufficient evidence to rate": CqcRatingValue.NOT_RATED,
}
KEY_QUESTION_NAMES = {
    "safe": "safe",
    "effective": "effective",
    "caring": "caring",
    "responsive": "responsive",
    "well-led": "well_led",
    "well led": "well_led",
}
_LOCATION_ID = re.compile(r"^[0-9A-Za-z-]{1,20}$")


class CqcApiError(Exception):
    """CQC's API could not be used for this request; the message says why, in words."""


class CqcApiNotFound(CqcApiError):
    """CQC has no such location (HTTP 404)."""


class CqcApiRateLimited(CqcApiError):
    """CQC's API asked us to slow down (HTTP 429): stop for now and try on the next run."""


@dataclass(frozen=True)
class CqcLocation:
    """What the client reads of a location: its current ratings (``ratings`` keyed "overall", "safe"...,
    empty when CQC has not rated it; ``published_on`` the overall rating's report date) and attributes."""

    location_id: str
    name: str = ""
    provider_id: str = ""
    published_on: date | None = None
    ratings: dict[str, str] = field(default_factory=dict)
    inherited: bool = False
    is_care_home: bool | None = None
    beds: int | None = None
    postcode: str = ""
    local_authority: str = ""
    registration_status: str = ""
    deregistered_on: date | None = None


class CqcApiClient:
    """``CqcApiClient(base_url, subscription_key)``; ``location(id)`` and ``changes(start=, end=)``."""

    def __init__(
        self,
        base_url: str,
        subscription_key: str,
        *,
        timeout: float = 15.0,
        max_bytes: int = 2_000_000,
        max_pages: int = 50,
        per_page: int = 1000,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise CqcApiError(f"The CQC API address must be an http(s) URL, not '{base_url}'.")
        self.base_url = base_url.rstrip("/")
        self.subscription_key = subscription_key
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_pages = max_pages
        self.per_page = per_page

    # --- requests ---------------------------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        url = f"{self.base_url}{path}"
        if params:
            url = f"{url}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s) in __init__
            url, headers={"Ocp-Apim-Subscription-Key": self.subscription_key, "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise CqcApiError(self._too_big(path))
                body = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError as error:
            raise self._http_error(path, error) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise CqcApiError(f"Could not reach CQC's API for {path}: {reason}.") from None
        if len(body) > self.max_bytes:
            raise CqcApiError(self._too_big(path))
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CqcApiError(f"CQC's API answered {path} with a body that is not JSON.") from None
        if not isinstance(data, dict):
            raise CqcApiError(f"CQC's API answered {path} with JSON that is not an object.")
        return data

    def _too_big(self, path: str) -> str:
        return f"CQC's API answered {path} with more than {self.max_bytes:,} bytes; refused unread."

    def _http_error(self, path: str, error: urllib.error.HTTPError) -> CqcApiError:
        if error.code == 404:
            return CqcApiNotFound(f"CQC's API has nothing at {path} (HTTP 404).")
        if error.code == 429:
            wait = error.headers.get("Retry-After") if error.headers else None
            after = f"; it asks to wait {wait} seconds" if wait else ""
            return CqcApiRateLimited(f"CQC's API refused {path}: too many requests (HTTP 429){after}.")
        if error.code in (401, 403):
            return CqcApiError(f"CQC's API refused the subscription key (HTTP {error.code}); check CQC_API_KEY.")
        return CqcApiError(f"CQC's API failed for {path} (HTTP {error.code}).")

    # --- resources --------------------------------------------------------------------------------------------

    def location(self, location_id: str) -> CqcLocation:
        """The location's current ratings and attributes (``/locations/{id}``)."""
        if not _LOCATION_ID.match(location_id):
            raise CqcApiError(f"'{location_id}' is not a CQC location ID.")
        path = f"/locations/{location_id}"
        return parse_location(self._get(path), location_id=location_id, path=path)

    def changes(self, *, start: datetime, end: datetime) -> list[str]:
        """IDs of the locations CQC changed between ``start`` and ``end`` (``/changes/location``), every page
        read up to ``max_pages``; more pages than that is refused (choose a shorter window)."""
        if end <= start:
            raise CqcApiError("The end of the changes window must be after its start.")
        params: dict[str, Any] = {"startTimestamp": _timestamp(start), "endTimestamp": _timestamp(end)}
        ids: list[str] = []
        page = 1
        while True:
            data = self._get("/changes/location", {**params, "page": page, "perPage": self.per_page})
            changes = data.get("changes", [])
            if not isinstance(changes, list) or not all(isinstance(item, str) for item in changes):
                raise CqcApiError(f"CQC's changes feed page {page} has no list of location IDs in 'changes'.")
            ids.extend(changes)
            total_pages = data.get("totalPages") or 1
            if not isinstance(total_pages, int) or total_pages < 1:
                raise CqcApiError(f"CQC's changes feed page {page} gives 'totalPages' as {total_pages!r}.")
            if total_pages > self.max_pages:
                raise CqcApiError(
                    f"CQC's changes feed has {total_pages} pages, more than the {self.max_pages} read at once; "
                    "refresh a shorter window."
                )
            if page >= total_pages:
                break
            page += 1
        return list(dict.fromkeys(ids))  # in order, each once


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(value: Any, *, what: str, path: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise CqcApiError(f"CQC's API gives {what} as '{value}' at {path}, not a date.") from None


def _rating(value: Any, *, what: str, path: str) -> str:
    text = str(value or "").strip().lower()
    if not text:
        return ""
    if text not in RATING_VALUES:
        raise CqcApiError(f"CQC's API gives an unknown {what} rating '{value}' at {path}.")
    return RATING_VALUES[text]


def parse_location(data: dict[str, Any], *, location_id: str, path: str = "") -> CqcLocation:
    """Read a ``/locations/{id}`` answer into a ``CqcLocation``; CqcApiError naming the field if it is not the
    documented shape."""
    path = path or f"/locations/{location_id}"
    current = data.get("currentRatings") or {}
    overall = current.get("overall") if isinstance(current, dict) else None
    ratings: dict[str, str] = {}
    published_on = None
    inherited = False
    if isinstance(overall, dict) and overall.get("rating"):
        ratings["overall"] = _rating(overall.get("rating"), what="overall", path=path)
        published_on = _date(overall.get("reportDate"), what="the overall rating's reportDate", path=path)
        inherited = bool(overall.get("organisationId")) and overall.get("organisationId") != location_id
        questions = overall.get("keyQuestionRatings") or []
        if not isinstance(questions, list):
            raise CqcApiError(f"CQC's API gives keyQuestionRatings at {path} as something other than a list.")
        for item in questions:
            if not isinstance(item, dict):
                continue
            name = KEY_QUESTION_NAMES.get(str(item.get("name", "")).strip().lower())
            if name is None:
                continue  # a question this register does not keep
            ratings[name] = _rating(item.get("rating"), what=f"'{item.get('name')}'", path=path)
    beds = data.get("numberOfBeds")
    care_home = str(data.get("careHome", "")).strip().upper()
    return CqcLocation(
        location_id=str(data.get("locationId") or location_id),
        name=str(data.get("name") or ""),
        provider_id=str(data.get("providerId") or ""),
        published_on=published_on,
        ratings=ratings,
        inherited=inherited,
        is_care_home={"Y": True, "N": False}.get(care_home),
        beds=beds if isinstance(beds, int) and beds >= 0 else None,
        postcode=str(data.get("postalCode") or ""),
        local_authority=str(data.get("localAuthority") or ""),
        registration_status=str(data.get("registrationStatus") or ""),
        deregistered_on=_date(data.get("deregistrationDate"), what="deregistrationDate", path=path),
    )
