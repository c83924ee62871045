import CSPTestSupport
import Foundation
import XCTest

extension NodeFixture {
    /// The usual fixture plus a desk (role enterprise), and a policy that lets every
    /// role call any contract: the workflow tests exercise the definitions' own rules.
    static func makeForWorkflows(_ testCase: XCTestCase) throws -> NodeFixture {
        let fixture = NodeFixture(dir: try temporaryDirectory(testCase))
        try run("csp-ca", ["init", "--home", fixture.ca, "--org", "Acme"])
        for (id, role) in [("node", "node"), ("alice", "customer"), ("root", "admin"), ("rita", "regulator"), ("desk", "enterprise")] {
            _ = try fixture.enroll(id, role: role)
        }
        try fixture.writeGenesis(maxTransactions: 500, timeoutMilliseconds: 50)
        let path = fixture.dir + "/genesis.json"
        var genesis = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var policy = try XCTUnwrap(genesis["policy"] as? [String: Any])
        var invoke = try XCTUnwrap(policy["invoke"] as? [String: Any])
        invoke["*"] = ["customer", "admin", "enterprise", "regulator"]
        policy["invoke"] = invoke
        genesis["policy"] = policy
        try JSONSerialization.data(withJSONObject: genesis, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        try run("csp-node", ["init", "--home", fixture.node, "--channel", fixture.channel, "--config", path])
        return fixture
    }
}
