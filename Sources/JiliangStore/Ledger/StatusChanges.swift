import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// Instrument status changes as append-only rows, so that each one can be ledgered: the
/// instrument row itself only holds the current status.
enum StatusChanges {
    static func record(
        _ instrument: InstrumentModel, from: String, to: String, day: String? = nil, reason: String? = nil, on db: any Database
    ) async throws {
        guard from != to else { return }
        let changedOn = day ?? CalendarDay(instant: Date()).description
        let region = try await RegionCopies.current("instruments", id: instrument.id!, on: db)  // as a move now would leave it
        try await (db as! any SQLDatabase).insert(into: "status_changes")
            .columns("instrument_id", "region_code", "from_status", "to_status", "changed_on", "changed_by", "reason")
            .values(SQLBind(instrument.id!), SQLBind(region), SQLBind(from), SQLBind(to), SQLBind(changedOn), SQLBind(Audit.actor.actor), SQLBind(reason))
            .run()
    }
}
