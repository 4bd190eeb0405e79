import ArgumentParser
import FluentKit
import Foundation
import JiliangCore
import JiliangServer
import JiliangStore
import SQLKit
import Synchronization

/// `jiliang bench …`: the measurements behind BENCHMARKS.md, each beside its baseline measured in
/// the same run (`make bench` drives them; see scripts/bench.sh). Not a test: numbers, not verdicts.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (run by make bench)", shouldDisplay: false, subcommands: [BenchImport.self, BenchImportXLSX.self, BenchLookup.self, BenchLedger.self, BenchLedgerDB.self, BenchStatistics.self, BenchHTTPFloor.self, BenchTelemetry.self, BenchTelemetryRetention.self])
}

/// Import of a generated instrument CSV with validation on, then the same file through the database's
/// own bulk loader (`sqlite3 .import` / `psql \copy`) into a table of the file's shape.
struct BenchImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import")
    @OptionGroup var db: DatabaseOptions
    @Option var rows = 1_000_000
    @Option var file = "bench-data/instruments.csv"
    @Option(help: "Shell command that bulk-loads FILE into table bench_staging; FILE is substituted") var baseline: String

    func run() async throws {
        let file = self.file, rows = self.rows
        let ours = try await db.withStore { store -> TimeInterval in
            let owners = try await BenchData.owners(2000, into: store)
            if !FileManager.default.fileExists(atPath: file) { try BenchData.writeCSV(rows: rows, owners: owners, to: file) }
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            var rng = SystemRandomNumberGenerator()
            let told = Told()
            var importer = InstrumentImport(mode: .allOrNothing)
            importer.observeTimes = { times in told.times.withLock { $0 = times } }
            let start = Date()
            let report = try await importer.run(bytes: bytes, on: store.db, today: CalendarDay("2026-11-26")!, generator: &rng)
            let elapsed = Date().timeIntervalSince(start)
            guard report.errors.isEmpty, report.inserted == rows else {
                throw ValidationError("import failed: inserted \(report.inserted) of \(rows); \(report.errors.prefix(3))")
            }
            if let times = told.times.withLock({ $0 }) { print(Self.describe(times, elapsed: elapsed)) }
            let floor = try await BenchData.floorCopy(store, tables: ["instruments"])
            print(String(format: "  floor: the database itself copies the imported rows into an empty clone of the instruments table (same constraints and indexes) in %.1fs (%.0f rows/s); ours/floor=%.2f",
                         floor, Double(rows) / floor, floor / elapsed))
            // The import writes more than the instruments: a utility meter's offence, the kept
            // counts, a record per row with history. The floor of the same work copies every row
            // it wrote, each table into its own empty clone, in one transaction (issue #23).
            var written: [String] = []
            for table in BenchData.importWrites {
                let n = try await store.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: BenchData.Count.self)?.n ?? 0
                if n > 0 { written.append("\(table) \(n)") }
            }
            let whole = try await BenchData.floorCopy(store, tables: BenchData.importWrites)
            print(String(format: "  floor of the same writes: every row the import wrote (%@) copied into empty clones of its tables in one transaction in %.1fs (%.0f instruments/s); ours/floor=%.2f",
                         written.joined(separator: ", "), whole, Double(rows) / whole, whole / elapsed))
            // Baseline: the same file into a plain table of its shape, by the database's own loader.
            _ = try await store.sql.raw("DROP TABLE IF EXISTS bench_staging").all()
            let create = store.sql.create(table: "bench_staging")
            for c in BenchData.header.split(separator: ",") { create.column(String(c), type: .text) }
            try await create.run()
            return elapsed
        }
        let t0 = Date()
        let loaded = try await ChildProcess.run("/bin/sh", ["-c", baseline.replacingOccurrences(of: "FILE", with: file)])
        let base = Date().timeIntervalSince(t0)
        print(loaded.text, terminator: "")  // the loader's own words, as before
        guard loaded.status == 0 else { throw ValidationError("baseline failed: \(baseline): \(loaded.errorText.prefix(2_000))") }
        let oursRate = Double(rows) / ours, baseRate = Double(rows) / base
        print(String(format: "import rows=%d ours=%.1fs (%.0f rows/s) baseline=%.1fs (%.0f rows/s) ratio=%.2f maxrss=%d MB",
                     rows, ours, oursRate, base, baseRate, oursRate / baseRate, BenchData.maxRSSMB()))
    }
}

extension BenchImport {
    /// What the import tells of its times when it ends.
    final class Told: Sendable {
        let times = Mutex<InstrumentImport.Times?>(nil)
    }

