import Foundation

/// Files as Chinese users' tools write them.
public enum TextFixtures {
    /// Encodes with the system's iconv through the `iconv` command, as a spreadsheet's CSV export on
    /// a Chinese Windows would (GB18030).
    public static func gb18030(_ text: String) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
        p.arguments = ["-f", "UTF-8", "-t", "GB18030"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Array(data)
    }
}
