"""The header names the council (from settings) beside its logo, and no page asks for GDS Transport, the typeface
licensed for GOV.UK alone."""

import re
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_the_header_names_the_council_from_settings(client_as_commissioner, settings):
    settings.COUNCIL_NAME = "Borsetshire County Council"
    settings.COUNCIL_LOGO = "img/council-logo.png"

    page = client_as_commissioner.get(reverse("home")).content.decode()

    header = page[page.index('<header class="govuk-header"') : page.index("</header>")]
    assert '<span class="govuk-header__logotype-text">Borsetshire County Council</span>' in header
    assert "council-logo.png" in header


def test_without_a_logo_the_header_has_the_name_alone(client_as_commissioner, settings):
    settings.COUNCIL_LOGO = ""

    page = client_as_commissioner.get(reverse("home")).content.decode()

    header = page[page.index('<header class="govuk-header"') : page.index("</header>")]
    assert "<img" not in header


def test_the_service_s_stylesheets_use_arial_not_gds_transport():
    for sheet in ("app.css", "paged-html.css"):
        css = (ROOT / "static" / "css" / sheet).read_text()
        declarations = re.findall(r"font-family:\s*([^;}]+)", css)
        assert declarations, sheet
        assert all("GDS Transport" not in value for value in declarations), sheet
    # Ours comes after GOV.UK Frontend's sheet and covers every one of its classes.
    assert (
        'body, [class*="govuk-"] { font-family: arial, helvetica, sans-serif; }'
        in (ROOT / "static" / "css" / "app.css").read_text()
    )
