"""Customers: the tokenized vault of personal and payment data."""
