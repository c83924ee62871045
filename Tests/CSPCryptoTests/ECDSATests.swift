import CSPBasics
import CSPCrypto
import CSPTestSupport
import Foundation
import XCTest

final class ECDSATests: XCTestCase {
    /// RFC 6979, appendix A.2.5: P-256, SHA-256, message "sample". The signature was
    /// made by a deterministic signer elsewhere; any correct verifier accepts it.
    func testKnownAnswerVerify() throws {
        let x = "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
        let y = "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
        let spki = Hex.decode("3059301306072a8648ce3d020106082a8648ce3d030107034200" + "04" + x + y)!
        let key = try P256PublicKey(der: spki)
        let r = "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
        let s = "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
        let signature = Hex.decode("3046" + "022100" + r + "022100" + s)!
        XCTAssertTrue(try key.isValidSignature(signature, for: Array("sample".utf8)))
        XCTAssertFalse(try key.isValidSignature(signature, for: Array("sample!".utf8)))
        var flipped = signature
        flipped[20] ^= 0x01
        XCTAssertFalse(try key.isValidSignature(flipped, for: Array("sample".utf8)))
    }

    func testSignVerifyRoundTrip() throws {
        let key = try P256PrivateKey.generate()
        let message = Array("a demand from a customer".utf8)
        let signature = try key.signature(for: message)
        XCTAssertTrue(try key.publicKey.isValidSignature(signature, for: message))
        let other = try P256PrivateKey.generate()
        XCTAssertFalse(try other.publicKey.isValidSignature(signature, for: message))
    }

    func testTruncatedAndTrailingSignaturesAreMalformed() throws {
        let key = try P256PrivateKey.generate()
        let message = Array("m".utf8)
        let signature = try key.signature(for: message)
        let publicKey = try key.publicKey
        for bad in [Array(signature.dropLast(3)), signature + [0], [], [0x30, 0x02, 0x01]] {
            XCTAssertThrowsError(try publicKey.isValidSignature(bad, for: message)) { error in
                guard case CryptoError.malformedSignature = error else { return XCTFail("\(error)") }
                XCTAssertTrue(String(describing: error).hasPrefix("malformed signature: "))
            }
        }
    }

    func testConcurrentVerificationIsSafe() throws {
        let key = try P256PrivateKey.generate()
        let publicKey = try key.publicKey
        let message = Array("parallel".utf8)
        let signature = try key.signature(for: message)
        let wrong = try key.signature(for: Array("other".utf8))
        let failures = UnsafeAtomicCounter()
        DispatchQueue.concurrentPerform(iterations: 400) { i in
            let good = (try? publicKey.isValidSignature(signature, for: message)) == true
            let bad = (try? publicKey.isValidSignature(wrong, for: message)) == true
            if !good || bad { failures.increment() }
            _ = i
        }
        XCTAssertEqual(failures.value, 0)
    }

    // MARK: PEM

    func testPrivateKeyFileIsPKCS8Mode0600AndOpensslReadsIt() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/key.pem"
        let key = try P256PrivateKey.generate()
        try key.write(to: path)
        XCTAssertEqual(FileIO.mode(path), 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let check = try runProcess("openssl", ["pkey", "-in", path, "-noout", "-check"])
        XCTAssertEqual(check.status, 0, check.stderr)
        // Reloading gives the same key.
        let reloaded = try P256PrivateKey(pemFile: path)
        XCTAssertEqual(try reloaded.publicKey, try key.publicKey)
        // openssl derives the same public key.
        let pub = try runProcess("openssl", ["pkey", "-in", path, "-pubout"])
        XCTAssertEqual(pub.stdout, String(decoding: try key.publicKey.pem(), as: UTF8.self))
    }

