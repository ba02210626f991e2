"""Configuration, storage, errors, clock and logging shared by every domain."""
