import Foundation
import JiliangStore

/// Files as Chinese users' tools write them.
public enum TextFixtures {
    /// Encodes with the system's iconv through the `iconv` command, as a spreadsheet's CSV export on
    /// a Chinese Windows would (GB18030).
    public static func gb18030(_ text: String) async throws -> [UInt8] {
        try await ChildProcess.run("/usr/bin/iconv", ["-f", "UTF-8", "-t", "GB18030"], input: Array(text.utf8)).output
    }
}
