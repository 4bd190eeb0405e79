import FluentKit
import Foundation
import SQLKit

/// A job's uploaded file, kept in the database in parts (`job_uploads`, migration 040) from the
/// transaction that queues the job to the one that ends it (`JobQueue.finish`). Any instance's
/// worker reads it; no instance's disk holds it.
enum JobUploads {
    static let table = "job_uploads"

    /// Stores `bytes` for `job` in parts of at most `partSize` bytes (an empty file is one empty part).
    static func keep(_ bytes: [UInt8], for job: Int, partSize: Int, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        var part = 0
        var start = 0
        repeat {
            let end = min(start + max(partSize, 1), bytes.count)
            try await sql.insert(into: table).columns("job_id", "part", "bytes")
                .values(SQLBind(job), SQLBind(part), SQLBind(Data(bytes[start..<end]))).run()
            part += 1
            start = end
        } while start < bytes.count
    }

    /// The file kept for `job`, or nil when none is. Read a part at a time into room made for
    /// `expectedBytes`, so that the file is held once in memory, not as rows and again whole.
    static func read(for job: Int, expectedBytes: Int? = nil, on db: any Database) async throws -> [UInt8]? {
        struct Part: Decodable { var bytes: Data }
        let sql = db as! any SQLDatabase
        var bytes: [UInt8] = []
        bytes.reserveCapacity(expectedBytes ?? 0)
        var part = 0
        while let p = try await sql.select().column("bytes").from(table).where("job_id", .equal, job).where("part", .equal, part)
            .first(decoding: Part.self)
        {
            bytes.append(contentsOf: p.bytes)
            part += 1
        }
        return part == 0 ? nil : bytes
    }

    /// Removes what is kept for `job` (it has ended).
    static func remove(for job: Int, on db: any Database) async throws {
        try await (db as! any SQLDatabase).delete(from: table).where("job_id", .equal, job).run()
    }
}
