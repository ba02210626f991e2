"""The payment-processor port and its Stripe adapter: Stripe only moves money."""

from __future__ import annotations

from service.processors.port import ChargeOutcome, PaymentProcessor, ProcessorCustomer

__all__ = ["ChargeOutcome", "PaymentProcessor", "ProcessorCustomer"]
