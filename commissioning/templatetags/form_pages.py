"""Template helpers for the one form page (templates/form_page.html)."""

from __future__ import annotations

import copy
from typing import Any

from django import template

register = template.Library()


@register.filter
def inner_helper(form: Any) -> Any:
    """The form's crispy helper without its own <form> tag: the page draws the one <form> (with novalidate, so
    the server's messages show), and a helper shared by a form class is copied, never changed."""
    helper = copy.copy(form.helper)
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> carries the token
    return helper
