#!/usr/bin/env python3
"""An independent verifier of docs/FORMAT.md, written from the document alone.

Decodes the committed vectors with its own parser, recomputes every hash and Merkle
root, and checks every signature with the openssl command. Exits 0 when all agree,
1 with the first disagreement otherwise.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def sha256(data):
    return hashlib.sha256(data).digest()


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated at byte %d" % self.pos)
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return int.from_bytes(self.take(4), "big")

    def u64(self):
        return int.from_bytes(self.take(8), "big")

    def bytes(self):
        return self.take(self.u32())

    def string(self):
        return self.bytes().decode("utf-8")

    def magic(self, expected):
        if self.take(4) != expected or self.u8() != 1:
            raise ValueError("bad magic or version")

    def end(self):
        if self.pos != len(self.data):
            raise ValueError("trailing bytes")


def merkle_root(leaves):
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return sha256(b"\x00" + leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sha256(b"\x01" + merkle_root(leaves[:k]) + merkle_root(leaves[k:]))


def decode_body(data):
    r = Reader(data)
    r.magic(b"CSPT")
    body = {"channel": r.string(), "timestamp": r.u64(), "nonce": r.bytes().hex(),
            "creator": r.bytes(), "contract": r.string(), "function": r.string(), "args": {}}
    previous = None
    for _ in range(r.u32()):
        name = r.bytes()
        if previous is not None and not previous < name:
            raise ValueError("arguments out of order")
        previous = name
        body["args"][name.decode("utf-8")] = r.bytes().decode("utf-8")
    r.end()
    return body


def decode_transaction(data):
    """Body and signature; FORMAT.md's endorsements, when present, are checked by
    decode_endorsed_transaction."""
    body, signature, endorsements = decode_endorsed_transaction(data)
    if endorsements:
        raise ValueError("unexpected endorsements")
    return body, signature


def decode_endorsed_transaction(data):
    r = Reader(data)
    body, signature = r.bytes(), r.bytes()
    endorsements = []
    if r.pos < len(data):
        count = r.u32()
        if not 1 <= count <= 16:
            raise ValueError("endorsement count %d outside 1-16" % count)
        creator = decode_body(body)["creator"]
        for _ in range(count):
            certificate, endorser_signature = r.bytes(), r.bytes()
            if certificate == creator or any(certificate == c for c, _ in endorsements):
                raise ValueError("endorsement certificate repeated")
            endorsements.append((certificate, endorser_signature))
    r.end()
    return body, signature, endorsements


def decode_block(data):
    r = Reader(data)
    header_bytes, signature = r.bytes(), r.bytes()
    h = Reader(header_bytes)
    h.magic(b"CSPH")
    header = {"channel": h.string(), "number": h.u64(), "previous": h.take(32), "merkle": h.take(32),
              "commit": h.take(32), "timestamp": h.u64(), "orderer": h.bytes(), "count": h.u32()}
    h.end()
    transactions = [r.bytes() for _ in range(r.u32())]
    validations = [(r.u8(), r.string()) for _ in range(r.u32())]
    r.end()
    return header_bytes, header, signature, transactions, validations


def openssl_verifies(public_key_pem, signature, message):
    """openssl dgst -sha256 -verify: ECDSA over SHA-256(message)."""
    with tempfile.TemporaryDirectory() as tmp:
        msg, sig = os.path.join(tmp, "msg"), os.path.join(tmp, "sig")
        open(msg, "wb").write(message)
        open(sig, "wb").write(signature)
        result = subprocess.run(["openssl", "dgst", "-sha256", "-verify", public_key_pem, "-signature", sig, msg],
                                capture_output=True)
        return result.returncode == 0


P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551


def is_low_s(signature):
    """FORMAT.md, "Low-S only": DER SEQUENCE { r INTEGER, s INTEGER } with s <= (n-1)/2."""
    if len(signature) < 8 or signature[0] != 0x30 or signature[1] != len(signature) - 2:
        return False
    at = 2
    values = []
    for _ in range(2):
        if signature[at] != 0x02:
            return False
        length = signature[at + 1]
        values.append(int.from_bytes(signature[at + 2:at + 2 + length], "big"))
        at += 2 + length
    return at == len(signature) and 0 < values[1] <= (P256_ORDER - 1) // 2


def root_from_path(leaf, index, size, path):
    """RFC 9162 2.1.3.2: every path element used once; None when the length is wrong."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            while fn & 1 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = sha256(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def decode_header(header_bytes):
    h = Reader(header_bytes)
    h.magic(b"CSPH")
    header = {"channel": h.string(), "number": h.u64(), "previous": h.take(32), "merkle": h.take(32),
              "commit": h.take(32), "timestamp": h.u64(), "orderer": h.bytes(), "count": h.u32()}
    h.end()
    return header


