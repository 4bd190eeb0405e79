import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// A backup taken while a real `jiliang serve` takes writes (issue #22, item 4): the copy is the
/// database at one instant — it holds whole batches only (each is one transaction), its manifest
/// describes it, and it restores identical — on SQLite and on PostgreSQL.
@Suite(.serialized) struct BackupWhileWritingTests {
    @Test func aBackupWhileAServerWritesIsConsistentAndRestoresIdentical() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let dir = NSTemporaryDirectory() + "jiliang-backup-live-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let owner = try await Fixtures.owner(on: db)
            let scale = try await Fixtures.instrument(serial: "KILL", owner: owner, on: db)
            _ = try await Telemetry.register(
                name: "KILL-1", instrumentID: scale.id, kind: "scale", softwareID: nil, pulseEquivalent: nil, by: .system("tests"), on: db)
            let token = try await Accounts.createToken(.init(name: "gateway", role: "province_admin", permissions: ["telemetry:write"]), by: .system("tests"), on: db).token
            let per = TelemetryKillTests.perBatch, count = TelemetryKillTests.batches
            let start = Date().addingTimeInterval(-Double(count * per) - 3_600)
            let bodies = (0..<count).map { TelemetryKillTests.batch($0, start: start) }
            let port = ServerProcess.freePort()
            let server = try await ServerProcess(port: port, location: store.location, dir: dir)
            defer { server.stop() }
            try await server.waitUntilServing()

            let backup = dir + "/live.backup"
            var args = ["backup", "--to", backup], url: String?
            switch store.location {
            case .sqliteFile(let path): args += ["--sqlite", path]
            case .postgres(let u): url = u
            default: return
            }
            let backupArgs = args, databaseURL = url
            let acknowledged = AckLog()
            let made = await withTaskGroup(of: CLITests.Result?.self) { group in
                // Two gateways writing all along …
                for lane in 0..<2 {
                    group.addTask {
                        for b in stride(from: lane, to: count, by: 2) {
                            guard let r = await TelemetryKillTests.send(bodies[b], port: port, token: token) else { return nil }
                            if r.accepted == per { await acknowledged.add(b) }
                        }
                        return nil
                    }
                }
                // … and a backup once some batches are in.
                group.addTask {
                    while await acknowledged.count < 4 { try? await Task.sleep(for: .milliseconds(5)) }
                    return try? await CLITests.run(backupArgs, databaseURL: databaseURL)
                }
                var result: CLITests.Result?
                for await r in group where r != nil { result = r }
                return result
            }
            let backupRun = try #require(made)
            #expect(backupRun.status == 0, "\(backupRun.output)")
            let manifest = try Backup.manifest(of: backup)
            let readings = manifest.tables["telemetry_readings"] ?? -1
            // Whole batches only, at least those acknowledged before it began.
            #expect(readings % per == 0 && readings >= 4 * per, "\(readings) readings in the backup")

            // Restored into a fresh database: identical to the manifest.
            let restored: CLITests.Result
            switch store.location {
            case .sqliteFile:
                restored = try await CLITests.run(["restore", "--sqlite", dir + "/restored.sqlite", "--from", backup])
            case .postgres(let u):
                let name = "restored_live_\(UUID().uuidString.prefix(8).lowercased())"
                let admin = String(u[..<u.lastIndex(of: "/")!])
                try await BackupCLITests.psql("CREATE DATABASE \(name)", admin + "/postgres")
                restored = try await CLITests.run(["restore", "--from", backup], databaseURL: admin + "/" + name)
                try await BackupCLITests.psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", admin + "/postgres")
            default: return
            }
            #expect(restored.status == 0 && restored.output.contains("identical"), "\(restored.output)")
        }
    }
}
