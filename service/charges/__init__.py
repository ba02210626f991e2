"""Charges: one-off charges on request, recurring charges by the jobs, and the reconciler."""
