"""The pages' old addresses under /contracts/ (before oversight became its own app): each is a permanent
redirect to the page's address under /oversight/, with its query string, so bookmarks and links keep working.

Mounted at /contracts/ in config/urls.py, before the register's own patterns; none of these paths is one
of the register's. The patterns have no names: nothing should link to an old address.
"""

from django.urls import path
from django.views.generic import RedirectView

from .urls import urlpatterns as current


def _moved(route: str, name: str):
    return path(route, RedirectView.as_view(pattern_name=f"oversight:{name}", permanent=True, query_string=True))


# Every oversight page kept the path it had under /contracts/.
urlpatterns: list = [_moved(str(pattern.pattern), pattern.name) for pattern in current]
