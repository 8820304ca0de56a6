"""Administrators may add an authenticator app; once they have, every sign-in asks for its code."""

import binascii
import time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from commissioning import roles
from commissioning.otp.views import ENROL_SECRET_SESSION_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase-2019"


def _code(secret_hex: str, *, steps_ahead: int = 0) -> str:
    totp = TOTP(binascii.unhexlify(secret_hex))
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def _wrong(code: str) -> str:
    return f"{(int(code) + 500000) % 1000000:06d}"


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="sysadmin", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user


@pytest.fixture
def enrolled_admin(admin_user):
    device = TOTPDevice.objects.create(user=admin_user, name="Authenticator app", confirmed=True)
    return admin_user, device


def _sign_in(client, user, next_url="/"):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD, "next": next_url})


def test_administrator_sees_the_key_and_address_to_set_up_an_app(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("two_factor:enrol"))

    assert response.status_code == 200
    secret = client.session[ENROL_SECRET_SESSION_KEY]
    assert b"otpauth://totp/" in response.content
    assert b"Council%20commissioning" in response.content  # the issuer the app shows
    assert b"data:image/svg+xml" in response.content  # QR code made here, no outside service
    assert not TOTPDevice.objects.filter(user=admin_user).exists(), "nothing is saved before a code proves it"
    assert secret


def test_a_correct_code_turns_the_second_factor_on(client, admin_user):
    client.force_login(admin_user)
    client.get(reverse("two_factor:enrol"))
    secret = client.session[ENROL_SECRET_SESSION_KEY]

    response = client.post(reverse("two_factor:enrol"), {"code": _code(secret)}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("two_factor:manage")
    assert b"Your authenticator app is set up" in response.content
    device = TOTPDevice.objects.get(user=admin_user)
    assert device.confirmed
    assert device.key == secret
    # The session that just proved the code stays signed in fully.
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_at_set_up_saves_nothing_and_says_why(client, admin_user):
    client.force_login(admin_user)
    client.get(reverse("two_factor:enrol"))
    secret = client.session[ENROL_SECRET_SESSION_KEY]

    response = client.post(reverse("two_factor:enrol"), {"code": _wrong(_code(secret))})

    assert response.status_code == 200
    assert b"The code is not right" in response.content
    assert b'href="#id_code"' in response.content
    assert not TOTPDevice.objects.filter(user=admin_user).exists()


@pytest.mark.parametrize("code", ["", "12345", "abcdef"])
def test_a_code_that_is_not_six_digits_is_refused_with_a_clear_message(client, admin_user, code):
    client.force_login(admin_user)

    response = client.post(reverse("two_factor:enrol"), {"code": code})

    assert b"6-digit code" in response.content or b"must be 6 digits" in response.content
    assert not TOTPDevice.objects.exists()


def test_after_the_password_an_enrolled_administrator_is_asked_for_the_code(client, enrolled_admin):
    user, device = enrolled_admin

    response = _sign_in(client, user, next_url="/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:verify"))
    page = client.get(response["Location"])
    assert b"Enter the code from your authenticator app" in page.content


