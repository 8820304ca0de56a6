"""/api/v1/cqc-rating-alerts/: list, filters, retrieve, acknowledge, and who may."""

import datetime

import pytest

from providers import services
from providers.models import CqcRatingAlert
from tests.factories import CqcRatingFactory, LocationFactory

pytestmark = pytest.mark.django_db
d = datetime.date
URL = "/api/v1/cqc-rating-alerts/"


def _fall(**location):
    home = LocationFactory(**location)
    CqcRatingFactory(location=home, published_on=d(2017, 3, 1))
    entry = services.RatingEntry(location=home, published_on=d(2019, 3, 1), ratings={"overall": "inadequate"})
    services.cqc_ratings_record(entries=[entry], by=None, today=d(2019, 6, 1))
    return CqcRatingAlert.objects.get(location=home)


def test_list_filter_and_retrieve(api_client_for):
    first, second = _fall(name="Meadows Edge"), _fall(name="Capricorn Cottage")
    CqcRatingAlert.objects.filter(pk=second.pk).update(acknowledged_at="2019-04-01T10:00:00Z")
    client = api_client_for("officer")

    body = client.get(URL).json()
    assert body["count"] == 2
    assert client.get(URL, {"acknowledged": "false"}).json()["results"][0]["id"] == first.pk
    assert [r["id"] for r in client.get(URL, {"acknowledged": "true"}).json()["results"]] == [second.pk]
    assert [r["id"] for r in client.get(URL, {"location": first.location_id}).json()["results"]] == [first.pk]
    by_provider = client.get(URL, {"provider": second.location.provider_id}).json()["results"]
    assert [r["id"] for r in by_provider] == [second.pk]

    one = client.get(f"{URL}{first.pk}/").json()
    assert one["location_name"] == "Meadows Edge"
    assert one["drops"] == [{"question": "overall", "previous": "good", "new": "inadequate"}]
    assert (one["published_on"], one["previous_published_on"], one["acknowledged"]) == (
        "2019-03-01",
        "2017-03-01",
        False,
    )


def test_an_officer_acknowledges_once(api_client_for):
    alert = _fall()
    client = api_client_for("officer")

    response = client.post(f"{URL}{alert.pk}/acknowledge/", {"note": "Visit booked."}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["acknowledged"], body["acknowledged_by"], body["acknowledgement_note"]) == (
        True,
        str(client.user),
        "Visit booked.",
    )
    again = client.post(f"{URL}{alert.pk}/acknowledge/", {}, format="json")
    assert again.status_code == 409
    assert "already acknowledged" in again.json()["detail"]


@pytest.mark.parametrize(("role", "list_status", "ack_status"), [
    ("commissioner", 200, 403),
    ("scrutiny", 403, 403),
    ("admin", 200, 200),
    (None, 401, 401),
])  # fmt: skip
def test_who_may_read_and_acknowledge(api_client_for, role, list_status, ack_status):
    alert = _fall()
    client = api_client_for(role)
    assert client.get(URL).status_code == list_status
    assert client.post(f"{URL}{alert.pk}/acknowledge/", {}, format="json").status_code == ack_status
    alert.refresh_from_db()
    assert (alert.acknowledged_at is not None) == (ack_status == 200)


def test_a_long_note_is_refused_by_field(api_client_for):
    alert = _fall()
    response = api_client_for("officer").post(f"{URL}{alert.pk}/acknowledge/", {"note": "x" * 2001}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()["errors"]


def test_no_writes_but_acknowledge(api_client_for):
    alert = _fall()
    client = api_client_for("admin")
    assert client.post(URL, {}, format="json").status_code == 405
    assert client.delete(f"{URL}{alert.pk}/").status_code == 405
    assert client.patch(f"{URL}{alert.pk}/", {}, format="json").status_code == 405
