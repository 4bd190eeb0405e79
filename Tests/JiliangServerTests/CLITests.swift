import Foundation
import JiliangStore
import JiliangCore
import JiliangXLSX
import Testing

/// The `jiliang` command answers bad input with a message naming what is wrong and a non-zero exit,
/// and stores nothing. Runs the built binary on a throwaway SQLite file.
@Suite struct CLITests {
    static let binary: String = {
        // Tests/JiliangServerTests/CLITests.swift → package root → .build/debug/jiliang
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/jiliang").path
    }()

    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs the built binary: on SQLite (any `DATABASE_URL` of the test process removed), or on
    /// the PostgreSQL database given.
    static func run(_ args: [String], databaseURL: String? = nil, environment: [String: String] = [:]) async throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DATABASE_URL")
        if let databaseURL { env["DATABASE_URL"] = databaseURL }
        env.merge(environment) { _, new in new }
        let r = try await ChildProcess.run(binary, args, environment: env, errorsIntoOutput: true)
        return Result(status: r.status, output: r.text)
    }

    static func temp(_ name: String) -> String { NSTemporaryDirectory() + "jiliang-cli-\(UUID().uuidString)-\(name)" }

    /// `jiliang simulate --evaluate` (issue #21, item 7): a seeded fleet scored in process — every
    /// injected cheat's detector in the table with its recall; bad options named, nothing run.
    @Test func simulateScoresAFleetAndRefusesBadOptions() async throws {
        let r = try await Self.run(["simulate", "--evaluate", "--devices", "200", "--cheat-rate", "0.3", "--seed", "1"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("fleet: 200 devices, seed 1"))
        let rows = r.output.split(separator: "\n").filter { $0.hasPrefix("| `") }
        #expect(rows.count >= 8, "\(r.output)")
        // Columns: detector, flagged, rightly, precision, honest flagged, cheats, caught, recall; a rule's
        // row with cheats caught them all, and no rule flagged an honest device.
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells[5] != "0", !cells[0].contains("drift") { #expect(cells[7] == "100.0 %", "\(row)") }
            if !cells[0].contains("drift") { #expect(cells[4] == "0", "\(row)") }
        }
        // With stations, tank reconciliation has its row, and flags no honest station.
        let stations = try await Self.run(["simulate", "--evaluate", "--devices", "200", "--cheat-rate", "0.3", "--seed", "1", "--tanks"])
        let tankRow = stations.output.split(separator: "\n").first { $0.hasPrefix("| `tank_reconciliation`") }
        #expect(stations.status == 0 && tankRow != nil, "\(stations.output)")
        #expect(tankRow.map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[4] == "0" } == true, "\(stations.output)")
        for (args, message) in [
            (["simulate", "--evaluate", "--cheat-rate", "2"], "--cheat-rate must be from 0 to 1"),
            (["simulate", "--devices", "10"], "give either --evaluate or --server URL"),
            (["simulate", "--server", "http://127.0.0.1:9"], "--server needs --token"),
            (["simulate", "--evaluate", "--readings", "10"], "--readings must be from 41"),
        ] {
            let bad = try await Self.run(args)
            #expect(bad.status != 0 && bad.output.contains(message), "\(args): \(bad.output)")
        }
    }

    @Test func importReportsBadRowsAndStoresNothing() async throws {
        let db = Self.temp("db.sqlite"), csv = Self.temp("in.csv"), report = Self.temp("errors.csv")
        try "种别序号,器具名称,出厂编号,用途,行政区划代码,安装地点,统一社会信用代码,启用日期\n2,秤,A1,贸易结算,350102,摊,91330100716105852G,2026-01-01\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try await Self.run(["import", "instruments", csv, "--sqlite", db, "--errors", report])
        #expect(r.status == 2, "\(r.output)")
        #expect(r.output.contains("row 2, 统一社会信用代码"))
        #expect(r.output.contains("stored: no"))
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("2,统一社会信用代码,"))
        // a valid file, twice: the second time nothing new
        try "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,owner_name,in_service_date\n2,秤,A1,trade_settlement,350102,摊,91330100716105852F,阿里,2026-01-01\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let ok = try await Self.run(["import", "instruments", csv, "--sqlite", db])
        #expect(ok.status == 0 && ok.output.contains("new: 1"), "\(ok.output)")
        let again = try await Self.run(["import", "instruments", csv, "--sqlite", db])
        #expect(again.status == 0 && again.output.contains("new: 0, already present: 1"), "\(again.output)")
    }

    @Test(arguments: [
        (["import", "instruments", "/nonexistent.csv"], "cannot read /nonexistent.csv"),
        (["import", "instruments", "x.csv", "--mode", "some"], "--mode must be all-or-nothing or valid-rows-only"),
        (["demo", "--instruments", "0"], "--instruments must be from 1"),
        (["warnings", "--today", "2026-02-30"], "--today must be a date written YYYY-MM-DD"),
        (["serve", "--due-soon-days", "999"], "--due-soon-days must be from 0 to 365"),
        (["serve", "--plain-path-limit", "0"], "--plain-path-limit must be from 1 to 200000"),
        (["serve", "--offender-page-limit", "0"], "--offender-page-limit must be from 1 to 100000"),
        (["demo", "--history-years", "0"], "--history-years must be from 1 to 30"),
        (["serve", "--import-max-mb", "0"], "--import-max-mb must be from 1 to 4096"),
        (["serve", "--log-format", "xml"], "'xml' is invalid for '--log-format"),
        (["serve", "--log-level", "loud"], "--log-level must be one of trace, debug, info, notice, warning, error, critical, got 'loud'"),
        (["serve", "--job-lease-seconds", "2"], "--job-lease-seconds must be from 3 to 3600"),
        (["serve", "--replica-max-lag-seconds", "1"], "--replica-max-lag-seconds must be from 2 to 3600"),
    ])
    func refusesBadArguments(args: [String], message: String) async throws {
        let r = try await Self.run(args + ["--sqlite", Self.temp("db.sqlite")])
        #expect(r.status != 0)
        #expect(r.output.contains(message), "\(r.output)")
    }

    /// A read replica is PostgreSQL's (issue #22, item 3): named without `DATABASE_URL`, or not as
    /// a postgres:// address, it is refused before anything starts.
    @Test func aReadReplicaNeedsPostgreSQL() async throws {
        let alone = try await Self.run(["serve", "--sqlite", Self.temp("db.sqlite")], environment: ["DATABASE_READ_URL": "postgres://127.0.0.1:1/x"])
        #expect(alone.status != 0 && alone.output.contains("DATABASE_READ_URL needs DATABASE_URL"), "\(alone.output)")
        let odd = try await Self.run(["serve"], databaseURL: "postgres://127.0.0.1:1/x", environment: ["DATABASE_READ_URL": "mysql://127.0.0.1/x"])
        #expect(odd.status != 0 && odd.output.contains("DATABASE_READ_URL must be a postgres:// address"), "\(odd.output)")
    }

    @Test func importRejectsAnUnreadableFileClearly() async throws {
        let db = Self.temp("db.sqlite"), csv = Self.temp("bin.csv")
        try Data([0x41, 0xFF, 0xFE, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: csv))
        let r = try await Self.run(["import", "instruments", csv, "--sqlite", db])
        #expect(r.status != 0)
        #expect(r.output.contains("neither UTF-8 nor GB18030"), "\(r.output)")
    }

    /// A workbook with a title row and an unknown county column (issue #19): the preview names the
    /// missing field, a mapping corrects it and is saved as a profile, the profile imports the file.
    @Test func previewsMapsAndImportsAWorkbookWithAProfile() async throws {
        let db = Self.temp("db.sqlite"), xlsx = Self.temp("roll.xlsx")
        let bytes = try XLSXRoll.data(
            title: "鼓楼区强检器具台账", header: ["器具名称", "出厂编号", "使用单位", "统一社会信用代码", "安装地点", "辖区", "用途", "启用日期"],
            rows: [["电子秤", "CL-1", "阿里", "91330100716105852F", "摊位1", "鼓楼区", "贸易结算", .date(CalendarDay("2026-01-01")!)]])
        try Data(bytes).write(to: URL(fileURLWithPath: xlsx))
        let refused = try await Self.run(["import", "instruments", xlsx, "--sqlite", db, "--dry-run"])
        #expect(refused.status != 0 && refused.output.contains("region_code"), "\(refused.output)")
        let preview = try await Self.run(["import", "instruments", xlsx, "--sqlite", db, "--dry-run", "--map", "辖区=region_code", "--save-profile", "gulou"])
        #expect(preview.status == 0 && preview.output.contains("PREVIEW — nothing stored") && preview.output.contains("would add: 1"), "\(preview.output)")
        #expect(preview.output.contains("辖区 → region_code (mapped)") && preview.output.contains("header on row 3"), "\(preview.output)")
        let real = try await Self.run(["import", "instruments", xlsx, "--sqlite", db, "--profile", "gulou"])
        #expect(real.status == 0 && real.output.contains("new: 1"), "\(real.output)")
        let unknown = try await Self.run(["import", "instruments", xlsx, "--sqlite", db, "--profile", "nope"])
        #expect(unknown.status != 0 && unknown.output.contains("nope"), "\(unknown.output)")
    }
}
