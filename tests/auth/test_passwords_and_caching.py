"""Password rules (Django's validators and one of ours) and Cache-Control: no-store on signed-in responses."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from commissioning import tokens
from commissioning.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw-1", "at least 12 characters"),
        ("aaaaaaaaaaaa", "too few characters"),
        ("abababababab", "too few characters"),
        ("password1234", "too common"),
        ("482915736014", "entirely numeric"),
        ("chris.tanner-council", "too similar"),
    ],
)
def test_weak_passwords_are_refused_saying_why(password, message):
    user = User(username="chris.tanner", first_name="Chris", last_name="Tanner", email="chris.tanner@council.example")

    with pytest.raises(ValidationError) as error:
        validate_password(password, user=user)

    assert any(message in text for text in error.value.messages), error.value.messages


@pytest.mark.parametrize("password", ["demo-password-2019", "e2e-journeys-password-2019", "correct horse battery"])
def test_the_passwords_in_the_readme_and_tests_pass(password):
    validate_password(password, user=User(username="admin"))


def test_the_admin_refuses_a_weak_password_when_adding_a_user(client_as_admin):
    response = client_as_admin.post(
        reverse("admin:commissioning_user_add"),
        {"username": "newperson", "password1": "aaaaaaaaaaaa", "password2": "aaaaaaaaaaaa", "usable_password": "true"},
    )

    assert response.status_code == 200
    assert b"too few characters" in response.content
    assert not User.objects.filter(username="newperson").exists()


# --- Cache-Control: no-store ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/contracts/", "/api/v1/contracts/", "/account/tokens/"])
def test_every_signed_in_response_says_no_store(client_as_officer, path):
    response = client_as_officer.get(path)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_token_api_responses_say_no_store_too(contract_officer):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {tokens.token_create(user=contract_officer, name='C', scope='read').key}"
    )

    response = client.get("/api/v1/contracts/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
