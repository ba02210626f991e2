"""Data inventory: what is held, about whom, and who saw it (API.md, "Inventory")."""
