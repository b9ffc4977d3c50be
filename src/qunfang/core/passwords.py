from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of: lower-case letters, upper-case letters, digits, other characters."""

    required = 3

    def validate(self, password: str, user: object = None) -> None:
        classes = (
            any(c.isascii() and c.islower() for c in password),
            any(c.isascii() and c.isupper() for c in password),
            any(c.isascii() and c.isdigit() for c in password),
            # symbols, and any non-ASCII character such as Chinese
            any(not (c.isascii() and c.isalnum()) for c in password),
        )
        if sum(classes) < self.required:
            raise ValidationError(
                _(
                    "The password must mix at least three of: lower-case letters, upper-case "
                    "letters, digits and symbols."
                ),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _(
            "Use at least three of: lower-case letters, upper-case letters, digits and symbols."
        )
