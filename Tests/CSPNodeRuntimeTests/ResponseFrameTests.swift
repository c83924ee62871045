import CSPNodeProtocol
@testable import CSPNodeRuntime
import Foundation
import XCTest

final class ResponseFrameTests: XCTestCase {
    func testHandWrittenCommitAnswerDecodesLikeTheCodableOne() throws {
        var response = NodeResponse(id: 7, status: 0)
        response.txid = String(repeating: "ab", count: 32)
        response.code = "valid"
        response.block = 12
        response.index = 3
        let frame = try XCTUnwrap(ResponseWriter.committedFrame(response))
        XCTAssertEqual(try JSONDecoder().decode(NodeResponse.self, from: Data(frame)), response)
        // Anything with text that may need escaping takes the encoder.
        response.reason = "quote \" here"
        XCTAssertNil(ResponseWriter.committedFrame(response))
        var refused = NodeResponse(id: 8, status: 1, error: "rejected")
        refused.txid = response.txid
        refused.code = "policy-denied"
        XCTAssertNil(ResponseWriter.committedFrame(refused))
    }
}
