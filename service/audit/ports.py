"""What the trail needs of the key service, declared here so that the audit package does not
import the keys package (which writes audit events of its own): signing tree heads, anchoring
them, the public keys that check them, and the seal key of queued events.
``keys.port.KeyService`` provides all of it."""

from __future__ import annotations

from typing import Protocol

from service.audit.anchors import AnchorStore
from service.audit.seal import SealKeys
from service.audit.tree_heads import TreeHeadSigner


class TrailKeys(TreeHeadSigner, AnchorStore, SealKeys, Protocol):
    def audit_public_keys(self) -> dict[int, bytes]:
        """Raw ed25519 public keys of every version of the audit signing key."""
        ...
