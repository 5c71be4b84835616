#!/usr/bin/env bash
# Makes the certificates of tests/integration/test_transport.sh in DIR with openssl:
#   root.pem              test root CA (the ca_file of the tests)
#   good.chain            localhost/127.0.0.1/::1 leaf (EC P-256) + intermediate CA
#   rsa.chain             localhost/127.0.0.1 leaf (RSA 2048), signed by the root
#   wrongname.chain       leaf for wrong.example only
#   expired.chain         leaf valid 2001-2002
#   notyet.chain          leaf valid 2090-2095
#   selfsigned.chain      self-signed leaf for localhost/127.0.0.1
#   untrusted.chain       leaf + an unknown root ("other root")
# and NAME.key for each. Every validity period except expired/notyet is 2020-2040, so the
# certificates are valid both now and at the build time (the clock-floor test).
# Usage: make_certs.sh DIR
set -euo pipefail
D=${1:?usage: make_certs.sh DIR}
mkdir -p "$D/newcerts"
cd "$D"
: > index.txt
echo 1000 > serial
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = policy_any
copy_extensions = none
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::SAN
[ v3_self ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = $ENV::SAN
CNF
export SAN="DNS:localhost"
q() { "$@" > /dev/null 2>&1 || { echo "make_certs.sh: failed: $*" >&2; "$@"; exit 1; }; }

key() { # NAME ec|rsa
    if [ "$2" = rsa ]; then q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key"
    else q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; fi
}
csr() { q openssl req -new -config ca.cnf -key "$1.key" -subj "/CN=$2" -out "$1.csr"; }
# sign NAME ISSUER EXT START END
sign() {
    if [ "$2" = self ]; then
        q openssl ca -batch -config ca.cnf -selfsign -keyfile "$1.key" -in "$1.csr" -out "$1.pem" \
            -extensions "$3" -startdate "$4" -enddate "$5" -notext
    else
        q openssl ca -batch -config ca.cnf -cert "$2.pem" -keyfile "$2.key" -in "$1.csr" -out "$1.pem" \
            -extensions "$3" -startdate "$4" -enddate "$5" -notext
    fi
}
A=20200101000000Z B=20400101000000Z
key root ec; csr root "acme.c test root"; sign root self v3_ca $A $B
key other ec; csr other "acme.c other root"; sign other self v3_ca $A $B
key inter ec; csr inter "acme.c test intermediate"; sign inter root v3_ca $A $B

LOCAL="DNS:localhost,IP:127.0.0.1,IP:::1"
SAN=$LOCAL; key good ec; csr good localhost; sign good inter v3_leaf $A $B
cat good.pem inter.pem > good.chain
SAN=$LOCAL; key rsa rsa; csr rsa localhost; sign rsa root v3_leaf $A $B
cp rsa.pem rsa.chain
SAN="DNS:wrong.example"; key wrongname ec; csr wrongname wrong.example; sign wrongname root v3_leaf $A $B
cp wrongname.pem wrongname.chain
SAN=$LOCAL; key expired ec; csr expired localhost; sign expired root v3_leaf 20010101000000Z 20020101000000Z
cp expired.pem expired.chain
SAN=$LOCAL; key notyet ec; csr notyet localhost; sign notyet root v3_leaf 20900101000000Z 20950101000000Z
cp notyet.pem notyet.chain
SAN=$LOCAL; key selfsigned ec; csr selfsigned localhost; sign selfsigned self v3_self $A $B
cp selfsigned.pem selfsigned.chain
SAN=$LOCAL; key untrusted ec; csr untrusted localhost; sign untrusted other v3_leaf $A $B
cat untrusted.pem other.pem > untrusted.chain
