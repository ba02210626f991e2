"""The append-only audit trail: events, hash chain, signed checkpoints, verify, export."""
