"""Every column that holds personal or payment data, declared once.

The vault encrypts exactly these columns (the declaration names the column and the associated
data's table/column) and the inventory reads the same declarations to say what is held. The
columns holding the data keys those ciphertexts are sealed under are declared here too
(``KEY_HOLDERS``): a key rotation rewraps every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.keys.keystore import KeyHolder

CUSTOMERS_TABLE = "customers"


@dataclass(frozen=True)
class SensitiveColumn:
    """One encrypted column: its inventory category, where it lives, and what it holds."""

    category: str
    table: str
    column: str
    description: str


NAME = SensitiveColumn(
    "contact.name", CUSTOMERS_TABLE, "name_ciphertext", "the customer's full name"
)
EMAIL = SensitiveColumn(
    "contact.email", CUSTOMERS_TABLE, "email_ciphertext", "the customer's email address"
)
PHONE = SensitiveColumn(
    "contact.phone", CUSTOMERS_TABLE, "phone_ciphertext", "the customer's phone number"
)
ADDRESS = SensitiveColumn(
    "contact.address",
    CUSTOMERS_TABLE,
    "address_ciphertext",
    "postal address: line1, line2, city, postal code, country",
)
CARD = SensitiveColumn(
    "payment.card",
    CUSTOMERS_TABLE,
    "card_ciphertext",
    "the default card's brand, last four digits and expiry",
)
PROCESSOR_REF = SensitiveColumn(
    "payment.processor_ref",
    CUSTOMERS_TABLE,
    "processor_ref_ciphertext",
    "the payment processor's customer id and payment method id",
)
METADATA = SensitiveColumn(
    "customer.metadata",
    CUSTOMERS_TABLE,
    "metadata_ciphertext",
    "free-form metadata given by the caller (keys and values)",
)

SUBSCRIPTION_METADATA = SensitiveColumn(
    "customer.metadata",
    "subscriptions",
    "metadata_ciphertext",
    "free-form metadata given by the caller on a subscription (keys and values)",
)

PAUSE_REASON = SensitiveColumn(
    "customer.metadata",
    "pauses",
    "reason_ciphertext",
    "free-text reason given for a pause (redacted, sealed under the customer's data key)",
)

CHARGE_DESCRIPTION = SensitiveColumn(
    "customer.metadata",
    "charges",
    "description_ciphertext",
    "free-text description of a one-off charge (redacted, sealed under the customer's data key)",
)

SENSITIVE_COLUMNS: tuple[SensitiveColumn, ...] = (
    NAME,
    EMAIL,
    PHONE,
    ADDRESS,
    CARD,
    PROCESSOR_REF,
    METADATA,
    SUBSCRIPTION_METADATA,
    PAUSE_REASON,
    CHARGE_DESCRIPTION,
)

# The fields a caller may ask to reveal, and the column holding each.
REVEALABLE: dict[str, SensitiveColumn] = {
    "name": NAME,
    "email": EMAIL,
    "phone": PHONE,
    "address": ADDRESS,
}

# Every column holding a data key wrapped by the key service, with its table's id and version
# columns (None: the version is read from the wrapped value).
KEY_HOLDERS: tuple[KeyHolder, ...] = (
    KeyHolder(CUSTOMERS_TABLE, "id", "wrapped_data_key", "key_version"),
    KeyHolder("subscriptions", "id", "wrapped_data_key", "key_version"),
    KeyHolder("webhook_endpoints", "id", "wrapped_key", "key_version"),
    KeyHolder("idempotency_keys", "key", "wrapped_key", None),
    KeyHolder("bulk_operations", "id", "wrapped_key", "key_version"),
    KeyHolder("processor_erasures", "customer", "wrapped_data_key", "key_version"),
)
