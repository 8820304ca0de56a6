"""The CQC API client against a real local HTTP server replaying responses shaped like CQC's published
examples: paging of the changes feed, a 404, a 429, a 500, a malformed body, the size cap; the
refresh service and the scheduled task with and without a key."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from providers import services, tasks
from providers.cqc_api import CqcApiClient, CqcApiError, CqcApiNotFound, CqcApiRateLimited
from providers.models import CqcRating, CqcRatingAlert
from tests.factories import CqcRatingFactory, LocationFactory

d = datetime.date
KEY = "test-subscription-key"


def _location(location_id, overall="Good", report_date="2019-03-01", safe="Good", **extra):
    return {
        "locationId": location_id,
        "providerId": "1-101",
        "name": "Meadows Edge",
        "careHome": "Y",
        "numberOfBeds": 32,
        "postalCode": "LN1 1AA",
        "localAuthority": "Lincolnshire",
        "registrationStatus": "Registered",
        "currentRatings": {
            "overall": {
                "rating": overall,
                "reportDate": report_date,
                "reportLinkId": "f4fdb42e",
                "keyQuestionRatings": [
                    {"name": "Safe", "rating": safe, "reportDate": report_date},
                    {"name": "Effective", "rating": "Good"},
                    {"name": "Caring", "rating": "Outstanding"},
                    {"name": "Responsive", "rating": "Good"},
                    {"name": "Well-led", "rating": "Requires improvement"},
                ],
            }
        },
        **extra,
    }


class Replay(BaseHTTPRequestHandler):
    routes: dict = {}
    seen: list = []

    def do_GET(self):
        parts = urlsplit(self.path)
        type(self).seen.append((parts.path, parse_qs(parts.query), self.headers.get("Ocp-Apim-Subscription-Key")))
        route = type(self).routes.get(parts.path)
        if callable(route):
            route = route(parse_qs(parts.query))
        status, body = route if route is not None else (404, {"message": "Not found"})
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if status == 429:
            self.send_header("Retry-After", "60")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Replay.routes, Replay.seen = {}, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/public/v1"
    httpd.shutdown()
    httpd.server_close()


def _changes(pages):
    def answer(query):
        page = int(query.get("page", ["1"])[0])
        return 200, {"total": sum(map(len, pages)), "page": page, "totalPages": len(pages), "changes": pages[page - 1]}

    return answer


def test_location_is_parsed_into_ratings_and_attributes_with_the_key_header(server):
    Replay.routes["/public/v1/locations/1-111"] = (200, _location("1-111"))
    found = CqcApiClient(server, KEY).location("1-111")
    assert found.ratings == {
        "overall": "good",
        "safe": "good",
        "effective": "good",
        "caring": "outstanding",
        "responsive": "good",
        "well_led": "requires_improvement",
    }
    assert found.published_on == d(2019, 3, 1)
    assert (found.is_care_home, found.beds, found.postcode, found.local_authority) == (
        True,
        32,
        "LN1 1AA",
        "Lincolnshire",
    )
    assert (found.registration_status, found.deregistered_on, found.inherited) == ("Registered", None, False)
    assert Replay.seen[-1][2] == KEY


def test_an_unrated_deregistered_and_inherited_location(server):
    unrated = {"locationId": "1-222", "registrationStatus": "Deregistered", "deregistrationDate": "2019-02-01"}
    Replay.routes["/public/v1/locations/1-222"] = (200, unrated)
    inherited = _location("1-333")
    inherited["currentRatings"]["overall"]["organisationId"] = "1-111"
    Replay.routes["/public/v1/locations/1-333"] = (200, inherited)
    client = CqcApiClient(server, KEY)

    found = client.location("1-222")
    assert (found.ratings, found.published_on, found.deregistered_on) == ({}, None, d(2019, 2, 1))
    assert client.location("1-333").inherited is True


def test_the_changes_feed_is_read_page_by_page(server):
    Replay.routes["/public/v1/changes/location"] = _changes([["1-1", "1-2"], ["1-3"], ["1-2", "1-4"]])
    ids = CqcApiClient(server, KEY).changes(
        start=datetime.datetime(2019, 3, 10, 6, 30, tzinfo=datetime.UTC),
        end=datetime.datetime(2019, 3, 11, 6, 30, tzinfo=datetime.UTC),
    )
    assert ids == ["1-1", "1-2", "1-3", "1-4"]
    assert [query["page"] for _, query, _ in Replay.seen] == [["1"], ["2"], ["3"]]
    assert Replay.seen[0][1]["startTimestamp"] == ["2019-03-10T06:30:00Z"]
    assert Replay.seen[0][1]["endTimestamp"] == ["2019-03-11T06:30:00Z"]


def test_too_many_pages_is_refused(server):
    Replay.routes["/public/v1/changes/location"] = _changes([["1-1"]] * 5)
    client = CqcApiClient(server, KEY, max_pages=3)
    with pytest.raises(CqcApiError, match="5 pages, more than the 3"):
        client.changes(
            start=datetime.datetime(2019, 3, 10, tzinfo=datetime.UTC),
            end=datetime.datetime(2019, 3, 11, tzinfo=datetime.UTC),
        )


@pytest.mark.parametrize(
    ("route", "error", "message"),
    [
        (None, CqcApiNotFound, "HTTP 404"),
        ((429, {"message": "Rate limit"}), CqcApiRateLimited, "wait 60 seconds"),
        ((500, {"message": "Boom"}), CqcApiError, "failed for /locations/1-9 \\(HTTP 500\\)"),
        ((401, {"message": "Bad key"}), CqcApiError, "check CQC_API_KEY"),
        ((200, b"{not json"), CqcApiError, "not JSON"),
        ((200, [1, 2]), CqcApiError, "not an object"),
        ((200, _location("1-9", overall="Splendid")), CqcApiError, "unknown overall rating 'Splendid'"),
        ((200, _location("1-9", report_date="soon")), CqcApiError, "not a date"),
    ],
)
def test_bad_answers_are_clear_errors(server, route, error, message):
    if route is not None:
        Replay.routes["/public/v1/locations/1-9"] = route
    with pytest.raises(error, match=message):
        CqcApiClient(server, KEY).location("1-9")


def test_a_body_over_the_cap_is_refused_and_bad_ids_are_not_sent(server):
    Replay.routes["/public/v1/locations/1-9"] = (200, _location("1-9", padding="x" * 5000))
    with pytest.raises(CqcApiError, match="more than 1,000 bytes"):
        CqcApiClient(server, KEY, max_bytes=1000).location("1-9")
    with pytest.raises(CqcApiError, match="not a CQC location ID"):
        CqcApiClient(server, KEY).location("../providers")
    assert all(path != "/public/v1/providers" for path, _, _ in Replay.seen)


def test_an_unreachable_server_is_a_clear_error():
    with pytest.raises(CqcApiError, match="Could not reach CQC's API"):
        CqcApiClient("http://127.0.0.1:9/public/v1", KEY, timeout=2).location("1-1")


# --- The refresh and the task ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_refresh_records_held_locations_and_a_fall_alerts(server):
    held = LocationFactory(cqc_location_id="1-111")
    CqcRatingFactory(location=held, published_on=d(2017, 3, 1))
    broken = LocationFactory(cqc_location_id="1-444")
    LocationFactory(cqc_location_id="1-555")  # not changed
    Replay.routes["/public/v1/changes/location"] = _changes([["1-111", "1-999"], ["1-444"]])
    Replay.routes["/public/v1/locations/1-111"] = (200, _location("1-111", safe="Inadequate"))
    Replay.routes["/public/v1/locations/1-444"] = (500, {"message": "Boom"})

    done = services.cqc_refresh(
        client=CqcApiClient(server, KEY),
        start=datetime.datetime(2019, 3, 1, tzinfo=datetime.UTC),
        end=datetime.datetime(2019, 3, 2, tzinfo=datetime.UTC),
        today=d(2019, 6, 1),
    )

    assert (done.changed, done.held, done.recorded.created) == (3, 2, 1)
    assert list(done.failed) == [broken.cqc_location_id]
    latest = held.cqc_ratings.order_by("-published_on").first()
    assert (latest.published_on, latest.safe, latest.caring) == (d(2019, 3, 1), "inadequate", "outstanding")
    alert = CqcRatingAlert.objects.get()
    assert [f["question"] for f in alert.drops] == ["safe", "well_led"]
    assert not any(path.endswith("1-999") or path.endswith("1-555") for path, _, _ in Replay.seen)


@pytest.mark.django_db
def test_refresh_stops_when_rate_limited(server):
    first, second = LocationFactory(cqc_location_id="1-1"), LocationFactory(cqc_location_id="1-2")
    Replay.routes["/public/v1/changes/location"] = _changes([["1-1", "1-2"]])
    Replay.routes["/public/v1/locations/1-1"] = (429, {"message": "Slow down"})
    Replay.routes["/public/v1/locations/1-2"] = (200, _location("1-2"))
    done = services.cqc_refresh(
        client=CqcApiClient(server, KEY),
        start=datetime.datetime(2019, 3, 1, tzinfo=datetime.UTC),
        end=datetime.datetime(2019, 3, 2, tzinfo=datetime.UTC),
    )
    assert set(done.failed) == {first.cqc_location_id, second.cqc_location_id}
    assert not CqcRating.objects.exists()
    assert [path for path, _, _ in Replay.seen if "/locations/" in path] == ["/public/v1/locations/1-1"]


@pytest.mark.django_db
def test_the_task_does_nothing_without_a_key(settings, caplog, server):
    settings.CQC_API_KEY = ""
    settings.CQC_API_BASE_URL = server
    with caplog.at_level("INFO", logger="providers.tasks"):
        assert tasks.refresh_cqc_ratings() == {"skipped": "CQC_API_KEY is not set"}
    assert "CQC_API_KEY is not set" in caplog.text
    assert Replay.seen == []


@pytest.mark.django_db
def test_the_task_refreshes_with_a_key(settings, server):
    settings.CQC_API_KEY = KEY
    settings.CQC_API_BASE_URL = server
    LocationFactory(cqc_location_id="1-111")
    Replay.routes["/public/v1/changes/location"] = _changes([["1-111"]])
    Replay.routes["/public/v1/locations/1-111"] = (200, _location("1-111", report_date="2019-03-01"))
    summary = tasks.refresh_cqc_ratings()
    assert (summary["changed"], summary["held"], summary["created"], summary["failed"]) == (1, 1, 1, 0)
    assert {key for _, _, key in Replay.seen} == {KEY}
    assert CqcRating.objects.get().overall == "good"


@pytest.mark.django_db
def test_the_task_logs_a_feed_failure(settings, server, caplog):
    settings.CQC_API_KEY = KEY
    settings.CQC_API_BASE_URL = server
    Replay.routes["/public/v1/changes/location"] = (500, {"message": "Boom"})
    with caplog.at_level("WARNING", logger="providers.tasks"):
        summary = tasks.refresh_cqc_ratings()
    assert "HTTP 500" in summary["failed"]
    assert "CQC refresh failed" in caplog.text


def test_the_beat_schedule_runs_the_refresh_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["providers-cqc-refresh"]
    assert entry["task"] == "providers.tasks.refresh_cqc_ratings"
    assert entry["schedule"].hour == {5}
