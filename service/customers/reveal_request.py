"""What a reveal asks for, checked the same way by the API (``GET …/reveal``) and the console:
the purpose as the audit keeps it, and the field names."""

from __future__ import annotations

from service.core.errors import InvalidRequest, ValidationFailed
from service.customers import free_text
from service.customers.sensitive import REVEALABLE
from service.customers.validation import no_control_characters

MAX_PURPOSE_LENGTH = 200


def purpose_for_audit(header: str | None) -> str | None:
    """The purpose as the audit keeps it: checked, then redacted and capped."""
    if header is None or not header.strip():
        raise InvalidRequest("Revealing personal data needs an X-Purpose header.")
    if len(header) > MAX_PURPOSE_LENGTH:
        raise ValidationFailed(f"X-Purpose is longer than {MAX_PURPOSE_LENGTH} characters.")
    try:
        no_control_characters(header)
    except ValueError:
        raise ValidationFailed("X-Purpose contains a control character.") from None
    return free_text.for_audit(header)


def fields_to_reveal(raw: str | None) -> list[str]:
    """The comma-separated field names, each revealable, without repeats, in order."""
    names = [name.strip() for name in (raw or "").split(",") if name.strip()]
    if not names:
        raise ValidationFailed("Name the fields to reveal: ?fields=name,email.")
    unknown = [name for name in names if name not in REVEALABLE]
    if unknown:
        raise ValidationFailed("Only these fields can be revealed: " + ", ".join(REVEALABLE) + ".")
    return list(dict.fromkeys(names))
