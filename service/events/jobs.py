"""The events domain's jobs: notices that become due, then deliveries."""

from __future__ import annotations

# importing the modules registers their jobs
from service.events import delivery as delivery
from service.events import notices as notices
