#!/usr/bin/env bash
# The main job as far as the tools go today (make demo): a CA admits a customer and
# revokes her, openssl checking each step; a node runs a consortium channel that
# customers write to and the regulator reads and watches; document fingerprints checked like sha256sum;
# and a transaction's canonical bytes and id. Grows as the tools land.
set -euo pipefail
bin=$(cd "${1:-.build/release}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "csp-ca: a root CA, a registered customer, an enrollment (the key never leaves the client)"
"$bin/csp-ca" init --home "$work/ca" --org "Example Enterprise"
secret=$("$bin/csp-ca" register alice --home "$work/ca" --role customer --attr tier=gold)
"$bin/csp-ca" enroll alice --secret "$secret" --ca "$work/ca" --out "$work/alice"
ls -l "$work/alice" | awk 'NR > 1 {print $1, $NF}'
openssl verify -CAfile "$work/alice/ca-chain.pem" "$work/alice/cert.pem"
openssl x509 -in "$work/alice/cert.pem" -noout -subject
"$bin/csp-ca" verify "$work/alice/cert.pem" --home "$work/ca"

step "csp-ca revoke: the CRL takes her out, and openssl agrees"
"$bin/csp-ca" revoke alice --home "$work/ca" --reason keyCompromise
openssl verify -crl_check -CRLfile "$work/ca/crl.pem" -CAfile "$work/ca/ca-cert.pem" "$work/alice/cert.pem" 2>&1 | grep -m1 "certificate revoked" || true
"$bin/csp-ca" verify "$work/alice/cert.pem" --home "$work/ca" || echo "exit status: $?"
"$bin/csp-ca" log --home "$work/ca"

step "csp-node: a consortium channel, ordered and committed by this machine's node"
for who in node:node root:admin rita:regulator; do
  id=${who%%:*}; role=${who##*:}
  s=$("$bin/csp-ca" register "$id" --home "$work/ca" --role "$role")
  "$bin/csp-ca" enroll "$id" --secret "$s" --ca "$work/ca" --out "$work/$id" -q
done
secret=$("$bin/csp-ca" register bob --home "$work/ca" --role customer)
"$bin/csp-ca" enroll bob --secret "$secret" --ca "$work/ca" --out "$work/bob" -q
python3 - "$work" > "$work/genesis.json" <<'PY'
import json, sys
w = sys.argv[1]
read = lambda p: open(p).read()
print(json.dumps({
    "channel": "consortium",
    "organizations": [{"name": "Example Enterprise", "certificates": [read(w + "/ca/ca-cert.pem")], "crls": [read(w + "/ca/crl.pem")]}],
    "orderer": read(w + "/node/cert.pem"),
    "admins": ["Example Enterprise/root"],
    "blockCutting": {"maxTransactions": 100, "maxBytes": 1048576, "timeoutMilliseconds": 50},
    "policy": {"invoke": {"kv.*": ["customer", "admin"], "config.*": ["admin"]},
               "read": {"*": ["customer", "admin", "regulator"], "block": ["admin", "regulator"]}},
}, indent=2))
PY
"$bin/csp-node" init --home "$work/node" --channel consortium --config "$work/genesis.json"
"$bin/csp-node" start --home "$work/node" 2> "$work/node.log" &
node_pid=$!
trap 'kill $node_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do "$bin/csp-node" status --home "$work/node" -q 2>/dev/null && break; sleep 0.1; done
export CSP_SOCKET="$work/node/node.sock" CSP_CHANNEL=consortium
"$bin/csp-tx" submit kv.put key=demand-1 value="heating fails at night" --home "$work/bob"
printf '{"call":"kv.put","args":{"key":"demand-%d","value":"from cron"}}\n' 2 3 4 | "$bin/csp-tx" submit --batch - --home "$work/bob"
"$bin/csp-tx" query kv/demand-1 --home "$work/bob"
"$bin/csp-tx" history kv/demand-1 --home "$work/rita"
"$bin/csp-tx" submit kv.put key=x value=y --home "$work/rita" || echo "exit status: $? (the regulator may read, not write)"
"$bin/csp-tx" watch --from 0 --count 4 --contract kv --home "$work/rita"
"$bin/csp-node" status --home "$work/node"
kill $node_pid; wait $node_pid

step "csp-audit hash: fingerprints of off-chain documents (sha256sum format)"
printf 'Service contract C-1001, signed by both parties\n' > "$work/contract.txt"
printf 'Acceptance report: installation complete\n' > "$work/acceptance.txt"
(cd "$work" && "$bin/csp-audit" hash contract.txt acceptance.txt | tee SUMS)
(cd "$work" && sha256sum -c SUMS)

step "csp-audit check: a tampered document is caught (exit 1)"
printf 'Service contract C-1001, amended by one party\n' > "$work/contract.txt"
(cd "$work" && "$bin/csp-audit" check SUMS) && status=0 || status=$?
echo "exit status: $status"

step "csp-tx encode: the canonical bytes a customer's demand is signed over"
"$bin/csp-tx" encode --format json --json docs/vectors/transaction.json | cut -c1-160
echo "..."

step "independent verifier of docs/FORMAT.md"
python3 docs/vectors/verify.py | tail -1