def audit_path(leaves, index):
    """RFC 6962 2.1.1 PATH(m, D[n]) over leaf hashes."""
    if len(leaves) <= 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if index < k:
        return audit_path(leaves[:k], index) + [tree_hash(leaves[k:])]
    return audit_path(leaves[k:], index - k) + [tree_hash(leaves[:k])]


def tree_hash(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sha256(b"\x01" + tree_hash(leaves[:k]) + tree_hash(leaves[k:]))


def bundle_receipt(bundle_path, document):
    """FORMAT.md, "Receipt bundle": the document's line made a whole receipt, or None."""
    lines = open(bundle_path, "rb").read().decode().split("\n")
    assert lines[-1] == "", "a bundle ends with a newline"
    proof = json.loads(lines[0])
    entries = [json.loads(line) for line in lines[1:-1]]
    for i, entry in enumerate(entries):
        if sorted(entry) != ["document", "index", "salt"] or entry["index"] != i:
            raise ValueError("bundle line %d" % (i + 2))
    leaves = [sha256(b"\x00" + bytes.fromhex(e["salt"]) + bytes.fromhex(e["document"])) for e in entries]
    for entry in entries:
        if entry["document"] == document.hex():
            del proof["kind"]
            proof["document"] = entry["document"]
            proof["batch"] = {"salt": entry["salt"], "index": entry["index"], "size": len(entries),
                              "path": [p.hex() for p in audit_path(leaves, entry["index"])]}
            return proof
    return None


def openssl_text(arguments):
    return subprocess.run(["openssl"] + arguments, capture_output=True, text=True)


def asn1_time(text):
    """'Nov 30 08:00:00 2026 GMT' as seconds since the epoch."""
    import calendar
    return calendar.timegm(time.strptime(text.strip(), "%b %d %H:%M:%S %Y GMT"))


def pem_blocks(text):
    """The certificates of a PEM file, each as its own PEM text."""
    end = "-----END CERTIFICATE-----"
    return [block.strip() + "\n" + end + "\n" for block in text.split(end) if "-----BEGIN CERTIFICATE-----" in block]


def name(pem_path, which):
    """A certificate's subject or issuer (which = "subject" | "issuer"), RFC 2253."""
    return openssl_text(["x509", "-in", pem_path, "-noout", "-" + which, "-nameopt", "RFC2253"]).stdout.split("=", 1)[1].strip()


def chain_path(orderer_pem, helpers, pinned, tmp):
    """Step 5's path by names: the orderer's certificate, the `chain` helpers above it,
    up to a pinned CA (the signatures are openssl verify's to check)."""
    files = []
    for n, pem in enumerate(helpers + pinned):
        path = os.path.join(tmp, "path-%d.pem" % n)
        open(path, "w").write(pem)
        files.append((path, n >= len(helpers)))
    path, current = [orderer_pem], orderer_pem
    for _ in range(len(files)):
        issuer = next((f for f, _ in files if f not in path and name(f, "subject") == name(current, "issuer")), None)
        if issuer is None:
            break
        path.append(issuer)
        if dict(files)[issuer]:
            return path
        current = issuer
    return None


def not_revoked(certificate_pem, issuer_pem, crls, at, tmp):
    """Step 6 for one certificate of the path and the CA above it: True, "revoked" or
    "cannot tell"."""
    serial = openssl_text(["x509", "-in", certificate_pem, "-noout", "-serial"]).stdout.strip().split("=")[1].lstrip("0")
    not_after = asn1_time(openssl_text(["x509", "-in", certificate_pem, "-noout", "-enddate"]).stdout.split("=", 1)[1])
    covered = False
    for n, crl in enumerate(crls):
        path = os.path.join(tmp, "crl-%d.der" % n)
        open(path, "wb").write(crl)
        # With the issuer alone as CAfile, openssl accepts only a CRL in its name, signed by its key.
        signed = openssl_text(["crl", "-inform", "DER", "-in", path, "-CAfile", issuer_pem, "-noout"])
        if signed.returncode != 0 or "verify OK" not in signed.stderr + signed.stdout:
            continue
        this_update = asn1_time(openssl_text(["crl", "-inform", "DER", "-in", path, "-noout", "-lastupdate"]).stdout.split("=", 1)[1])
        next_text = openssl_text(["crl", "-inform", "DER", "-in", path, "-noout", "-nextupdate"]).stdout.split("=", 1)[1].strip()
        next_update = None if next_text == "NONE" else asn1_time(next_text)
        if this_update <= at:
            if next_update is None or at > next_update:
                continue
        elif this_update > not_after:
            continue
        covered = True
        entries = openssl_text(["crl", "-inform", "DER", "-in", path, "-noout", "-text"]).stdout.split("Serial Number: ")[1:]
        for entry in entries:
            if entry.split()[0].lstrip("0").upper() != serial.upper():
                continue
            revoked_at = asn1_time(entry.split("Revocation Date: ")[1].split("\n")[0])
            compromised = any(r in entry for r in ("Key Compromise", "CA Compromise", "AA Compromise"))
            if compromised or revoked_at <= at:
                return "revoked"
    return True if covered else "cannot tell"


def verify_proof(target, proof_path, ca_pem, crls=(), txid=None):
    """FORMAT.md, "Proof file": True when every link holds, else the first broken one.
    `target` is a document's path, or None with `txid` (hex) for a transaction."""
    if proof_path.endswith(".receipts"):
        proof = bundle_receipt(proof_path, sha256(open(target, "rb").read())) if target else json.loads(open(proof_path).readline())
        if proof is None:
            return "no receipt in the bundle"
    else:
        proof = json.load(open(proof_path))
    if proof.get("format") != "csp-proof" or proof.get("version") != 1:
        return "not a csp-proof version 1"
    tx_bytes = base64.b64decode(proof["transaction"])
    body_bytes, _ = decode_transaction(tx_bytes)
    body = decode_body(body_bytes)
    if target is None:
        if sha256(body_bytes).hex() != txid:
            return "transaction id"
    else:
        document = sha256(open(target, "rb").read())
        if "document" in proof and proof["document"] != document.hex():
            return "document fingerprint"
        if body["contract"] != "anchor":
            return "not an anchor transaction"
        if "batch" in proof:
            batch = proof["batch"]
            salt = bytes.fromhex(batch["salt"])
            leaf = sha256(b"\x00" + salt + document)
            root = root_from_path(leaf, batch["index"], batch["size"], [bytes.fromhex(p) for p in batch["path"]])
            if len(salt) != 32 or root is None or body["function"] != "batch" or body["args"].get("root") != root.hex() \
                    or body["args"].get("count") != str(batch["size"]):
                return "batch root"
        elif body["function"] != "record" or document.hex() not in body["args"].get("fingerprints", "").split(","):
            return "anchor.record fingerprints"
    header_bytes = base64.b64decode(proof["header"])
    header = decode_header(header_bytes)
    if header["channel"] != body["channel"]:
        return "channel"
    leaf = sha256(b"\x00" + tx_bytes)
    if root_from_path(leaf, proof["position"], header["count"], [bytes.fromhex(p) for p in proof["blockPath"]]) != header["merkle"]:
        return "block Merkle root"
    commit = base64.b64decode(proof["commit"])
    if sha256(commit) != header["commit"]:
        return "commit hash"
    c = Reader(commit)
    c.magic(b"CSPC")
    c.take(32)
    codes = c.bytes() if c.u64() == header["number"] else b""
    if len(codes) != header["count"] or codes[proof["position"]] != 0:
        return "validation code"
    signature = base64.b64decode(proof["signature"])
    with tempfile.TemporaryDirectory() as tmp:
        der, pem, pub = (os.path.join(tmp, n) for n in ("orderer.der", "orderer.pem", "orderer-pub.pem"))
        open(der, "wb").write(header["orderer"])
        subprocess.run(["openssl", "x509", "-inform", "DER", "-in", der, "-out", pem], check=True, capture_output=True)
        subprocess.run(["openssl", "x509", "-in", pem, "-pubkey", "-noout", "-out", pub], check=True, capture_output=True)
        if not (openssl_verifies(pub, signature, header_bytes) and is_low_s(signature)):
            return "orderer signature"
        helpers = []
        for n, der_text in enumerate(proof.get("chain", [])):
            der_path = os.path.join(tmp, "chain-%d.der" % n)
            open(der_path, "wb").write(base64.b64decode(der_text))
            helpers.append(subprocess.run(["openssl", "x509", "-inform", "DER", "-in", der_path], check=True, capture_output=True, text=True).stdout)
        untrusted = os.path.join(tmp, "untrusted.pem")
        open(untrusted, "w").write("".join(helpers))
        chained = subprocess.run(["openssl", "verify", "-CAfile", ca_pem] + (["-untrusted", untrusted] if helpers else [])
                                 + ["-attime", str(header["timestamp"] // 1000), pem], capture_output=True)
        subject = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-subject", "-nameopt", "RFC2253"],
                                 capture_output=True, text=True).stdout
        path = chain_path(pem, helpers, pem_blocks(open(ca_pem).read()), tmp)
        if chained.returncode != 0 or "OU=node" not in subject or path is None:
            return "orderer certificate chains to the pinned CA"
        carried = [base64.b64decode(c) for c in proof.get("crls", [])]
        # Every certificate of the path below the pinned CA, against its issuer's CRLs.
        for depth, (certificate, issuer) in enumerate(zip(path, path[1:])):
            revocation = not_revoked(certificate, issuer, carried + list(crls), header["timestamp"] / 1000, tmp)
            if revocation is not True:
                return ("orderer certificate " if depth == 0 else "CA certificate ") + revocation
    return True


def check(condition, what):
    if not condition:
        print("verify.py: FAILED: " + what)
        sys.exit(1)
    print("ok   " + what)


def main():
    vectors = json.load(open(os.path.join(HERE, "format-v1.json")))
    public_key = os.path.join(HERE, "signer-pub.pem")
    cert = open(os.path.join(HERE, "signer-cert.der"), "rb").read()
    given = json.load(open(os.path.join(HERE, "transaction.json")))

    tx = vectors["transaction"]
    body_bytes, signature = decode_transaction(bytes.fromhex(tx["encoded"]))
    check(body_bytes.hex() == tx["body"], "signed transaction carries the body")
    body = decode_body(body_bytes)
    check(body["creator"] == cert and body["args"] == given["args"] and body["channel"] == given["channel"]
          and body["timestamp"] == given["timestamp"] and body["nonce"] == given["nonce"],
          "body decodes to the fields of transaction.json")
    check(sha256(body_bytes).hex() == tx["txid"], "txid = SHA-256(body)")
    check(openssl_verifies(public_key, signature, body_bytes), "creator signature verifies (openssl)")
    check(is_low_s(signature), "creator signature is low-S")

    commit = vectors["commit"]
    pre = b"CSPC\x01" + sha256(b"commit of block 0") + (1).to_bytes(8, "big") + (1).to_bytes(4, "big") + b"\x00"
    writes = {b"demand/D-1": b'{"status":"submitted"}', b"account/C-1001/D-1": b"", b"demand/D-0": None}
    pre += len(writes).to_bytes(4, "big")
    for key in sorted(writes):
        value = writes[key]
        pre += len(key).to_bytes(4, "big") + key
        pre += b"\x00" if value is None else b"\x01" + len(value).to_bytes(4, "big") + value
    check(pre.hex() == commit["preimage"], "commit hash preimage built from the document")
    check(sha256(pre).hex() == commit["hash"], "commit hash")

    block = vectors["block"]
    header_bytes, header, block_signature, transactions, validations = decode_block(bytes.fromhex(block["encoded"]))
    check(header_bytes.hex() == block["header"], "block carries the header")
    check(sha256(header_bytes).hex() == block["hash"], "block hash = SHA-256(header)")
    check(header["previous"] == sha256(b"block 0 of the vectors") and header["number"] == 1, "header fields")
    check(header["commit"].hex() == commit["hash"], "header carries the commit hash")
    check(header["count"] == len(transactions) == len(validations) == 1, "counts agree")
    check(validations == [(0, "")], "validation code 0, empty reason")
    check(merkle_root(transactions) == header["merkle"], "Merkle root over the signed transactions")
    check(openssl_verifies(public_key, block_signature, header_bytes), "orderer signature verifies (openssl)")
    check(is_low_s(block_signature), "orderer signature is low-S")
    endorsed = vectors["endorsed"]
    endorsed_bytes = bytes.fromhex(endorsed["encoded"])
    e_body, e_signature, endorsements = decode_endorsed_transaction(endorsed_bytes)
    check(e_body.hex() == tx["body"] and e_signature == signature, "endorsed transaction keeps the body and creator signature")
    check(sha256(e_body).hex() == tx["txid"], "endorsed transaction keeps its txid")
    endorser_cert = open(os.path.join(HERE, "endorser-cert.der"), "rb").read()
    check(endorsements == [(endorser_cert, bytes.fromhex(endorsed["endorser_signature"]))], "one endorsement: endorser-cert.der and its signature")
    check(openssl_verifies(os.path.join(HERE, "endorser-pub.pem"), endorsements[0][1], e_body), "endorser signature verifies over the txid (openssl)")
    check(is_low_s(endorsements[0][1]), "endorser signature is low-S")
    check(merkle_root([endorsed_bytes]).hex() == endorsed["merkle_root"], "Merkle leaf is the endorsed transaction as encoded")
    try:
        decode_endorsed_transaction(bytes.fromhex(tx["encoded"]) + (0).to_bytes(4, "big"))
        check(False, "an empty endorsement list is refused")
    except ValueError:
        check(True, "an empty endorsement list is refused")

    for n, expected in enumerate(vectors["merkle"]):
        check(merkle_root([bytes([i]) for i in range(n)]).hex() == expected, "Merkle root of %d leaves" % n)

    proofs = os.path.join(HERE, "proof")
    ca = os.path.join(proofs, "ca-cert.pem")
    invoice, report = os.path.join(proofs, "invoice.txt"), os.path.join(proofs, "report.txt")
    receipt, indexed = os.path.join(proofs, "invoice.txt.receipt"), os.path.join(proofs, "report.txt.proof")
    bundle, put = os.path.join(proofs, "invoice-batch.receipts"), os.path.join(proofs, "kv-put.proof")
    put_txid = open(os.path.join(proofs, "kv-put.txid")).read().strip()
    check(verify_proof(invoice, receipt, ca) is True, "batch receipt: salted leaf, batch root, block, commit, orderer, pinned CA, CRL")
    check(verify_proof(report, indexed, ca) is True, "indexed proof: anchor.record, block, commit, orderer, pinned CA, CRL")
    check(verify_proof(invoice, bundle, ca) is True, "receipt bundle: the invoice's line, the tree rebuilt from every line")
    check(verify_proof(report, bundle, ca) == "no receipt in the bundle", "a document not in the bundle has no receipt")
    batch_tx = base64.b64decode(json.loads(open(bundle).readline())["transaction"])
    check(verify_proof(None, bundle, ca, txid=sha256(decode_transaction(batch_tx)[0]).hex()) is True,
          "the bundle's first line proves the batch transaction")
    check(verify_proof(None, put, ca, txid=put_txid) is True, "transaction proof of a kv.put: id, block, commit, orderer, pinned CA, CRL")
    check(verify_proof(None, put, ca, txid="00" * 32) == "transaction id", "a transaction proof for another id fails")
    check(verify_proof(report, receipt, ca) == "document fingerprint", "a receipt for another document fails")
    with tempfile.TemporaryDirectory() as tmp:
        other = os.path.join(tmp, "other.pem")
        subprocess.run(["openssl", "x509", "-inform", "DER", "-in", os.path.join(HERE, "signer-cert.der"), "-out", other],
                       check=True, capture_output=True)
        check(verify_proof(invoice, receipt, other) == "orderer certificate chains to the pinned CA",
              "a proof checked against another CA fails")
        bare = json.load(open(put))
        del bare["crls"]
        bare_path = os.path.join(tmp, "bare.proof")
        json.dump(bare, open(bare_path, "w"))
        check(verify_proof(None, bare_path, ca, txid=put_txid) == "orderer certificate cannot tell",
              "without a CRL nobody can tell the orderer was not revoked")
    # The orderer's certificate is issued by an intermediate CA under the pinned root.
    check(len(json.load(open(receipt))["chain"]) == 1 and len(json.load(open(receipt))["crls"]) == 2,
          "the orderer stands under an intermediate CA: the proof carries it and both CAs' CRLs")
    later = [open(os.path.join(proofs, n), "rb").read() for n in ("issuing-later.crl", "root-later.crl")]
    check(verify_proof(invoice, receipt, ca, crls=[later[0]]) is True,
          "the orderer revoked (superseded) after the block: the proof still holds")
    check(verify_proof(invoice, receipt, ca, crls=[later[1]]) == "CA certificate revoked",
          "the intermediate CA revoked as compromised: no proof under it holds")
    print("verify.py: all vectors agree with FORMAT.md")


if __name__ == "__main__":
    main()
