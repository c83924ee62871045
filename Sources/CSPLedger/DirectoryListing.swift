#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSPBasics

/// The block file numbers present in a folder, sorted. Listing (rather than probing
/// 0, 1, 2, … until one is missing) is what reveals a gap, e.g. a deleted middle file.
func blockFileNumbers(in folder: String) throws -> [UInt32] {
    try directoryEntries(folder).compactMap(BlockRecord.fileNumber).sorted()
}

/// The names in a folder, "." and ".." excluded, unsorted.
func directoryEntries(_ folder: String) throws -> [String] {
    guard let stream = opendir(folder) else { throw LedgerError.system(SystemError("cannot open \(quoted(folder))")) }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != ".", name != ".." { names.append(name) }
    }
    return names
}

/// The path of block file `number` in `folder`.
func blockFilePath(_ folder: String, _ number: UInt32) -> String {
    folder + "/" + BlockRecord.fileName(number)
}
