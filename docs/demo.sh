#!/usr/bin/env bash
# The main job as far as the tools go today (make demo): a CA admits a customer and
# revokes her, openssl checking each step; document fingerprints checked like sha256sum;
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
