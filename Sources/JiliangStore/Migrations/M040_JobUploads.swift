import FluentKit

/// 040: an import's uploaded file kept in the database until its job ends, in parts of at most
/// `ImportJobs.partSize` bytes, instead of a file in `data/uploads`. Any instance's worker may
/// claim the job, so a file on one instance's disk needed a directory every instance shared; in
/// the database it needs nothing more, and a backup taken while a job waits keeps its upload.
/// The parts go in the same transaction as the job, and are removed in the one that ends it.
struct M040_JobUploads: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("job_uploads")
            .field("job_id", .int, .required, .references("jobs", "id", onDelete: .cascade))
            .field("part", .int, .required)
            .field("bytes", .data, .required)
            .compositeIdentifier(over: "job_id", "part")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("job_uploads").delete()
    }
}
