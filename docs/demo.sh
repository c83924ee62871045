#!/usr/bin/env bash
# The main job (make demo): a CA admits a customer and revokes her, openssl checking each
# step; a node runs Acme's consortium channel, where the seed paper's two scenarios run
# through the real tools: a service contract signed by both sides with every milestone
# confirmed, and a customer's demand dispatched to departments, handled and confirmed,
# the regulator reading along; the milestone reports anchored in one transaction with
# receipts verified offline; the ledger re-verified and exported to SQL tables; document
# fingerprints checked like sha256sum; and the canonical bytes a transaction is signed over.
set -euo pipefail
bin=$(cd "${1:-.build/release}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "csp-ca: a root CA, a registered customer, an enrollment (the key never leaves the client)"
"$bin/csp-ca" init --home "$work/ca" --org "Acme"
"$bin/csp-ca" register alice --home "$work/ca" --role customer --attr tier=gold > "$work/alice.secret"
"$bin/csp-ca" enroll alice --secret-file "$work/alice.secret" --ca "$work/ca" --out "$work/alice"
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
# Acme's people: an admin, the service desk, two departments, the regulator, a customer.
for who in node:node root:admin dora:enterprise prod:department eng:department rita:regulator carol:customer; do
  id=${who%%:*}; role=${who##*:}
  "$bin/csp-ca" register "$id" --home "$work/ca" --role "$role" | "$bin/csp-ca" enroll "$id" --secret-file - --ca "$work/ca" --out "$work/$id" -q
done
python3 - "$work" > "$work/genesis.json" <<'PY'
import json, sys
w = sys.argv[1]
read = lambda p: open(p).read()
everyone = ["customer", "enterprise", "department", "regulator", "admin"]
print(json.dumps({
    "channel": "consortium",
    "organizations": [{"name": "Acme", "certificates": [read(w + "/ca/ca-cert.pem")], "crls": [read(w + "/ca/crl.pem")]}],
    "orderer": read(w + "/node/cert.pem"),
    "admins": ["Acme/root"],
    "blockCutting": {"maxTransactions": 100, "maxBytes": 1048576, "timeoutMilliseconds": 50},
    "policy": {"invoke": {"kv.*": ["customer", "admin"], "config.*": ["admin"], "account.*": everyone,
                          "contract.*": ["admin"], "demand.*": everyone, "service-contract.*": ["customer", "enterprise"],
                          "anchor.*": ["customer", "enterprise", "admin"]},
               "read": {"*": everyone}},
}, indent=2))
PY
"$bin/csp-node" init --home "$work/node" --channel consortium --config "$work/genesis.json"
"$bin/csp-node" start --home "$work/node" 2> "$work/node.log" &
node_pid=$!
trap 'kill $node_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do "$bin/csp-node" status --home "$work/node" -q 2>/dev/null && break; sleep 0.1; done
export CSP_SOCKET="$work/node/node.sock" CSP_CHANNEL=consortium
as() { local who=$1; shift; "$bin/csp-tx" "$@" --home "$work/$who"; }
# One line per step: who did what, in which block, and whose turn it is now.
did() { local who=$1; shift; local out label
  if [ -n "${label:-}" ]; then :; elif [ "$1" = call ]; then label="$2 $4"; else label="$1 $2"; fi
  out=$(as "$who" "$@" --format json) || { printf '%s\n' "$out"; return 1; }
  printf '%s\n' "$out" | python3 -c '
import json, sys
who, label = sys.argv[1], sys.argv[2]
merged = {}
for line in sys.stdin:
    line = line.strip()
    if line: merged.update(json.loads(line))
turn = ""
if "state" in merged:
    ops = merged.get("operators") or []
    names = [o.get("account") or ("any " + o.get("role", "?") + (" of " + o["organization"] if o.get("organization") else "")) if isinstance(o, dict) else str(o) for o in ops]
    turn = "  -> %s; next: %s" % (merged["state"], ", ".join(names) if names else "nobody (done)")
print("  %-6s %-36s block %-3s%s" % (who, label, merged.get("block", "?"), turn))
' "$who" "$label"; }

step "accounts: everyone registers on chain; the admin deploys the two workflows (both approved by Acme)"
for who in root dora prod eng rita carol; do did "$who" submit account.register displayName="$who of Acme"; done
did root contract propose docs/contracts/demand.json
did root contract approve demand 1
did root contract propose docs/contracts/service-contract.json
did root contract approve service-contract 1
as rita contract list

step "scenario 4.1: a service contract, signed by both sides, every milestone confirmed on chain"
printf 'Service contract C-1001: heat pumps for building 7, 120000.00 CNY\n' > "$work/contract.txt"
for doc in design production logistics construction inspection acceptance payment; do printf '%s report for C-1001\n' "$doc" > "$work/$doc.txt"; done
did dora call service-contract.draft --id C-1001 customer=Acme/carol title="Heat pumps, building 7" terms="install and commission" price="120000.00 CNY" document=@"$work/contract.txt"
# Both sign ONE transaction: carol signs without sending, dora looks, co-signs and sends it
# (each could also fire 'sign' in turn: docs/CONTRACTS.md, "Co-signatures").
as carol call service-contract.sign --id C-1001 --sign-only > "$work/sign.tx"
as dora decode "$work/sign.tx" | sed -n 's/^call *\(.*\)/  dora checks what carol signed: \1/p'
as dora endorse "$work/sign.tx" -q | label="service-contract.sign, both" did dora submit --signed -
did dora call service-contract.design --id C-1001 design-doc=@"$work/design.txt"
did dora call service-contract.produce --id C-1001 production-doc=@"$work/production.txt"
did dora call service-contract.ship --id C-1001 logistics-doc=@"$work/logistics.txt"
did dora call service-contract.construct --id C-1001 construction-doc=@"$work/construction.txt"
did carol call service-contract.inspect --id C-1001 inspection-doc=@"$work/inspection.txt"
did carol call service-contract.accept --id C-1001 acceptance-doc=@"$work/acceptance.txt"
did dora call service-contract.confirm-payment --id C-1001 payment-doc=@"$work/payment.txt"
as carol show C-1001

step "scenario 4.2: a customer's demand, dispatched to two departments, handled, confirmed"
did carol call demand.submit --id D-1 category=complaint description="heating fails at night" contract=C-1001
echo "  dora's to-do list:"; as dora todo | sed 's/^/    /'
did dora call demand.accept --id D-1
did dora call demand.dispatch --id D-1 departments='["Acme/prod","Acme/eng"]' instructions="check the compressor and the controller"
did prod call demand.handle --id D-1 result="compressor replaced"
did eng call demand.handle --id D-1 result="controller firmware updated"
did dora call demand.resolve --id D-1 resolution="fixed on site"
echo "  whose turn now:"; as carol todo | sed 's/^/    /'
did carol call demand.confirm --id D-1 score=5 comment="warm again"
as carol call demand.confirm --id D-1 score=5 >/dev/null 2>&1 || echo "  a second confirm is refused (exit $?): the demand is closed"
echo "  the regulator reads every step:"
as rita show D-1 | sed 's/^/    /'

step "csp-audit anchor: the seven milestone reports in ONE transaction; each receipt verifies offline"
# The chain holds only the root of salted leaves; each report gets a proof file that
# needs no node, only Acme's CA certificate, pinned by whoever checks it.
mkdir -p "$work/reports" && for doc in design production logistics construction inspection acceptance payment; do cp "$work/$doc.txt" "$work/reports/"; done
"$bin/csp-audit" anchor --home "$work/dora" -q --batch --receipts "$work/receipts" --ref C-1001 --type milestone-report "$work/reports" && ls "$work/receipts" | sed 's/^/  receipt: /'
"$bin/csp-audit" verify "$work/reports/acceptance.txt" --proof "$work/receipts/acceptance.txt.proof" --ca "$work/ca/ca-cert.pem"
printf 'acceptance report, edited afterwards\n' > "$work/forged.txt"
"$bin/csp-audit" verify "$work/forged.txt" --proof "$work/receipts/acceptance.txt.proof" --ca "$work/ca/ca-cert.pem" 2>&1 | sed 's/^/  /' || true

step "the ledger re-verifies from its block files alone"
"$bin/csp-node" status --home "$work/node"
kill $node_pid; wait $node_pid
"$bin/csp-node" check --home "$work/node"

step "csp-kvr: the ledger as relational tables (SQLite), queried with sqlite3"
"$bin/csp-kvr" export --channel consortium --ledger "$work/node" --db "$work/ledger.db"
sqlite3 -header -column "$work/ledger.db" "SELECT definition, id, state FROM instances ORDER BY id;"
sqlite3 -header -column "$work/ledger.db" "SELECT block, by_account, transition, from_state, to_state FROM transitions WHERE instance = 'D-1' ORDER BY seq;"

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
