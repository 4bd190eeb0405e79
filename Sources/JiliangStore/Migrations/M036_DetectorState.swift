import FluentKit

/// 036: each device's detectors keep their state between batches (`DetectorState`, issue #21's
/// ingest speed): the EWMA baseline, the lock's count, the meter's last index. Empty until the
/// device's next batch, which builds it from its stored readings.
struct M036_DetectorState: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("telemetry_devices").field("detector_state", .string).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("telemetry_devices").deleteField("detector_state").update()
    }
}
