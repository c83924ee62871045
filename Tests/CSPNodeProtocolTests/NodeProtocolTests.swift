@testable import CSPNodeProtocol
import Foundation
import XCTest

final class NodeProtocolTests: XCTestCase {
    func testHandWrittenSubmitFrameDecodesLikeTheCodableOne() throws {
        var request = NodeRequest(id: 42, op: "submit", channel: "consortium")
        request.tx = Data([0, 1, 2, 250, 251, 255]).base64EncodedString()
        request.wait = false
        let frame = try XCTUnwrap(NodeClient.submitFrame(request))
        XCTAssertEqual(try JSONDecoder().decode(NodeRequest.self, from: Data(frame)), request)
        // Anything that would need escaping goes through JSONEncoder instead.
        request.channel = "odd\"name"
        XCTAssertNil(NodeClient.submitFrame(request))
        request.channel = "c"
        request.op = "query"
        XCTAssertNil(NodeClient.submitFrame(request))
    }

    func testReadSubjectSeparatesFields() {
        var a = NodeRequest(id: 1, op: "query", channel: "c")
        a.key = "ab"
        var b = NodeRequest(id: 1, op: "query", channel: "c")
        b.target = "ab"
        XCTAssertNotEqual(a.readSubject, b.readSubject, "a signature for one read cannot serve another")
        XCTAssertNotEqual(ReadAuthorization.signedBytes(subject: a.readSubject, timestamp: 1),
                          ReadAuthorization.signedBytes(subject: a.readSubject, timestamp: 2))
    }

    /// A signed `blocks` request covers its range: a signature for blocks 0-3 cannot be
    /// replayed for another range. Other reads sign what they always signed.
    func testBlocksSignatureCoversFromAndLimit() {
        var a = NodeRequest(id: 1, op: "blocks", channel: "c")
        a.from = 0
        a.limit = 4
        var b = a
        b.from = 4
        var c = a
        c.limit = nil
        XCTAssertEqual(a.readSubject, "blocks\u{0}c\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}0\u{0}4")
        XCTAssertNotEqual(a.readSubject, b.readSubject)
        XCTAssertNotEqual(a.readSubject, c.readSubject)
        XCTAssertEqual(a.legacyReadSubject, "blocks\u{0}c\u{0}\u{0}\u{0}\u{0}\u{0}")
        var query = NodeRequest(id: 1, op: "query", channel: "c")
        query.key = "k"
        query.from = 3
        XCTAssertEqual(query.readSubject, query.legacyReadSubject, "only blocks signs its range")
    }
}
