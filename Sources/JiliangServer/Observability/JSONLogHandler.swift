import Foundation
import Logging

/// Structured logs (issue #22, item 6): one JSON object per line — `time`, `level`, `logger`,
/// `message`, `source`, then the metadata (Hummingbird's `hb.request.id`, the route, …) as fields
/// of their own — for journald, Loki or Elasticsearch to index without parsing prose.
/// `jiliang serve --log-format json` installs it; the text format stays the default for a terminal.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil,
                write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.write = write
    }

    /// One line to standard output (where the text format writes too), in one unbuffered write, so
    /// that lines from several threads do not interleave and a crash loses none.
    public static let standardOutput: @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let own = event.metadata { fields.merge(own) { _, new in new } }
        var line = "{\"time\":" + Self.quoted(Self.timestamp(Date()))
        line += ",\"level\":" + Self.quoted(event.level.rawValue)
        line += ",\"logger\":" + Self.quoted(label)
        line += ",\"message\":" + Self.quoted(event.message.description)
        line += ",\"module\":" + Self.quoted(event.source)
        line += ",\"file\":" + Self.quoted("\(event.file.split(separator: "/").last ?? ""):\(event.line)")
        if let error = event.error { line += ",\"error\":" + Self.quoted(String(reflecting: error)) }
        // A metadata key that would repeat one of the line's own fields keeps its value under
        // "metadata.<key>" (a JSON object with a key twice is read differently by different tools).
        let taken = event.error == nil ? Self.reserved : Self.reserved.union(["error"])
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            line += "," + Self.quoted(taken.contains(key) ? "metadata." + key : key) + ":" + Self.json(value)
        }
        write(line + "}\n")
    }

    /// The line's own fields ("error" too when the event carries one).
    static let reserved: Set<String> = ["time", "level", "logger", "message", "module", "file"]

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): quoted(s)
        case .stringConvertible(let c): quoted(c.description)
        case .array(let a): "[" + a.map(json).joined(separator: ",") + "]"
        case .dictionary(let d): "{" + d.sorted { $0.key < $1.key }.map { quoted($0.key) + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and the control characters escaped.
    static func quoted(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
