import CSPBasics
import CSPCrypto

/// The Merkle tree of RFC 6962 (section 2.1): leaves hashed with a 0x00 prefix, inner
/// nodes with 0x01, and a list of n > 1 leaves split at the largest power of two
/// smaller than n. Unlike Bitcoin's tree, no leaf is ever duplicated, so two different
/// lists cannot share a root.
public enum MerkleTree {
    /// SHA-256(0x00 || leaf).
    public static func leafHash(_ leaf: [UInt8]) -> SHA256Digest {
        var input = [UInt8](repeating: 0, count: 1)
        input.append(contentsOf: leaf)
        return SHA256.hash(input)
    }

    /// SHA-256(0x01 || left || right).
    public static func nodeHash(_ left: SHA256Digest, _ right: SHA256Digest) -> SHA256Digest {
        var input = [UInt8](repeating: 1, count: 1)
        input.reserveCapacity(65)
        input.append(contentsOf: left.bytes)
        input.append(contentsOf: right.bytes)
        return SHA256.hash(input)
    }

    /// The root over leaf data; the root of no leaves is SHA-256 of the empty string.
    public static func root(leaves: [[UInt8]]) -> SHA256Digest {
        root(leafHashes: leaves.map(leafHash))
    }

    /// The root over already computed leaf hashes.
    public static func root(leafHashes: [SHA256Digest]) -> SHA256Digest {
        if leafHashes.isEmpty { return SHA256.hash([UInt8]()) }
        return subtreeRoot(leafHashes[...])
    }

    private static func subtreeRoot(_ hashes: ArraySlice<SHA256Digest>) -> SHA256Digest {
        if hashes.count == 1 { return hashes.first! }
        let split = hashes.startIndex + largestPowerOfTwo(below: hashes.count)
        return nodeHash(subtreeRoot(hashes[..<split]), subtreeRoot(hashes[split...]))
    }

    /// The largest power of two strictly smaller than n (n ≥ 2).
    static func largestPowerOfTwo(below n: Int) -> Int {
        precondition(n >= 2)
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// The audit path of leaf `index` (RFC 6962, 2.1.1): the sibling hashes from the leaf
    /// up to the root, which prove the leaf is in the tree without the other leaves.
    public static func auditPath(index: Int, leafHashes: [SHA256Digest]) -> [SHA256Digest] {
        precondition(index >= 0 && index < leafHashes.count, "leaf index out of range")
        return path(index - 0, leafHashes[...])
    }

    private static func path(_ index: Int, _ hashes: ArraySlice<SHA256Digest>) -> [SHA256Digest] {
        if hashes.count <= 1 { return [] }
        let k = largestPowerOfTwo(below: hashes.count)
        let split = hashes.startIndex + k
        if index < k {
            return path(index, hashes[..<split]) + [subtreeRoot(hashes[split...])]
        } else {
            return path(index - k, hashes[split...]) + [subtreeRoot(hashes[..<split])]
        }
    }

    /// Recomputes the root from a leaf hash and its audit path (RFC 9162, 2.1.3.2).
    /// `explain` receives one line per hash step (`csp-audit --explain`).
    public static func root(fromLeaf leafHash: SHA256Digest, index: Int, treeSize: Int,
                            path: [SHA256Digest], explain: ((String) -> Void)? = nil) -> SHA256Digest? {
        guard index >= 0, index < treeSize else { return nil }
        var fn = index
        var sn = treeSize - 1
        var r = leafHash
        for p in path {
            if sn == 0 { return nil }
            if fn & 1 == 1 || fn == sn {
                let left = r
                r = nodeHash(p, r)
                explain?("node = SHA-256(01 || \(p.hex) || \(left.hex)) = \(r.hex)")
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                let left = r
                r = nodeHash(r, p)
                explain?("node = SHA-256(01 || \(left.hex) || \(p.hex)) = \(r.hex)")
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    /// The consistency proof between the tree of the first `oldSize` leaves and the whole
    /// tree (RFC 6962, 2.1.2): it shows the larger tree extends the smaller one.
    public static func consistencyProof(oldSize: Int, leafHashes: [SHA256Digest]) -> [SHA256Digest] {
        precondition(oldSize >= 0 && oldSize <= leafHashes.count, "old size out of range")
        if oldSize == 0 || oldSize == leafHashes.count { return [] }
        return subproof(oldSize, leafHashes[...], complete: true)
    }

    private static func subproof(_ m: Int, _ hashes: ArraySlice<SHA256Digest>, complete: Bool) -> [SHA256Digest] {
        if m == hashes.count { return complete ? [] : [subtreeRoot(hashes)] }
        let k = largestPowerOfTwo(below: hashes.count)
        let split = hashes.startIndex + k
        if m <= k { return subproof(m, hashes[..<split], complete: complete) + [subtreeRoot(hashes[split...])] }
        return subproof(m - k, hashes[split...], complete: false) + [subtreeRoot(hashes[..<split])]
    }

    /// Whether `proof` shows that the tree of `oldSize` leaves with root `oldRoot` is a
    /// prefix of the tree of `newSize` leaves with root `newRoot` (RFC 9162, 2.1.4.2).
    /// Every proof element must be used: a longer or shorter proof fails.
    public static func verifyConsistency(oldSize: Int, newSize: Int, oldRoot: SHA256Digest, newRoot: SHA256Digest,
                                         proof: [SHA256Digest]) -> Bool {
        // An empty old tree proves nothing, so it is refused as RFC 9162's reference code does.
        guard oldSize > 0, oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        guard !proof.isEmpty else { return false }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == oldRoot && sr == newRoot
    }
}

/// Every level of an RFC 6962 tree kept in memory, for many audit paths at once: a
/// level's lone last node moves up unpaired, which builds the same tree as the recursive
/// split, and each path is then O(log n) lookups instead of O(n) hashing.
public struct MerkleLevels: Sendable {
    /// levels[0] the leaf hashes, the last level the root alone.
    public let levels: [[SHA256Digest]]

    public init(leafHashes: [SHA256Digest]) {
        precondition(!leafHashes.isEmpty, "a tree of no leaves has no levels")
        var levels = [leafHashes]
        while levels[levels.count - 1].count > 1 {
            let below = levels[levels.count - 1]
            var level: [SHA256Digest] = []
            level.reserveCapacity((below.count + 1) / 2)
            var i = 0
            while i + 1 < below.count {
                level.append(MerkleTree.nodeHash(below[i], below[i + 1]))
                i += 2
            }
            if i < below.count { level.append(below[i]) }
            levels.append(level)
        }
        self.levels = levels
    }

    public var root: SHA256Digest { levels[levels.count - 1][0] }

    /// The same path as `MerkleTree.auditPath`.
    public func auditPath(index: Int) -> [SHA256Digest] {
        precondition(index >= 0 && index < levels[0].count, "leaf index out of range")
        var path: [SHA256Digest] = []
        var i = index
        for level in levels.dropLast() {
            let sibling = i ^ 1
            if sibling < level.count { path.append(level[sibling]) }
            i >>= 1
        }
        return path
    }
}
