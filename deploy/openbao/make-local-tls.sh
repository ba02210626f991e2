#!/usr/bin/env bash
# For local use only: a self-signed CA and a server certificate for OpenBao, signed by it.
#
#   deploy/openbao/make-local-tls.sh DIR [EXTRA_DNS_NAME...]
#
# Writes DIR/ca.pem (give it to Strongroom: STRONGROOM_VAULT_CA_CERT), DIR/ca-key.pem,
# DIR/openbao.pem and DIR/openbao-key.pem (OpenBao's listener). The server certificate names
# openbao (the compose service), localhost, 127.0.0.1 and any extra names given. Keys are 0600.
# Refuses to overwrite an existing CA. In production use your organisation's CA instead.
set -euo pipefail
dir=${1:?usage: make-local-tls.sh DIR [EXTRA_DNS_NAME...]}
shift
if [ -e "$dir/ca.pem" ]; then
  echo "make-local-tls: $dir/ca.pem exists; refusing to replace a CA (remove the directory first)" >&2
  exit 1
fi
mkdir -p "$dir"
umask 077
san="DNS:openbao,DNS:localhost,IP:127.0.0.1"
for name in "$@"; do san="$san,DNS:$name"; done

openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 825 \
  -subj "/CN=Strongroom local CA" -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
  -subj "/CN=openbao" -keyout "$dir/openbao-key.pem" -out "$dir/openbao.csr" 2>/dev/null
openssl x509 -req -in "$dir/openbao.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" \
  -CAcreateserial -days 825 -sha256 -out "$dir/openbao.pem" \
  -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$san") \
  2>/dev/null
rm -f "$dir/openbao.csr" "$dir/ca.srl"
chmod 0644 "$dir/ca.pem" "$dir/openbao.pem"
echo "CA: $dir/ca.pem   server certificate: $dir/openbao.pem ($san)"
