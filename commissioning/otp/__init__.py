"""Optional TOTP second factor for administrators (RFC 6238 codes from an authenticator app).

Built on django-otp's TOTP devices. An administrator enrols from "Sign-in security"; from then on
each sign-in asks for the code after the password, and nothing (the admin site included) opens
until it is given. People who have not enrolled sign in with their password alone.
"""
