# Strongroom's serving policy: what `strongroom serve` may do with OpenBao/Vault, nothing more.
# Attached to the AppRole "strongroom" by `strongroom vault setup`.
#
# It wraps and unwraps customers' data keys, signs and checks the audit trail's tree heads,
# keys the blind index, and anchors tree heads write-once. It cannot rotate a key, change a
# key's configuration (lower the minimum decryption version), trim, export or delete one:
# those need the operator policy (strongroom-operator.hcl).
#
# Paths use the default names (mount "transit", keys strongroom-data/-audit/-index, anchors
# under secret/strongroom/audit/sth); `strongroom vault setup` rewrites them for other names.

# Data-wrapping key: new data keys, unwrap, and its metadata (versions; no key material).
path "transit/datakey/plaintext/strongroom-data" {
  capabilities = ["update"]
}
path "transit/decrypt/strongroom-data" {
  capabilities = ["update"]
}
path "transit/keys/strongroom-data" {
  capabilities = ["read"]
}

# Audit signing key (ed25519): sign tree heads, verify them, read its public keys.
path "transit/sign/strongroom-audit" {
  capabilities = ["update"]
}
path "transit/verify/strongroom-audit" {
  capabilities = ["update"]
}
path "transit/keys/strongroom-audit" {
  capabilities = ["read"]
}

# Blind index key: HMAC only (the algorithm in the path for batches: keyed_digests).
path "transit/hmac/strongroom-index" {
  capabilities = ["update"]
}
path "transit/hmac/strongroom-index/sha2-256" {
  capabilities = ["update"]
}
path "transit/keys/strongroom-index" {
  capabilities = ["read"]
}

# Audit anchors: create a new tree head, read them back; never update or delete one.
# In KV v2 a write to an existing path needs "update", so "create" alone is write-once.
path "secret/data/strongroom/audit/sth/*" {
  capabilities = ["create", "read"]
}
path "secret/metadata/strongroom/audit/sth/*" {
  capabilities = ["read", "list"]
}
path "secret/metadata/strongroom/audit/sth" {
  capabilities = ["list"]
}
