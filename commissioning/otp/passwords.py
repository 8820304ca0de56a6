"""A password rule Django's own validators leave out: enough different characters.

Django's length, common-password and all-digits checks accept "aaaaaaaaaaaa" or "abcabcabcabc". Counting the
distinct characters refuses those while leaving passphrases ("correct horse battery") untouched.
"""

from django.core.exceptions import ValidationError


class VariedCharactersValidator:
    def __init__(self, min_distinct: int = 5):
        self.min_distinct = min_distinct

    def validate(self, password: str, user=None) -> None:
        if len(set(password)) < self.min_distinct:
            raise ValidationError(
                "This password repeats too few characters. Use at least %(min_distinct)d different characters.",
                code="password_too_repetitive",
                params={"min_distinct": self.min_distinct},
            )

    def get_help_text(self) -> str:
        return f"Your password must use at least {self.min_distinct} different characters."
