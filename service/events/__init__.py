"""Signed event notifications to internal services, from a transactional outbox."""
