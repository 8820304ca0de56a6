"""Every page needs a log-in: an anonymous visitor is sent to sign in, media files included."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# The accessibility statement and privacy notice are public by law (their edit pages are not, and are checked).
# Open by design: sign-in (single sign-on included: everything under /accounts/login/), health and public statements.
OPEN_URL_NAMES = {"login", "healthz", "accessibility", "privacy", "healthz-live", "healthz-ready"}
OPEN_ROUTES = ("api/", "^assets", "admin/", "accounts/login/")


def _all_page_paths():
    """One concrete path per named pattern outside the API and static assets, with 1 for every argument."""
    paths = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if route.startswith(OPEN_ROUTES) or entry.name in OPEN_URL_NAMES:
                    continue
                concrete = route.replace("^", "").replace("$", "")
                for converter in ("<int:", "<str:", "<slug:", "<path:", "<uuid:", "<"):
                    while converter in concrete:
                        start = concrete.index(converter)
                        end = concrete.index(">", start)
                        concrete = concrete[:start] + "1" + concrete[end + 1 :]
                paths.append("/" + concrete)

    walk(get_resolver().url_patterns)
    return sorted(set(paths))


def test_there_are_pages_to_check():
    assert "/" in _all_page_paths()
    assert "/media/1" in _all_page_paths()


@pytest.mark.parametrize("path", _all_page_paths())
def test_anonymous_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302, path
    assert response["Location"].startswith("/accounts/login/?next=")


def test_admin_needs_sign_in_too(client):
    response = client.get("/admin/")
    assert response.status_code == 302


def test_sign_in_page_and_health_check_are_open(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_signed_in_user_sees_their_role_home(client_as_officer):
    response = client_as_officer.get("/")
    assert response.status_code == 200
    assert b"Contract management" in response.content
    assert b"Commissioning strategies" not in response.content


def test_media_needs_the_right_role(client_as_scrutiny, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "file.csv").write_text("a,b")
    assert client_as_scrutiny.get("/media/imports/file.csv").status_code == 403
    assert client_as_scrutiny.get("/media/unknown/file.csv").status_code == 404
