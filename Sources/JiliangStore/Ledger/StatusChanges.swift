import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// Instrument status changes as append-only rows, so that each one can be ledgered: the
/// instrument row itself only holds the current status.
enum StatusChanges {
    /// `instrument` must have been read under its row's lock (`Registry.lockedInstrument`), so its
    /// region is the one a concurrent move would leave it in (M041); each caller has read it so.
    static func record(
        _ instrument: InstrumentModel, from: String, to: String, day: String? = nil, reason: String? = nil, on db: any Database
    ) async throws {
        guard from != to else { return }
        let changedOn = day ?? CalendarDay(instant: Date()).description
        try await (db as! any SQLDatabase).insert(into: "status_changes")
            .columns("instrument_id", "region_code", "from_status", "to_status", "changed_on", "changed_by", "reason")
            .values(SQLBind(instrument.id!), SQLBind(instrument.regionCode), SQLBind(from), SQLBind(to), SQLBind(changedOn), SQLBind(Audit.actor.actor), SQLBind(reason))
            .run()
    }
}
