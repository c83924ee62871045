@testable import CSPCLI
import XCTest

final class HomeConfigurationTests: XCTestCase {
    func testKeysCommentsQuotesAndRelativeSocket() throws {
        let text = "# defaults\r\n\nsocket = node.sock   # beside the home\nchannel = \"a # b\"\n  format=json\n"
        let configuration = try HomeConfiguration.parse(text, path: "/h/config", home: "/h")
        XCTAssertEqual(configuration, HomeConfiguration(path: "/h/config", socket: "/h/node.sock", channel: "a # b", format: .json))
        XCTAssertEqual(try HomeConfiguration.parse("socket = /abs.sock", path: "/h/config", home: "/h").socket, "/abs.sock")
    }

    func testMalformedLinesAreNamed() {
        func refused(_ text: String, _ message: String, line: UInt = #line) {
            XCTAssertThrowsError(try HomeConfiguration.parse(text, path: "/h/config", home: "/h"), line: line) { error in
                XCTAssertEqual("\(error)", message, line: line)
                XCTAssertEqual((error as? CommandFailure)?.status, .failure, line: line)
            }
        }
        refused("channel = c\nsockte = x\n", "'/h/config', line 2: unknown key 'sockte' (keys: socket, channel, format)")
        refused("just words\n", "'/h/config', line 1: expected key = value")
        refused("channel = a\nchannel = b\n", "'/h/config', line 2: 'channel' is set twice")
        refused("channel =   # nothing\n", "'/h/config', line 1: 'channel' has no value")
        refused("channel = \"open\n", "'/h/config', line 1: unterminated quoted value")
        refused("format = yaml\n", "'/h/config': format 'yaml' is not json or text")
    }
}
