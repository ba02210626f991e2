"""Masks: what a caller without the right to reveal may see of each value."""

from __future__ import annotations

from typing import Any

from service.customers.validation import phone_country_code

MASK = "***"


def mask_name(name: str) -> str:
    return " ".join(word[0] + MASK for word in name.split())


def mask_email(email: str) -> str:
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}{MASK}@{domain}"


def mask_phone(e164: str) -> str:
    return f"+{phone_country_code(e164)} {MASK}{e164[-4:]}"


def mask_address(address: dict[str, Any]) -> dict[str, str]:
    return {"country": address["country"]}


def mask_card(card: dict[str, Any]) -> dict[str, str]:
    return {"brand": card["brand"], "last4": card["last4"]}
