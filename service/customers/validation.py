"""Checks and normal forms for the personal data a customer is created with.

Every error message names the rule, never the value.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from service.customers.countries import ISO_3166_ALPHA2

MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 200
MAX_METADATA_KEYS = 50
MAX_METADATA_KEY_LENGTH = 40
MAX_METADATA_VALUE_LENGTH = 500

_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_TOP_LEVEL = re.compile(r"^([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")
PAYMENT_METHOD = re.compile(r"^pm_[A-Za-z0-9_]{1,200}$")


def no_control_characters(value: str) -> str:
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("control characters are not allowed")
    return value


def person_name(value: str) -> str:
    value = value.strip()
    if not 1 <= len(value) <= MAX_NAME_LENGTH:
        raise ValueError(f"a name has 1 to {MAX_NAME_LENGTH} characters")
    return no_control_characters(value)


def email_address(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValueError(f"an email address has at most {MAX_EMAIL_LENGTH} characters")
    local, at, domain = value.rpartition("@")
    labels = domain.split(".")
    valid = (
        at == "@"
        and 1 <= len(local) <= 64
        and _LOCAL_PART.match(local) is not None
        and len(labels) >= 2
        and all(_DOMAIN_LABEL.match(label) for label in labels)
        and _TOP_LEVEL.match(labels[-1]) is not None
    )
    if not valid:
        raise ValueError("not a valid email address")
    return value


def normalised_email(value: str) -> str:
    """The form the blind index is computed over: trimmed and lower-cased."""
    return value.strip().lower()


def phone_number(value: str) -> str:
    """An international number with its country code, returned in E.164 form."""
    if not value.strip().startswith("+"):
        raise ValueError("a phone number starts with + and its country code")
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValueError("not a valid international phone number") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError("not a valid international phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_country_code(e164: str) -> int:
    return int(phonenumbers.parse(e164, None).country_code)


def country_code(value: str) -> str:
    code = value.strip().upper()
    if code not in ISO_3166_ALPHA2:
        raise ValueError("country must be an ISO 3166-1 alpha-2 code")
    return code


def metadata(values: dict[str, str]) -> dict[str, str]:
    if len(values) > MAX_METADATA_KEYS:
        raise ValueError(f"metadata has at most {MAX_METADATA_KEYS} keys")
    for key, value in values.items():
        if not 1 <= len(key) <= MAX_METADATA_KEY_LENGTH:
            raise ValueError(f"metadata keys have 1 to {MAX_METADATA_KEY_LENGTH} characters")
        if len(value) > MAX_METADATA_VALUE_LENGTH:
            raise ValueError(f"metadata values have at most {MAX_METADATA_VALUE_LENGTH} characters")
    return values
