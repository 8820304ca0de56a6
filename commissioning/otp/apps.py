from django.apps import AppConfig


class OtpConfig(AppConfig):
    name = "commissioning.otp"
    label = "commissioning_otp"
    verbose_name = "Sign-in second factor"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import schema  # noqa: F401 - registers the API token scheme with drf-spectacular
        from .services import remember_second_factor_at_login

        user_logged_in.connect(remember_second_factor_at_login, dispatch_uid="commissioning.otp.login")
