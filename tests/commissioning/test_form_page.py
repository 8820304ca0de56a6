"""The one form page draws one <form>, whatever the form's crispy helper says about drawing its own."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_form_page_has_one_post_form_with_novalidate_and_one_csrf_token(client_as_officer):
    html = client_as_officer.get(reverse("contracts:create")).content.decode()

    assert html.count("<form") == html.count("</form>")
    main = html[html.index("<main") : html.index("</main>")]
    assert main.count("<form") == 1
    assert 'method="post" novalidate' in main
    assert main.count('name="csrfmiddlewaretoken"') == 1
