#!/usr/bin/env bash
# Makes the proof vectors of docs/FORMAT.md ("Proof file") with the real tools, on a
# fresh root CA, an intermediate (issuing) CA under it that issues the node's and the
# participants' certificates, and a channel `vectors`:
#   bash docs/vectors/proof/regenerate.sh .build/debug
# Keys and salts are new each run, so every file changes; verify.py and the tests check
# whatever this wrote. Last, the CAs revoke (after every block) the orderer as superseded
# and the issuing CA as compromised: the CRLs that say so are vectors of step 6.
set -euo pipefail
bin=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
node=""
trap '[ -n "$node" ] && kill "$node" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
"$bin/csp-ca" init --home root-ca --org Acme --name "Acme Root CA" >/dev/null
"$bin/csp-ca" init --home ca --org Acme --name "Acme Issuing CA" --parent root-ca >/dev/null
for entry in node:node root:admin alice:customer; do
  id=${entry%%:*}
  secret=$("$bin/csp-ca" register "$id" --home ca --role "${entry##*:}")
  "$bin/csp-ca" enroll "$id" --secret "$secret" --ca ca --out "$id" >/dev/null
done
python3 - <<'PY'
import json
json.dump({"channel": "vectors",
           "organizations": [{"name": "Acme", "certificates": [open("root-ca/ca-cert.pem").read(), open("ca/ca-cert.pem").read()],
                              "crls": [open("root-ca/crl.pem").read(), open("ca/crl.pem").read()]}],
           "orderer": open("node/cert.pem").read(), "admins": ["Acme/root"],
           "blockCutting": {"maxTransactions": 100, "maxBytes": 1 << 20, "timeoutMilliseconds": 10},
           "policy": {"invoke": {"anchor.*": ["admin"], "kv.*": ["customer"]}, "read": {"*": ["admin"]}},
           "timestampWindowSeconds": 600}, open("genesis.json", "w"))
PY
"$bin/csp-node" init --home node --channel vectors --config genesis.json >/dev/null
"$bin/csp-node" start --home node 2>/dev/null &
node=$!
for _ in $(seq 100); do [ -S node/node.sock ] && break; sleep 0.1; done
as() { local who=$1 tool=$2; shift 2; "$bin/$tool" "$@" --home "$who" --socket node/node.sock --channel vectors; }
cp "$here/invoice.txt" "$here/report.txt" .
echo "delivery note 2026-117" > note.txt
echo "purchase order 2026-88" > order.txt
as root csp-audit anchor report.txt >/dev/null
as root csp-audit proof report.txt --out report.txt.proof >/dev/null
as root csp-audit anchor --batch --receipts receipts --bundle invoice-batch.receipts note.txt invoice.txt order.txt >/dev/null
txid=$(as alice csp-tx submit kv.put key=invoice-2026-117 value=paid --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["txid"])')
as root csp-audit proof "$txid" --out kv-put.proof >/dev/null
cp report.txt.proof invoice-batch.receipts kv-put.proof "$here/"
cp receipts/invoice.txt.proof "$here/invoice.txt.receipt"
cp root-ca/ca-cert.pem "$here/ca-cert.pem"
echo "$txid" > "$here/kv-put.txid"
sleep 1.1 # revocation dates are in whole seconds: after every block's time
"$bin/csp-ca" revoke node --home ca --reason superseded >/dev/null
openssl crl -in ca/crl.pem -outform DER -out "$here/issuing-later.crl"
serial=$(openssl x509 -in ca/ca-cert.pem -noout -serial | cut -d= -f2)
"$bin/csp-ca" revoke --serial "$serial" --home root-ca --reason keyCompromise >/dev/null
openssl crl -in root-ca/crl.pem -outform DER -out "$here/root-later.crl"
echo "proof vectors written to $here"