    func testOpensslVerifiesOurSignature() throws {
        let dir = try temporaryDirectory(self)
        let key = try P256PrivateKey.generate()
        let message = Array("contract milestone: acceptance".utf8)
        try Data(message).write(to: URL(fileURLWithPath: dir + "/file"))
        try Data(try key.signature(for: message)).write(to: URL(fileURLWithPath: dir + "/sig.der"))
        try Data(try key.publicKey.pem()).write(to: URL(fileURLWithPath: dir + "/pub.pem"))
        let verify = try runProcess("openssl", ["dgst", "-sha256", "-verify", dir + "/pub.pem", "-signature", dir + "/sig.der", dir + "/file"])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stdout.contains("Verified OK"))
        // And openssl refuses it for other bytes, so the check above can fail.
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: dir + "/file"))
        let refused = try runProcess("openssl", ["dgst", "-sha256", "-verify", dir + "/pub.pem", "-signature", dir + "/sig.der", dir + "/file"])
        XCTAssertNotEqual(refused.status, 0)
    }

    func testWeVerifyOpensslSignatureWithOpensslKeys() throws {
        let dir = try temporaryDirectory(self)
        // PKCS#8 from genpkey and SEC1 ("EC PRIVATE KEY") from ecparam both load.
        XCTAssertEqual(try runProcess("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", dir + "/k8.pem"]).status, 0)
        XCTAssertEqual(try runProcess("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", dir + "/sec1.pem"]).status, 0)
        try Data("a signed document".utf8).write(to: URL(fileURLWithPath: dir + "/doc"))
        for keyFile in ["k8.pem", "sec1.pem"] {
            let sign = try runProcess("openssl", ["dgst", "-sha256", "-sign", dir + "/" + keyFile, "-out", dir + "/sig.der", dir + "/doc"])
            XCTAssertEqual(sign.status, 0, sign.stderr)
            let key = try P256PrivateKey(pemFile: dir + "/" + keyFile)
            let signature = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/sig.der")))
            XCTAssertTrue(try key.publicKey.isValidSignature(signature, for: Array("a signed document".utf8)), keyFile)
            XCTAssertFalse(try key.publicKey.isValidSignature(signature, for: Array("another document".utf8)), keyFile)
            _ = try runProcess("openssl", ["pkey", "-in", dir + "/" + keyFile, "-pubout", "-out", dir + "/pub.pem"])
            XCTAssertEqual(try P256PublicKey(pemFile: dir + "/pub.pem"), try key.publicKey)
        }
    }

    func testWrongKeyTypesAreRefused() throws {
        let dir = try temporaryDirectory(self)
        XCTAssertEqual(try runProcess("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", dir + "/rsa.pem"]).status, 0)
        XCTAssertEqual(try runProcess("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", dir + "/p384.pem"]).status, 0)
        XCTAssertThrowsError(try P256PrivateKey(pemFile: dir + "/rsa.pem")) { error in
            XCTAssertEqual(String(describing: error), "private key '\(dir)/rsa.pem' is a key of type RSA, expected an EC P-256 key")
        }
        XCTAssertThrowsError(try P256PrivateKey(pemFile: dir + "/p384.pem")) { error in
            XCTAssertEqual(String(describing: error), "private key '\(dir)/p384.pem' is an EC key on curve secp384r1, expected an EC P-256 key")
        }
    }

    func testMalformedAndUnreadablePEM() throws {
        let dir = try temporaryDirectory(self)
        try "not a key at all\n".write(toFile: dir + "/junk.pem", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try P256PrivateKey(pemFile: dir + "/junk.pem")) { error in
            XCTAssertEqual(String(describing: error), "malformed private key '\(dir)/junk.pem': no PEM private key found")
        }
        try "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".write(toFile: dir + "/bad.pem", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try P256PrivateKey(pemFile: dir + "/bad.pem")) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("malformed private key '\(dir)/bad.pem': cannot decode PEM"), "\(error)")
        }
        XCTAssertThrowsError(try P256PrivateKey(pemFile: dir + "/missing.pem")) { error in
            XCTAssertEqual(String(describing: error), "cannot open '\(dir)/missing.pem': no such file or directory")
        }
        XCTAssertEqual(try runProcess("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:x", "-out", dir + "/enc.pem"]).status, 0)
        XCTAssertThrowsError(try P256PrivateKey(pemFile: dir + "/enc.pem")) { error in
            XCTAssertEqual(String(describing: error), "malformed private key '\(dir)/enc.pem': encrypted keys are not supported")
        }
        XCTAssertThrowsError(try P256PublicKey(der: [0x30, 0x03, 0x01, 0x01, 0x00]))
    }
}

/// A tiny lock-protected counter for concurrentPerform.
final class UnsafeAtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Low-S: csp signs with s <= n/2 and refuses the (r, n - s) twin in the ledger.
final class LowSTests: XCTestCase {
    func testSignaturesAreLowSAndTheTwinIsRefused() throws {
        let key = try P256PrivateKey.generate()
        let publicKey = try key.publicKey
        for i in 0..<64 {
            let digest = SHA256.hash(Array("message \(i)".utf8))
            let signature = try key.signature(forDigest: digest)
            XCTAssertTrue(try LowS.isLowS(signature))
            XCTAssertTrue(try publicKey.isValidLowSSignature(signature, digest: digest))
        }
    }

    func testRFC6979VectorIsHighSAndNormalizes() throws {
        // RFC 6979 A.2.5's s is above n/2: valid ECDSA, but not in the ledger's form.
        let x = "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
        let y = "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
        let key = try P256PublicKey(der: Hex.decode("3059301306072a8648ce3d020106082a8648ce3d030107034200" + "04" + x + y)!)
        let r = "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
        let s = "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
        let signature = Hex.decode("3046" + "022100" + r + "022100" + s)!
        let digest = SHA256.hash(Array("sample".utf8))
        XCTAssertFalse(try LowS.isLowS(signature))
        XCTAssertThrowsError(try key.isValidLowSSignature(signature, digest: digest)) { error in
            XCTAssertTrue(String(describing: error).contains("low-S"), "\(error)")
        }
        let low = try LowS.normalized(signature)
        XCTAssertTrue(try LowS.isLowS(low))
        XCTAssertTrue(try key.isValidLowSSignature(low, digest: digest), "the twin verifies too: that is the malleability")
        // n - s, computed independently: 0x0834e36ad29a83bf2bc9385e491d6099c8fdf9d1ed67aa7ea5f51f93782857a9.
        XCTAssertEqual(Hex.encode(Array(low.suffix(32))), "0834e36ad29a83bf2bc9385e491d6099c8fdf9d1ed67aa7ea5f51f93782857a9")
        XCTAssertEqual(try LowS.normalized(low), low, "already low: unchanged")
    }
}
