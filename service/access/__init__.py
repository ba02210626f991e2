"""Principals, API keys, policies and the authorization dependency."""
