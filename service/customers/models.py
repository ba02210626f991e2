"""The customers table: tokens, a wrapped data key, a blind index, and ciphertexts only.

Nothing here is readable without the customer's data key, which is stored only wrapped by the
key service. Erasure sets the wrapped key, the blind index and every ciphertext to NULL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import Base, UTCDateTime
from service.customers.sensitive import CUSTOMERS_TABLE

CUSTOMER_ID_PREFIX = "cus_tok_"


class Customer(Base):
    __tablename__ = CUSTOMERS_TABLE

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # The customer's data key as the key service wrapped it ("vault:vN:…") and N.
    wrapped_data_key: Mapped[str | None] = mapped_column(Text, nullable=True)
    key_version: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # Generation of the data key itself, bound into every ciphertext's associated data; a
    # Transit rewrap changes key_version but never this.
    data_key_generation: Mapped[int | None] = mapped_column(Integer, nullable=True)

    # Keyed HMAC (by the key service) of the normalised email, for exact-match search.
    email_index: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # How email_index was computed: 0 = the old label-less HMAC under index-key version 1;
    # N >= 1 = the field-labelled HMAC under index-key version N (service.customers.blind_index).
    email_index_version: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    name_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    email_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    phone_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    address_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    card_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    processor_ref_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    metadata_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


class ProcessorErasure(Base):
    """An erased customer the payment processor still holds, because the key service or the
    processor was down when it was erased. Only what the deletion needs is kept — the processor
    reference, still sealed, and the data key it is sealed under, still wrapped — and the row
    is deleted as soon as the processor has deleted its customer (``processor_erasure`` job),
    which first settles the customer's pending charges by look-up with that reference."""

    __tablename__ = "processor_erasures"

    customer: Mapped[str] = mapped_column(String(40), primary_key=True)
    wrapped_data_key: Mapped[str] = mapped_column(Text)
    key_version: Mapped[int] = mapped_column(Integer)
    data_key_generation: Mapped[int] = mapped_column(Integer)
    processor_ref_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
