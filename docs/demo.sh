#!/usr/bin/env bash
# The main job as far as the tools go today (make demo): a participant key that openssl
# accepts, document fingerprints checked like sha256sum, and a transaction's canonical
# bytes and id. Grows as the tools land.
set -euo pipefail
bin=$(cd "${1:-.build/release}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "csp-ca keygen: a P-256 key for a participant (PKCS#8, mode 0600)"
"$bin/csp-ca" keygen --out "$work/key.pem"
ls -l "$work/key.pem" | awk '{print $1, $NF}'
openssl pkey -in "$work/key.pem" -noout -check

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
