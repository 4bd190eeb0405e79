/// What telemetry ingest refuses, line by line (issue #21): a batch keeps every good line and
/// names each bad one.
public enum TelemetryRefusal: Sendable, Hashable, Codable {
    /// A line that is not one JSON object.
    case notAJSONObject
    /// A text holding the NUL character, which no field may (a reading is kept as its NDJSON line,
    /// and that line's reader ends a text at NUL).
    case holdsNUL
    case lineTooLong(maxBytes: Int)
    case tooManyLines(max: Int)
    /// A `type` the ingest does not know, with the ones it does.
    case unknownType(String, known: [String])
    /// The device's clock is ahead of the server's by more than the allowed skew: the reading is
    /// not trusted (a gateway whose clock is wrong is flagged, not believed).
    case clockAhead(seconds: Int, allowed: Int)
    /// A delivery or trip that ends before it starts.
    case endsBeforeStart
    /// A number that must be finite and within bounds.
    case notInRange(from: Double, to: Double, got: String)
    /// A range of days that ends before it starts or spans more than this many.
    case dayRange(maxDays: Int)
    /// A date-time that is not RFC 3339 (`2026-12-05T10:00:00+08:00`).
    case notADateTime(got: String)
    /// A device name no registered device has.
    case unknownDevice(String)
    /// The same (device, seq) given twice in one batch with different contents.
    case sequenceReused(seq: Int64)
    /// A batch naming more devices than one batch may (lines of the others are refused).
    case tooManyDevices(max: Int)
    /// The software identification and pulse equivalent a device is held to come from the
    /// regulator's side (its verification or initialisation), not from the supervised party.
    case authorisedValuesStaffOnly
    /// A device of a kind its instrument is not (a tank gauge on a scale).
    case kindDoesNotFit(kind: String, instrument: String)
    /// A device name the owner has already registered (names are unique per owner).
    case deviceNameTaken(String)
    /// A name several devices the sender may see have (their owners differ): send with the
    /// gateway credential bound to the device, or as its owner.
    case deviceNameAmbiguous(String)
    /// A body said to be gzip that zlib cannot inflate (not gzip, truncated or corrupt).
    case notGzip
    /// A body sent as `application/x-protobuf` that is not a `Batch` message (proto/telemetry.proto).
    case notProtobuf
    /// A gateway credential that is not an API token holding `telemetry:write` (unknown, revoked,
    /// or without the permission).
    case notAGatewayToken(id: Int)
    /// A capacity table (容积表) needs at least two points…
    case capacityTableTooShort
    /// …each higher and holding more than the one before…
    case capacityTableNotRising
    /// …within a tank's sizes (0–50,000 mm, 0–10,000,000 L).
    case capacityTableOutOfRange
    /// One of a gauge's tanks registered already.
    case tankTaken(tank: Int)
    /// A dispenser's nozzle that already draws from a tank (a nozzle draws from one).
    case nozzleTaken(nozzle: Int)
    /// A device that is not of the kind asked for (a tank's gauge must be a tank gauge).
    case notOfKind(device: String, kind: String)
    /// An alert a bureau has already confirmed or dismissed: a decision is final.
    case alertAlreadyDecided(state: String)
}
