"""Canary personal values: tests send them through the API; they must never show up in a log,
an audit event or export, an event payload or an error body. ``scan`` finds them."""

from __future__ import annotations

NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.quillfeather@canary-mail.example"
PHONE = "+14155550134"
ADDRESS_LINE = "17 Marigold Crescent"
CITY = "Wickersham"
POSTAL_CODE = "WK7 3QZ"
METADATA_VALUE = "loyalty-card-9182736455"
PURPOSE = "ticket 4411 for Zephyrine Quillfeather"

CANARIES = (
    NAME,
    EMAIL,
    PHONE,
    ADDRESS_LINE,
    CITY,
    POSTAL_CODE,
    METADATA_VALUE,
    "Quillfeather",
    "quillfeather@",
)


def canary_customer(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": NAME,
        "email": EMAIL,
        "phone": PHONE,
        "address": {
            "line1": ADDRESS_LINE,
            "city": CITY,
            "postal_code": POSTAL_CODE,
            "country": "GB",
        },
        "metadata": {"crm_ref": METADATA_VALUE},
    }
    body.update(overrides)
    return body


def scan(text: str) -> list[str]:
    """The canaries found in ``text`` (case-insensitive)."""
    lowered = text.lower()
    return [canary for canary in CANARIES if canary.lower() in lowered]


def scan_processor_object(obj: object, tokens: list[str]) -> list[str]:
    """Canaries or Strongroom tokens in what the payment processor holds (a Stripe object as
    the SDK returns it): after an erasure nothing there may name the erased customer."""
    text = str(obj.to_dict() if hasattr(obj, "to_dict") else obj)
    return scan(text) + [token for token in tokens if token in text]