def test_the_admin_site_stays_shut_until_the_code_is_given(client, enrolled_admin):
    user, device = enrolled_admin
    _sign_in(client, user)

    for path in ("/admin/", "/", "/accounts/two-factor/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("two_factor:verify")), path
    assert client.get("/api/v1/", HTTP_ACCEPT="application/json").status_code == 403


def test_a_correct_code_opens_the_admin_site(client, enrolled_admin):
    user, device = enrolled_admin
    _sign_in(client, user)

    response = client.post(f"{reverse('two_factor:verify')}?next=/admin/", {"code": _code(device.key)})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_keeps_the_door_shut(client, enrolled_admin):
    user, device = enrolled_admin
    _sign_in(client, user)

    response = client.post(reverse("two_factor:verify"), {"code": _wrong(_code(device.key))})

    assert response.status_code == 400
    assert b"The code is not right" in response.content
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor:verify"))


def test_wrong_codes_in_a_row_slow_down_guessing(client, enrolled_admin):
    user, device = enrolled_admin
    _sign_in(client, user)
    client.post(reverse("two_factor:verify"), {"code": _wrong(_code(device.key))})

    # Straight after a wrong code even the right one is refused for a moment.
    response = client.post(reverse("two_factor:verify"), {"code": _code(device.key)})

    assert b"Too many wrong codes" in response.content
    assert client.get("/admin/").status_code == 302


def test_a_code_cannot_be_used_twice(client, enrolled_admin):
    user, device = enrolled_admin
    code = _code(device.key)
    _sign_in(client, user)
    client.post(reverse("two_factor:verify"), {"code": code})
    client.post(reverse("logout"))

    other = client.__class__()
    _sign_in(other, user)
    response = other.post(reverse("two_factor:verify"), {"code": code})

    assert response.status_code == 400


def test_the_code_page_does_not_send_people_to_other_sites(client, enrolled_admin):
    user, device = enrolled_admin
    _sign_in(client, user)

    response = client.post(f"{reverse('two_factor:verify')}?next=https://evil.example/", {"code": _code(device.key)})

    assert response["Location"] == "/"


def test_staff_who_have_not_enrolled_sign_in_with_their_password_alone(client, admin_user):
    response = _sign_in(client, admin_user, next_url="/admin/")

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", [roles.COMMISSIONER, roles.CONTRACT_OFFICER, roles.SCRUTINY_MEMBER])
def test_other_roles_are_never_asked_for_a_code_and_cannot_enrol(client, role):
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=role))

    response = _sign_in(client, user)

    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get(reverse("two_factor:enrol")).status_code == 403
    assert client.post(reverse("two_factor:remove")).status_code == 403


def test_removing_the_app_stops_the_second_step(client, enrolled_admin):
    user, device = enrolled_admin
    _sign_in(client, user)
    client.post(reverse("two_factor:verify"), {"code": _code(device.key)})

    client.post(reverse("two_factor:remove"))
    client.post(reverse("logout"))
    _sign_in(client, user)

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get("/admin/").status_code == 200


def test_the_code_page_lets_someone_whose_device_was_deleted_through(client, enrolled_admin):
    user, device = enrolled_admin
    _sign_in(client, user)
    device.delete()  # e.g. another administrator removed a lost phone's device

    response = client.get(reverse("two_factor:verify") + "?next=/admin/")

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- The admin's pages for authenticator devices ------------------------------------------------------------


@pytest.mark.parametrize("page", ["config", "qrcode"])
def test_the_admin_page_of_a_device_that_does_not_exist_is_404(client, admin_user, page):
    client.force_login(admin_user)
    client.raise_request_exception = False

    response = client.get(reverse(f"admin:otp_totp_totpdevice_{page}", args=[999999]))

    assert response.status_code == 404


@pytest.mark.parametrize("page", ["config", "qrcode"])
def test_the_admin_page_of_a_device_that_exists_still_opens(client, admin_user, page):
    device = TOTPDevice.objects.create(user=UserFactory(username="other-admin", is_staff=True), name="Phone")
    client.force_login(admin_user)

    response = client.get(reverse(f"admin:otp_totp_totpdevice_{page}", args=[device.pk]))

    assert response.status_code == 200


def test_staff_without_the_right_to_see_devices_are_refused_whether_or_not_it_exists(client):
    device = TOTPDevice.objects.create(user=UserFactory(username="someone"), name="Phone")
    client.force_login(UserFactory(username="plain-staff", is_staff=True))

    statuses = {
        client.get(reverse("admin:otp_totp_totpdevice_config", args=[pk])).status_code for pk in (device.pk, 999999)
    }

    assert statuses == {403}, "the answer must not tell which devices exist"
