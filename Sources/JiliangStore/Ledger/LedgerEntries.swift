import Crypto
import Foundation
import JiliangLedger
import SQLKit

/// The regulated facts that go into the ledger, each with a canonical, versioned encoding.
///
/// An entry is UTF-8 text: a header line `jiliang/ledger/v2 <kind>`, then `key value` lines in a
/// fixed order (`-` for no value; backslash and newline escaped). Personal data (who recorded or
/// decided, free-text reasons) is never in the entry: only an HMAC of it, keyed by a secret derived
/// from the log key, so the public cannot guess names from the hash but `jiliang audit` can
/// recompute it. Changing an encoding means a new version header, never a silent change.
///
/// v2 (issue #17, item 11) names an instrument by a commitment to its code,
/// `sha256:` of `jiliang/instrument-code\n<instrument-id>\n<code>`, instead of the code itself: the
/// public log no longer lists every code (which let anyone walk `/p/i/<code>` for a whole
/// province), yet whoever holds a code — from the QR label — computes the commitment for an entry
/// (its `instrument-id` is beside it) and finds its entries. The code's 60 random bits make the
/// hash impossible to reverse by trying codes, and the id in it makes each guess test one entry
/// only, not every entry of the log at once. v1 entries stay as they were written, audited as v1.
public enum LedgerKind: String, Sendable, CaseIterable {
    case verificationRecord = "verification-record"
    case filingApproved = "filing-approved"
    case statusChange = "instrument-status"
    /// A change of a public credit list: a penalty published, withdrawn or expired; a party listed
    /// on the serious-dishonesty list, repaired or removed (issue #7).
    case creditList = "credit-list"
    /// A telemetry alert a bureau confirmed (issue #21): which detector, on which instrument and
    /// device, and the SHA-256 of its frozen evidence — so that the evidence an inspection or a
    /// penalty rests on can be shown not to have changed since.
    case telemetryAlert = "telemetry-alert"

    /// What a v2 entry says in place of an instrument code (anyone holding the code can compute it,
    /// with the entry's `instrument-id`).
    public static func instrumentCommitment(_ code: String, instrumentID: String) -> String {
        "sha256:" + Hex.string(SHA256.hash(data: Array("jiliang/instrument-code\n\(instrumentID)\n\(code)".utf8)))
    }

    /// Whether an entry's text names the instrument with this code (v1: the code; v2: its commitment).
    public static func entry(_ text: String, names code: String) -> Bool {
        let lines = text.split(separator: "\n")
        if lines.first?.hasPrefix("jiliang/ledger/v1 ") == true { return lines.contains(Substring("instrument \(code)")) }
        guard let id = lines.first(where: { $0.hasPrefix("instrument-id ") })?.dropFirst("instrument-id ".count) else { return false }
        return lines.contains(Substring("instrument \(instrumentCommitment(code, instrumentID: String(id)))"))
    }

    /// The header new entries are written with; `versions` are those that can be read.
    public static let header = "jiliang/ledger/v2"
    static let versions = ["jiliang/ledger/v1": 1, "jiliang/ledger/v2": 2]

    var table: String {
        switch self {
        case .verificationRecord: "verification_records"
        case .filingApproved: "filings"
        case .statusChange: "status_changes"
        case .creditList: "credit_list_changes"
        case .telemetryAlert: "telemetry_findings"
        }
    }

    /// Which rows of the table are ledgered.
    var ledgered: String {
        switch self {
        case .filingApproved: "x.state = 'approved'"
        case .telemetryAlert: "x.state = 'confirmed'"
        default: "1 = 1"
        }
    }

    var select: String {
        switch self {
        case .verificationRecord:
            """
            SELECT x.id, x.ledger_index, x.instrument_id, i.code, x.institution_id, x.verified_on, x.kind, x.result,
                   x.certificate_no, x.result_notice_no, x.readings, x.valid_until, x.rule_id, x.corrects_id,
                   x.correction_reason, x.recorded_by
            FROM verification_records x JOIN instruments i ON i.id = x.instrument_id
            """
        case .filingApproved:
            """
            SELECT x.id, x.ledger_index, x.instrument_id, i.code, x.owner_id, x.region_code, x.state, x.decided_by, x.decided_at
            FROM filings x JOIN instruments i ON i.id = x.instrument_id
            """
        case .statusChange:
            """
            SELECT x.id, x.ledger_index, x.instrument_id, i.code, x.from_status, x.to_status, x.changed_on, x.changed_by, x.reason
            FROM status_changes x JOIN instruments i ON i.id = x.instrument_id
            """
        case .creditList:
            "SELECT x.id, x.ledger_index, x.owner_id, x.credit_code, x.list, x.ref_id, x.change, x.day, x.actor FROM credit_list_changes x"
        case .telemetryAlert:
            """
            SELECT x.id, x.ledger_index, x.instrument_id, i.code, x.device_id, x.detector, x.subject, x.at, x.frozen_evidence,
                   x.state, x.decided_on, x.decided_at, x.decided_by, x.decision_reason
            FROM telemetry_findings x JOIN instruments i ON i.id = x.instrument_id
            """
        }
    }
}

/// One row read for the ledger: its id, the leaf index it claims and its canonical entry.
struct LedgerRow {
    var kind: LedgerKind
    var id: Int
    var ledgerIndex: Int64?
    var entry: [UInt8]
}

