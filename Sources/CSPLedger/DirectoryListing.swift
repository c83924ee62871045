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
    do { return try FileIO.directoryEntries(folder) } catch let error as SystemError { throw LedgerError.system(error) }
}

/// The path of block file `number` in `folder`.
func blockFilePath(_ folder: String, _ number: UInt32) -> String {
    folder + "/" + BlockRecord.fileName(number)
}
