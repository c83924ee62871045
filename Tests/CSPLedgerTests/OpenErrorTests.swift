import CSPTestSupport
import CSPFormat
import CSPLedger
import Foundation
import XCTest

/// Everything a user can get wrong when opening a ledger ends in one clear LedgerError.
final class OpenErrorTests: LedgerTestCase {
    func testWrongChannelIsRefused() throws {
        let chain = ChainBuilder(channel: "consortium")
        try commitAndClose(try chain.blocks(2))
        assertLedgerError(.wrongChannel, ["holds the ledger of channel 'consortium', not 'private'"]) { try open(channel: "private") }
        // Without the index the blocks themselves still say whose they are.
        try FileManager.default.removeItem(atPath: directory + "/index")
        assertLedgerError(.wrongChannel, ["block 0 in", "belongs to channel 'consortium', not 'private'"]) { try open(channel: "private") }
        // And the refused attempt did not claim the directory for the wrong channel.
        XCTAssertEqual(try open(channel: "consortium").height, 2)
    }

    func testMissingDirectoryWithoutCreate() {
        assertLedgerError(.unavailable, ["ledger directory '\(directory)' does not exist"]) {
            try LedgerStore(directory: directory, channel: "c", options: .init(create: false))
        }
    }

    func testUnusableDirectories() throws {
        let file = directory + ".file"
        try write([1], to: file)
        assertLedgerError(.unavailable, ["'\(file)' is not a directory"]) { try LedgerStore(directory: file, channel: "c") }
        assertLedgerError(.unavailable, ["cannot create folder '\(file)/sub'", "not a directory"]) {
            try LedgerStore(directory: file + "/sub", channel: "c")
        }
        // Even root cannot create a folder in /proc: stands in for an unwritable parent.
        assertLedgerError(.unavailable, ["cannot create folder '/proc/csp-ledger-test'"]) {
            try LedgerStore(directory: "/proc/csp-ledger-test", channel: "c")
        }
        assertLedgerError(.invalidArgument, ["invalid channel name"]) { try LedgerStore(directory: directory, channel: "") }
    }

    func testLedgerInUseIsRefused() throws {
        let store = try open()
        assertLedgerError(.unavailable, ["in use by another process"]) { try open() }
        store.close()
        XCTAssertNoThrow(try open())
    }

    func testCorruptedIndexIsReported() throws {
        let chain = ChainBuilder()
        try commitAndClose(try chain.blocks(2))
        let current = try contents(directory + "/index/CURRENT")
        try write("MANIFEST-999999\n".bytes, to: directory + "/index/CURRENT")
        assertLedgerError(.corrupt, ["cannot open ledger index '\(directory)/index'", "CURRENT points to a non-existent file"]) { try open() }

        try write(current, to: directory + "/index/CURRENT")
        XCTAssertEqual(try open().height, 2, "CURRENT restored")
        // Each open writes a new manifest; damage the one in use now.
        let manifest = try contents(directory + "/index/CURRENT").text.trimmingCharacters(in: .newlines)
        try write([UInt8](repeating: 0x5a, count: 200), to: directory + "/index/" + manifest)
        assertLedgerError(.corrupt, ["cannot open ledger index", "Corruption"]) { try open() }
    }
}