    /// The import's two chains of work (issue #23): the one that took longer bounds it.
    static func describe(_ t: InstrumentImport.Times, elapsed: TimeInterval) -> String {
        func s(_ d: Duration) -> String { String(format: "%.1fs", Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18) }
        let w = t.writer
        return """
              the writer (the transaction's one connection): busy \(s(w.total)) of the import's \(String(format: "%.1fs", elapsed)), waited \(s(t.writerWaiting)) for checked slices — \
            instruments staged \(s(w.staging)), inserted \(s(w.instruments)); records \(s(w.records)); offences \(s(w.offences)); \
            kept counts applied \(s(w.counts)), summed \(s(w.counting)); registry reads \(s(w.reads)); rows built \(s(w.rows))
              the checks (read and validate the rows): \(s(t.checking)), waited \(s(t.checksWaiting)) for the writer
            """
    }
}

/// Lookup by lifelong code and the status list of one county, in process, as latency distributions.
struct BenchLookup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lookup")
    @OptionGroup var db: DatabaseOptions
    @Option var samples = 10_000

    func run() async throws {
        let samples = self.samples
        try await db.withStore { store in try await Self.measure(store, samples: samples) }
    }

    static func measure(_ store: Store, samples: Int) async throws {
        struct Row: Decodable { var code: String; var region_code: String }
        let total = try await InstrumentModel.query(on: store.db).count()
        let step = max(1, total / samples)
        let rows = try await store.sql.select().columns("code", "region_code").from("instruments")
            .where(SQLBinaryExpression(SQLBinaryExpression(SQLColumn("id"), .modulo, SQLLiteral.numeric("\(step)")), .equal, SQLLiteral.numeric("0")))
            .limit(samples).all(decoding: Row.self)
        var lookups: [Double] = []
        for r in rows {
            let t = DispatchTime.now().uptimeNanoseconds
            _ = try await Registry.instrument(code: r.code, scope: .everything, on: store.db)
            lookups.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
        }
        print("lookup-by-code instruments=\(total) " + BenchData.percentiles(lookups))
        let today = CalendarDay("2026-11-26")!
        let counties = Array(Set(rows.map(\.region_code))).sorted().prefix(20)
        var lists: [Double] = []
        for county in counties {
            for status in [ComplianceStatus.overdue, .dueSoon, .valid, .failed, .lifeExpired] {
                let t = DispatchTime.now().uptimeNanoseconds
                _ = try await Registry.instruments(.init(region: RegionCode(county)!, status: status), today: today, window: 30, cursor: nil, limit: 50, scope: .everything, on: store.db)
                lists.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
            }
        }
        print("county-status-list-page50 " + BenchData.percentiles(lists))
    }
}

enum BenchData {
    static let header = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date,meter_type,dn,q3,medium"

    /// Registers `n` owners with valid credit codes (once) and returns their codes.
    static func owners(_ n: Int, into store: Store) async throws -> [String] {
        let existing = try await OwnerModel.query(on: store.db).all().map(\.creditCode)
        if existing.count >= n { return Array(existing.prefix(n)) }
        let now = Date()
        var codes: [String] = []
        let insert = store.sql.insert(into: "owners").columns("name", "credit_code", "address", "region_code", "industry", "created_at", "updated_at")
        for i in 0..<n {
            let code = CreditCode.withCheckCharacter(body: "91350102" + String(format: "%09d", 500_000 + i)).value
            codes.append(code)
            insert.values(SQLBind("基准单位\(i)"), SQLBind(code), SQLBind("地址\(i)"), SQLBind("350102"), SQLBind("other"), SQLBind(now), SQLBind(now))
        }
        try await insert.run()
        return codes
    }

    /// Every table an import of instruments writes besides the audit log's one row: the
    /// instruments, their records, the 三表 offences and the kept counts.
    static let importWrites = ["instruments", "verification_records", "utility_offences", "metric_counts", "utility_counts"]

    struct Count: Decodable { var n: Int }

