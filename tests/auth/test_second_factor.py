"""Administrators who sign in with a password must have an authenticator app: the first sign-in without one
sets it up, and from then on every sign-in asks for its code or a single-use backup code.

(Moved here from tests/security/test_two_factor.py.)"""

import binascii
import re
import time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from commissioning import roles
from commissioning.models import BackupCode
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

    response = client.post(reverse("two_factor:enrol"), {"code": _code(secret)})

    assert response.status_code == 200
    assert b"Your backup codes" in response.content
    assert response["Cache-Control"] == "no-store"
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


def test_an_administrator_without_an_app_is_sent_to_set_one_up_at_sign_in(client, admin_user):
    response = _sign_in(client, admin_user, next_url="/admin/")
    assert response["Location"] == "/admin/"

    for path in ("/admin/", "/", reverse("tokens"), reverse("two_factor:manage")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("two_factor:enrol")), path
    api = client.get("/api/v1/contracts/", HTTP_ACCEPT="application/json")
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"
    assert "authenticator app" in api.json()["detail"]
    page = client.get(reverse("two_factor:enrol"))
    assert page.status_code == 200
    assert b"Administrators need a second sign-in step" in page.content


def test_setting_up_the_app_at_first_sign_in_opens_the_service(client, admin_user):
    _sign_in(client, admin_user, next_url="/admin/")
    client.get(reverse("two_factor:enrol") + "?next=/admin/")
    secret = client.session[ENROL_SECRET_SESSION_KEY]

    response = client.post(reverse("two_factor:enrol") + "?next=/admin/", {"code": _code(secret)})

    assert b'href="/admin/"' in response.content  # "I have saved my backup codes" carries on where they were going
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/v1/contracts/").status_code == 200


def test_a_superuser_without_the_administrator_role_must_set_up_an_app_too(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()

    _sign_in(client, user)

    assert client.get("/admin/")["Location"].startswith(reverse("two_factor:enrol"))


def test_a_single_sign_on_session_whose_provider_checked_a_second_factor_needs_no_app(client, admin_user):
    _sign_in(client, admin_user)
    session = client.session
    session["sso_mfa"] = True
    session.save()

    assert client.get("/admin/").status_code == 200


def test_a_session_flag_that_is_only_truthy_does_not_count_as_the_providers_second_factor(client, admin_user):
    _sign_in(client, admin_user)
    session = client.session
    session["sso_mfa"] = "yes"
    session.save()

    assert client.get("/admin/").status_code == 302


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


def test_an_administrator_who_removes_the_app_must_set_up_a_new_one(client, enrolled_admin):
    user, device = enrolled_admin
    _sign_in(client, user)
    client.post(reverse("two_factor:verify"), {"code": _code(device.key)})

    client.post(reverse("two_factor:remove"))

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor:enrol"))
    client.post(reverse("logout"))
    _sign_in(client, user)
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor:enrol"))


def test_the_code_page_lets_someone_whose_device_was_deleted_through_to_set_up_a_new_one(client, enrolled_admin):
    user, device = enrolled_admin
    _sign_in(client, user)
    device.delete()  # e.g. another administrator removed a lost phone's device

    response = client.get(reverse("two_factor:verify") + "?next=/admin/")

    assert response["Location"] == "/admin/"
    client.post(reverse("logout"))
    _sign_in(client, user)
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor:enrol"))


# --- Backup codes --------------------------------------------------------------------------------------------


def _enrol(client, user) -> list[str]:
    """Set up the app through the pages; the backup codes shown once."""
    client.force_login(user)
    client.get(reverse("two_factor:enrol"))
    secret = client.session[ENROL_SECRET_SESSION_KEY]
    page = client.post(reverse("two_factor:enrol"), {"code": _code(secret)}).content.decode()
    return re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", page)


def test_setting_up_gives_ten_backup_codes_kept_only_as_hashes(client, admin_user):
    codes = _enrol(client, admin_user)

    assert len(codes) == 10
    assert len(set(codes)) == 10
    stored = list(BackupCode.objects.filter(user=admin_user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in codes:
        assert code not in stored
        assert code.replace("-", "") not in stored
    assert f"{unused_backup_codes_text(10)}" in client.get(reverse("two_factor:manage")).content.decode()


def unused_backup_codes_text(n: int) -> str:
    return f"You have {n} unused backup code"


def test_a_backup_code_opens_the_service_once_only(client, admin_user):
    codes = _enrol(client, admin_user)
    client.post(reverse("logout"))

    _sign_in(client, admin_user)
    response = client.post(f"{reverse('two_factor:verify')}?next=/admin/", {"code": codes[3].upper()})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert unused_backup_codes_text(9) in client.get(reverse("two_factor:manage")).content.decode()
    client.post(reverse("logout"))

    other = client.__class__()
    _sign_in(other, admin_user)
    again = other.post(reverse("two_factor:verify"), {"code": codes[3]})
    assert again.status_code == 400
    assert b"used already" in again.content
    assert other.get("/admin/")["Location"].startswith(reverse("two_factor:verify"))


def test_a_made_up_backup_code_is_refused_and_slows_down_guessing(client, admin_user):
    codes = _enrol(client, admin_user)
    client.post(reverse("logout"))
    _sign_in(client, admin_user)

    wrong = client.post(reverse("two_factor:verify"), {"code": "abcd-efgh-jkmn-pqrs"})
    right_too_soon = client.post(reverse("two_factor:verify"), {"code": codes[0]})

    assert wrong.status_code == 400
    assert b"backup code is not right" in wrong.content
    assert b"Too many wrong codes" in right_too_soon.content
    assert not BackupCode.objects.filter(used_at__isnull=False).exists()


def test_new_backup_codes_replace_the_old_ones(client, admin_user):
    old = _enrol(client, admin_user)

    page = client.post(reverse("two_factor:backup_codes")).content.decode()
    new = re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", page)
    client.post(reverse("logout"))
    _sign_in(client, admin_user)

    assert len(new) == 10
    assert not set(new) & set(old)
    assert client.post(reverse("two_factor:verify"), {"code": old[0]}).status_code == 400


def test_only_someone_with_an_app_can_make_backup_codes(client, admin_user):
    client.force_login(admin_user)

    assert client.post(reverse("two_factor:backup_codes")).status_code == 403
    assert not BackupCode.objects.exists()


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
