"""The append-only audit trail: queued events, the sequencer and its Merkle tree, signed and
anchored tree heads, proofs, verify, export."""
