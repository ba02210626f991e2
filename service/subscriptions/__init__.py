"""Subscriptions: the billing calendar, the pause schedule engine and their API."""
