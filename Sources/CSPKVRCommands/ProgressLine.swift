#if canImport(Glibc)
import Glibc
#endif
import CSPKVR
import Foundation

/// The progress line of a long export: blocks done of total, rows/s and ETA, redrawn on
/// stderr at most twice a second, only when stderr is a terminal.
final class ProgressLine {
    static var wanted: Bool { isatty(STDERR_FILENO) == 1 }

    private let total: UInt64?
    private let enabled = ProgressLine.wanted
    private var lastDraw = 0.0
    private var drawn = false

    init(total: UInt64?) {
        self.total = total
    }

    func update(_ progress: Exporter.Progress) {
        guard enabled, progress.seconds - lastDraw >= 0.5 else { return }
        lastDraw = progress.seconds
        let rate = progress.seconds > 0 ? Double(progress.rows) / progress.seconds : 0
        var line = "block \(progress.lastBlock)"
        if let total { line += " of \(total)" }
        line += String(format: ", %.0f rows/s", rate)
        if let total, progress.blocks > 0, total > progress.lastBlock {
            let perBlock = progress.seconds / Double(progress.blocks)
            line += String(format: ", ETA %.0f s", perBlock * Double(total - progress.lastBlock - 1))
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
