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
}
