#!/usr/bin/env bash
# Makes the mock's test certificates (committed; run again only when scenarios change):
# ca.pem, a test CA, and cert.pem/key.pem, the server certificate it signs for 127.0.0.1,
# localhost and mta-sts.<scenario> of every scenario in server.mjs. Chromium accepts the
# server with --ignore-certificate-errors; the CLI trusts it with --ca-cert ca.pem, so its
# tests go through real certificate validation. Test material only: the keys are public.
set -euo pipefail
cd "$(dirname "$0")"
sans=$(node -e "import('./server.mjs').then((m) => console.log(['DNS:localhost', 'IP:127.0.0.1', ...Object.keys(m.SCENARIOS).map((d) => 'DNS:mta-sts.' + d)].join(',')))")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca-key.pem" -out ca.pem -days 36500 \
  -subj "/CN=mtasts test CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout key.pem -out "$tmp/req.pem" -subj "/CN=mtasts test mock" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$sans" > "$tmp/ext.cnf"
openssl x509 -req -in "$tmp/req.pem" -CA ca.pem -CAkey "$tmp/ca-key.pem" -CAcreateserial -out cert.pem -days 36500 -extfile "$tmp/ext.cnf" 2>/dev/null
# The same certificate in DER, for the probe fuzz target (fuzz/fuzz_targets/probe.rs).
openssl x509 -in cert.pem -outform der -out cert.der
echo "made ca.pem, cert.pem, cert.der, key.pem for: $sans"
