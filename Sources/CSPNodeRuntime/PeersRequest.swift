import CSPBasics
import CSPCertificates
import CSPContracts
import CSPNodeProtocol
import CSPWire
import CSPWireServer
import Foundation

extension NodeServer {
    /// `peers` (docs/PROTOCOL.md, "Discovery: peers"): a node of the channel announces its
    /// address (`target`) and asks for this node's height, the hashes of block `from` (or
    /// this node's last block when it has fewer), and the nodes it knows. Signed like a
    /// `blocks` read (kind `block`); only a node certificate's announcement is kept.
    func peers(_ request: NodeRequest, _ service: ChannelService) async -> NodeResponse {
        if let refusal = Reads(service: service).authorize(request, kind: "block") { return refusal }
        if let target = request.target, !target.isEmpty {
            guard NetworkAddress.parse(target) != nil else {
                return NodeResponse(id: request.id, status: 2, error: "malformed request: target \(quoted(target)) is not HOST:PORT")
            }
            if Self.isNode(request, service) { service.announce(target) }
        }
        var response = NodeResponse(id: request.id, status: 0)
        response.height = service.ledger.height
        do {
            let from = request.from
            response.record = try await BlockingWork.run { try service.blockHashes(at: from) }
        } catch {
            return NodeResponse(id: request.id, status: 2, error: "cannot read the block to compare: \(error)")
        }
        response.block = response.record?.block
        response.nodes = service.knownNodes(excluding: request.target)
        response.suspect = service.currentFork?.message(channel: service.name)
        return response
    }

    /// Whether a signed request (already authorized) comes from a node certificate: only
    /// nodes announce addresses that others then connect to.
    static func isNode(_ request: NodeRequest, _ service: ChannelService) -> Bool {
        guard let text = request.auth?.certificate, let der = Data(base64Encoded: text),
              case .success(let creator) = service.currentRules.creator(certificate: Array(der), now: Date()) else { return false }
        return creator.role == CertificateRole.node.rawValue
    }
}
