import Foundation

/// A terminal progress bar on standard error; redraws at most once per percent.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let lock = NSLock()
    private var last = -1
    private let start = Date()
    private let isTTY = isatty(2) == 1

    init(label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        let pct = total > 0 ? min(100, done * 100 / total) : 0
        let draw: Bool = lock.withLock {
            guard pct != last else { return false }
            last = pct
            return true
        }
        guard draw else { return }
        let width = 30, filled = pct * width / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = "\(label) [\(bar)] \(pct)% \(String(format: "%.1f", Date().timeIntervalSince(start))) s"
        FileHandle.standardError.write(Data((isTTY ? "\r\(line)" : line + "\n").utf8))
    }

    func finish() { if isTTY { FileHandle.standardError.write(Data("\n".utf8)) } }
}
