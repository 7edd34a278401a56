#!/usr/bin/env bash
# Remakes the certificate fixtures of cases.json (run by hand, never by the tests: the
# files are committed, so every run of the tests judges the same bytes). Needs openssl and
# python3 with aiosmtpd (.ci/setup installs it): the *-openssl.txt files are what
# `openssl s_client -starttls smtp -showcerts` printed against tests/smtp/server.py.
# The leaf certificates are valid 2025-2125 (expired: 2020-2021); after remaking, the TLSA
# digests in cases.json change: print them with the last two commands below.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
server="$out/../smtp/server.py"
w="$(mktemp -d)"
trap 'rm -rf "$w"' EXIT
cd "$w"
mkdir db && : > db/index.txt && echo 1000 > db/serial
printf '[ca]\ndefault_ca=t\n[t]\ndatabase=db/index.txt\nserial=db/serial\nnew_certs_dir=db\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n' > ca.cnf
ec=(ec -pkeyopt ec_paramgen_curve:P-256)
openssl req -x509 -newkey "${ec[@]}" -nodes -keyout ca.key -out ca.pem -subj "/O=mtasts tests/CN=mtasts test CA" \
  -days 36500 -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -x509 -newkey "${ec[@]}" -nodes -keyout other.key -out other.pem -subj "/CN=unrelated CA" -days 36500
leaf() { # name CN subjectAltName from to digest key-options...
  local name=$1 cn=$2 san=$3 from=$4 to=$5 md=$6; shift 6
  openssl req -new -newkey "$@" -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn"
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$san" > "$name.ext"
  openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in "$name.csr" -out "$name.crt" -extfile "$name.ext" \
    -md "$md" -startdate "$from" -enddate "$to" -notext
  openssl x509 -in "$name.crt" -out "$name.pem"
}
leaf good mx.cert.test DNS:mx.cert.test 20250101000000Z 21250101000000Z sha256 "${ec[@]}"
leaf expired mx.cert.test DNS:mx.cert.test 20200101000000Z 20210101000000Z sha256 "${ec[@]}"
leaf wrongname other.cert.test DNS:other.cert.test 20250101000000Z 21250101000000Z sha256 "${ec[@]}"
leaf wildcard '*.cert.test' 'DNS:*.cert.test' 20250101000000Z 21250101000000Z sha256 "${ec[@]}"
leaf weak mx.cert.test DNS:mx.cert.test 20250101000000Z 21250101000000Z sha1 rsa:1024
# openssl s_client against the test SMTP server: MODE CHAIN KEY CAFILE OUTPUT
s_client() {
  python3 "$server" "$1" ${2:+"$2" "$3"} > srv.txt &
  local pid=$!
  for _ in $(seq 50); do grep -q ready srv.txt && break; sleep 0.1; done
  timeout 10 openssl s_client -starttls smtp -connect "127.0.0.1:$(awk '/ready/{print $2}' srv.txt)" \
    -servername mx.cert.test -showcerts -CAfile "$4" < /dev/null > "$out/$5" 2>&1 || true
  kill "$pid"
}
cat good.pem ca.pem > good-chain.pem
cat expired.pem ca.pem > expired-chain.pem
s_client starttls good-chain.pem good.key ca.pem good-openssl.txt
s_client starttls expired-chain.pem expired.key ca.pem expired-openssl.txt
s_client starttls good.pem good.key other.pem untrusted-openssl.txt
s_client plain "" "" ca.pem no-starttls-openssl.txt
cat wrongname.pem ca.pem > "$out/wrong-name.pem"
cat wildcard.pem ca.pem > "$out/wildcard.pem"
cat weak.pem ca.pem > "$out/weak.pem"
cat ca.pem good.pem > "$out/reversed.pem"
cp ca.pem "$out/ca.pem"
# What openssl prints when the handshake fails before any certificate (written, not captured).
printf 'CONNECTED(00000003)\n40C7F1E8B87F0000:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:../ssl/record/rec_layer_s3.c:1605:SSL alert number 40\n---\nno peer certificate available\n---\nNo client certificate CA names sent\n---\nSSL handshake has read 7 bytes and written 322 bytes\nVerification: OK\n---\nNew, (NONE), Cipher is (NONE)\n' > "$out/no-certificate.txt"
printf -- '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGUgYXQgYWxsLCBqdXN0IHRleHQu\n-----END CERTIFICATE-----\n' > "$out/garbage.pem"
echo "3 1 1 $(openssl x509 -in good.pem -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)"
echo "2 0 1 $(openssl x509 -in ca.pem -outform DER | sha256sum | cut -c1-64)"
