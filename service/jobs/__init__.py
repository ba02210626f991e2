"""Scheduled work: pause transitions, recurring charges, notices, deliveries."""
