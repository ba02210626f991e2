# Strongroom's operator policy: what `strongroom keys rotate [--retire]` needs, for a person
# (or a short-lived token), never for the running service.
#
# Rotate the data-wrapping key, rewrap stored data keys under the new version, retire old
# versions (minimum decryption/encryption version) and trim them for good
# (min_available_version), so that an old backup can no longer be unwrapped.
# The blind index key may be rotated, retired and trimmed the same way (after a re-index);
# the audit signing key only rotated: its old versions must keep verifying old tree heads.
#
# Paths use the default names; `strongroom vault setup` rewrites them for other names.

path "transit/keys/strongroom-data" {
  capabilities = ["read"]
}
path "transit/keys/strongroom-data/rotate" {
  capabilities = ["update"]
}
path "transit/keys/strongroom-data/config" {
  capabilities = ["update"]
}
path "transit/keys/strongroom-data/trim" {
  capabilities = ["update"]
}
path "transit/rewrap/strongroom-data" {
  capabilities = ["update"]
}

path "transit/keys/strongroom-audit" {
  capabilities = ["read"]
}
path "transit/keys/strongroom-audit/rotate" {
  capabilities = ["update"]
}

# Seal the audit events a rotation writes (an HMAC under the index key; see
# service/audit/seal.py): without it, the sequencer would refuse them as anyone's.
path "transit/hmac/strongroom-index/sha2-256" {
  capabilities = ["update"]
}

path "transit/keys/strongroom-index" {
  capabilities = ["read"]
}
path "transit/keys/strongroom-index/rotate" {
  capabilities = ["update"]
}
path "transit/keys/strongroom-index/config" {
  capabilities = ["update"]
}
path "transit/keys/strongroom-index/trim" {
  capabilities = ["update"]
}