/// Builds canonical entries from database rows.
struct EntryEncoder {
    let pepper: [UInt8]

    func personal(_ field: String, _ value: String?) -> String? {
        guard let value else { return nil }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(field)\n\(value)".utf8), using: SymmetricKey(data: pepper))
        return "hmac:" + Hex.string(mac)
    }

    static func digest(_ value: String?) -> String? {
        value.map { "sha256:" + Hex.string(SHA256.hash(data: Array($0.utf8))) }
    }

    static func escape(_ v: String) -> String {
        // Almost no value needs escaping; test the bytes before paying for replacements.
        guard v.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A || $0 == 0x0D }) else { return v }
        return v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }

    func encode(kind: LedgerKind, id: Int, version: Int, _ fields: [(String, String?)]) -> [UInt8] {
        var s = "jiliang/ledger/v\(version) \(kind.rawValue)\nid \(id)\n"
        for (k, v) in fields { s += "\(k) \(v.map(EntryEncoder.escape) ?? "-")\n" }
        return Array(s.utf8)
    }

    /// The row's entry in `version` (new entries: the current one; the audit: the one in the log).
    func row(_ kind: LedgerKind, _ r: any SQLRow, version: Int = 2) throws -> LedgerRow {
        let id = try r.decode(column: "id", as: Int.self)
        let index = try r.decode(column: "ledger_index", as: Int64?.self)
        func s(_ c: String) throws -> String? { try r.decode(column: c, as: String?.self) }
        func i(_ c: String) throws -> String? { try r.decode(column: c, as: Int?.self).map(String.init) }
        func code() throws -> String? {
            guard version >= 2 else { return try s("code") }
            guard let code = try s("code"), let id = try i("instrument_id") else { return nil }
            return LedgerKind.instrumentCommitment(code, instrumentID: id)
        }
        let fields: [(String, String?)]
        switch kind {
        case .verificationRecord:
            fields = [
                ("instrument-id", try i("instrument_id")), ("instrument", try code()),
                ("institution", try i("institution_id")), ("verified-on", try s("verified_on")),
                ("kind", try s("kind")), ("result", try s("result")), ("certificate-no", try s("certificate_no")),
                ("result-notice-no", try s("result_notice_no")), ("readings", EntryEncoder.digest(try s("readings"))),
                ("valid-until", try s("valid_until")), ("rule", try i("rule_id")), ("corrects", try i("corrects_id")),
                ("correction-reason", personal("correction_reason", try s("correction_reason"))),
                ("recorded-by", personal("recorded_by", try s("recorded_by"))),
            ]
        case .filingApproved:
            let decidedAt = try r.decode(column: "decided_at", as: Date?.self)
            fields = [
                ("instrument-id", try i("instrument_id")), ("instrument", try code()), ("owner", try i("owner_id")),
                ("region", try s("region_code")), ("state", try s("state")),
                ("decided-at", decidedAt.map { String(Int64($0.timeIntervalSince1970.rounded(.down))) }),
                ("decided-by", personal("decided_by", try s("decided_by"))),
            ]
        case .statusChange:
            fields = [
                ("instrument-id", try i("instrument_id")), ("instrument", try code()), ("from", try s("from_status")),
                ("to", try s("to_status")), ("changed-on", try s("changed_on")),
                ("changed-by", personal("changed_by", try s("changed_by"))),
                ("reason", personal("reason", try s("reason"))),
            ]
        case .creditList:
            fields = [
                ("owner-id", try i("owner_id")), ("credit-code", try s("credit_code")), ("list", try s("list")), ("ref", try i("ref_id")),
                ("change", try s("change")), ("day", try s("day")), ("actor", personal("actor", try s("actor"))),
            ]
        case .telemetryAlert:
            func epoch(_ c: String) throws -> String? { try r.decode(column: c, as: Date?.self).map { String(Int64($0.timeIntervalSince1970.rounded(.down))) } }
            fields = [
                ("instrument-id", try i("instrument_id")), ("instrument", try code()), ("device-id", try i("device_id")),
                ("detector", try s("detector")), ("subject", try s("subject")), ("at", try epoch("at")), ("evidence", EntryEncoder.digest(try s("frozen_evidence"))),
                // The decision itself, so that a confirmed alert edited into a dismissed one, or its
                // day moved out of the credit window, is caught by the audit.
                ("state", try s("state")), ("decided-on", try s("decided_on")), ("decided-at", try epoch("decided_at")),
                ("decided-by", personal("decided_by", try s("decided_by"))), ("reason", personal("decision_reason", try s("decision_reason"))),
            ]
        }
        return LedgerRow(kind: kind, id: id, ledgerIndex: index, entry: encode(kind: kind, id: id, version: version, fields))
    }

    /// The kind, row id and encoding version an entry names (its first two lines).
    static func identify(_ entry: ArraySlice<UInt8>) -> (LedgerKind, Int, version: Int)? {
        let text = String(decoding: entry, as: UTF8.self)
        let lines = text.split(separator: "\n", maxSplits: 2)
        guard lines.count >= 2, let space = lines[0].firstIndex(of: " "),
              let version = LedgerKind.versions[String(lines[0][..<space])],
              let kind = LedgerKind(rawValue: String(lines[0][lines[0].index(after: space)...])),
              lines[1].hasPrefix("id "), let id = Int(lines[1].dropFirst(3))
        else { return nil }
        return (kind, id, version)
    }
}
