"""Keys: the key-service port (Transit through hvac), envelope encryption, the data-key cache."""
