import Foundation
import NIOConcurrencyHelpers

/// Remembers, for a short while, that a record's ledger proof checked. The public page is cached
/// for 60 s by shared caches anyway; remembering the check for as long spares the database the
/// tile reads and the signature check on every scan of a popular instrument (a market's scale is
/// scanned many times a day). Bounded: when full it is emptied (a later scan checks again).
final class CertificateChecks: Sendable {
    struct Entry { var checkpointSize: Int64; var at: Double }
    let ttl: Double
    let capacity: Int
    let entries = NIOLockedValueBox<[Int: Entry]>([:])

    init(ttl: Double = 60, capacity: Int = 200_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func verified(record: Int, now: Double = ProcessInfo.processInfo.systemUptime) -> Int64? {
        entries.withLockedValue { map in
            guard let e = map[record], now - e.at < ttl else { return nil }
            return e.checkpointSize
        }
    }

    func remember(record: Int, checkpointSize: Int64, now: Double = ProcessInfo.processInfo.systemUptime) {
        entries.withLockedValue { map in
            if map.count >= capacity { map.removeAll(keepingCapacity: true) }
            map[record] = Entry(checkpointSize: checkpointSize, at: now)
        }
    }
}
