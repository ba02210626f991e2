"""Idempotency keys: claimed before the work, replayed for an equal body."""
