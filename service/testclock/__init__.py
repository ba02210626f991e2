"""The test clock: time that stands still between explicit moves."""