    /// The database's own time to copy the rows of `tables` into empty clones of them (same
    /// constraints, foreign keys and indexes), in one transaction: the floor for any importer
    /// that writes those rows and keeps those indexes.
    static func floorCopy(_ store: Store, tables: [String]) async throws -> TimeInterval {
        let sql = store.sql
        for table in tables { try await cloneEmpty(table, on: store) }
        let start = Date()
        try await store.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            if !store.isPostgres {  // the same page cache the importer gives itself
                _ = try await sql.raw("PRAGMA cache_size = -524288").all()
                _ = try? await sql.raw("PRAGMA temp_store = MEMORY").all()  // as the importer: a speed setting (InstrumentBulkWriter)
            }
            for table in tables {
                _ = try await sql.raw("INSERT INTO \(ident: "bench_floor_" + table) SELECT * FROM \(ident: table)").all()
            }
            if !store.isPostgres { _ = try await sql.raw("PRAGMA cache_size = -2000").all() }
        }
        let elapsed = Date().timeIntervalSince(start)
        for table in tables { _ = try await sql.raw("DROP TABLE \(ident: "bench_floor_" + table)").all() }
        return elapsed
    }

    /// `bench_floor_<table>`: an empty table with the table's columns, keys, foreign keys and indexes.
    static func cloneEmpty(_ table: String, on store: Store) async throws {
        let sql = store.sql
        let clone = "bench_floor_" + table
        _ = try await sql.raw("DROP TABLE IF EXISTS \(ident: clone)").all()
        if store.isPostgres {
            _ = try await sql.raw("CREATE TABLE \(ident: clone) (LIKE \(ident: table) INCLUDING ALL)").all()
            // LIKE copies no foreign key: add the table's own.
            struct Key: Decodable { var def: String }
            for k in try await sql.raw(
                "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f' AND conrelid = \(bind: table)::regclass"
            ).all(decoding: Key.self) {
                _ = try await sql.raw("ALTER TABLE \(ident: clone) ADD \(unsafeRaw: k.def)").all()
            }
            return
        }
        struct Statement: Decodable { var type: String; var name: String; var sql: String }
        for s in try await sql.raw(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = \(bind: table) AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC"
        ).all(decoding: Statement.self) {
            // The statement as written, with the clone's names: the table's name after CREATE TABLE,
            // an index's own name and the table it is ON.
            var text = s.sql
            if s.type == "table" {
                let head = text.range(of: "(")!.lowerBound
                text = "CREATE TABLE \"\(clone)\" " + text[head...]
            } else {
                // An index left out would make the floor look better than it is: refuse instead.
                guard let on = text.range(of: " ON ", options: .caseInsensitive), let paren = text[on.upperBound...].range(of: "(") else {
                    throw ValidationError("cannot clone the index \(s.name) of \(table): \(s.sql)")
                }
                let unique = text.uppercased().hasPrefix("CREATE UNIQUE") ? "UNIQUE " : ""
                text = "CREATE \(unique)INDEX \"bench_floor_\(s.name)\" ON \"\(clone)\" " + text[paren.lowerBound...]
            }
            _ = try await sql.raw(SQLQueryString(text)).all()
        }
    }

    static func writeCSV(rows: Int, owners: [String], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? h.close() }
        let counties = ["350102", "350103", "350104", "350111", "350203", "350205", "350302", "350404", "350502", "350602", "350702", "350802", "350902"]
        var rng = SeededGenerator(seed: 1)
        var buffer = header + "\n"
        for i in 0..<rows {
            let county = counties[i % counties.count]
            let owner = owners[Int.random(in: 0..<owners.count, using: &rng)]
            switch i % 10 {
            case 0..<4: buffer += "14,冷水水表,W\(i),贸易结算,\(county),\(county)某小区\(i % 500)栋,\(owner),2023-0\(i % 9 + 1)-1\(i % 9),水表,\(i % 3 == 0 ? 20 : 15),2.5,\n"
            case 4..<6: buffer += "15,膜式燃气表,G\(i),贸易结算,\(county),\(county)某小区\(i % 500)栋,\(owner),2022-1\(i % 3)-0\(i % 9 + 1),燃气表,,2.5,天然气\n"
            case 6..<8: buffer += "2,电子计价秤,S\(i),贸易结算,\(county),\(county)农贸市场\(i % 90)号摊,\(owner),2025-0\(i % 9 + 1)-2\(i % 9),,,,\n"
            default: buffer += "10,燃油加油机,F\(i),贸易结算,\(county),\(county)加油站\(i % 40),\(owner),2024-1\(i % 3)-1\(i % 9),,,,\n"
            }
            if buffer.utf8.count > 1 << 20 {
                h.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        h.write(Data(buffer.utf8))
    }

    static func percentiles(_ ms: [Double]) -> String {
        let s = ms.sorted()
        func p(_ q: Double) -> Double { s[min(s.count - 1, Int(Double(s.count) * q))] }
        return String(format: "n=%d p50=%.3fms p90=%.3fms p95=%.3fms p99=%.3fms max=%.3fms", s.count, p(0.5), p(0.9), p(0.95), p(0.99), s.last ?? 0)
    }

    static func maxRSSMB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}
