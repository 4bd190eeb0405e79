import ArgumentParser
import FluentKit
import Foundation
import JiliangCore
import JiliangServer
import JiliangStore
import JiliangTables
import JiliangXLSX
import SQLKit

/// Issue #19's speed target: a bureau's roll with history — named instruments, counties by name,
/// the last verification — imported from an XLSX workbook and from the same rows as CSV, each into
/// a fresh SQLite registry, in one run. Target: XLSX ≤ 1.5× the CSV's time and ≥ 20,000 rows/s.
struct BenchImportXLSX: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import-xlsx")
    @Option(help: "SQLite files are made beside this path (.csv and .xlsx)") var sqlite = "bench-data/roll.sqlite"
    @Option var rows = 100_000

    static let header = ["序号", "器具名称", "型号规格", "出厂编号", "制造单位", "使用单位", "统一社会信用代码", "安装地点", "所属区县", "用途", "启用日期", "最近检定日期", "检定结论", "证书编号", "检定机构"]
    static let counties = ["鼓楼区", "台江区", "仓山区", "思明区", "湖里区"]
    static let kinds: [(name: String, model: String, maker: String)] = [
        ("电子秤", "ACS-15", "上海大华"), ("燃油加油机", "CS46", "正星科技"), ("智能水表", "LXS-20", "宁波水表"), ("膜式燃气表", "G2.5", "重庆前卫"),
    ]
    static let lab = "基准计量检定所"

    /// Row `i` of the roll, as cells; four in five carry a last verification.
    static func row(_ i: Int, owners: [String]) -> [XLSXRoll.Cell] {
        let k = kinds[i % kinds.count]
        let owner = owners[i % owners.count]
        let inService = CalendarDay(year: 2023 + i % 3, month: i % 12 + 1, day: i % 27 + 1)!
        var cells: [XLSXRoll.Cell] = [
            .number(Double(i + 1)), .text(k.name), .text(k.model), .text("R\(i)"), .text(k.maker), .text("基准单位\(i % owners.count)"), .text(owner),
            .text("\(counties[i % counties.count])某路\(i % 700)号"), .text(counties[i % counties.count]), "贸易结算", .date(inService),
        ]
        if i % 5 == 4 {
            cells += [.empty, .empty, .empty, .empty]
        } else {
            cells += [.date(CalendarDay(year: 2026, month: i % 10 + 1, day: i % 27 + 1)!), .text(i % 50 == 0 ? "不合格" : "合格"), .text("JD-\(i)"), .text(lab)]
        }
        return cells
    }

    static func csvLine(_ cells: [XLSXRoll.Cell]) -> String {
        cells.map { c -> String in
            switch c {
            case .text(let s): s.csvEscaped
            case .number(let n): String(Int(n))
            case .date(let d): d.description
            case .empty: ""
            }
        }.joined(separator: ",")
    }

    func run() async throws {
        let rows = self.rows
        var timings: [String: TimeInterval] = [:]
        var readOnly: TimeInterval = 0
        var sizes: [String: Int] = [:]
        for format in ["csv", "xlsx"] {
            let path = sqlite + "." + format
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let store = try Store(location: .sqliteFile(path))
            do {
                try await prepare(store, config: AppConfiguration(database: .sqliteFile(path)))
                try await Audit.$actor.withValue(.system("bench import-xlsx")) {
                    let owners = try await BenchData.owners(2000, into: store)
                    let lab = try InstitutionDraft.parse(
                        name: Self.lab, kind: "legal", creditCode: nil, regionCode: "350100", address: "福州",
                        scopes: [2, 10, 14, 15].map { .init(subNo: $0, regionCode: "350000", validFrom: "2015-01-01", validUntil: "2035-12-31") },
                        context: try await Registry.context(on: store.db))
                    _ = try await Registry.createInstitution(lab, on: store.db)
                    let table = (0..<rows).map { Self.row($0, owners: owners) }
                    let bytes: [UInt8]
                    if format == "csv" {
                        bytes = Array(([Self.header.joined(separator: ",")] + table.map(Self.csvLine)).joined(separator: "\n").utf8)
                    } else {
                        bytes = try XLSXRoll.data(sheet: "强检台账", title: "基准区强制检定计量器具台账", header: Self.header, rows: table)
                        let t0 = Date()
                        _ = try TableFile.open(bytes)
                        readOnly = Date().timeIntervalSince(t0)
                    }
                    sizes[format] = bytes.count
                    var rng = SystemRandomNumberGenerator()
                    let start = Date()
                    let report = try await InstrumentImport(mode: .allOrNothing).run(bytes: bytes, on: store.db, today: CalendarDay("2026-11-26")!, generator: &rng)
                    timings[format] = Date().timeIntervalSince(start)
                    let records = try await VerificationRecordModel.query(on: store.db).count()
                    guard report.errors.isEmpty, report.inserted == rows, records == rows - rows / 5 else {
                        throw ValidationError("\(format) import failed: inserted \(report.inserted) of \(rows), \(records) records; \(report.errors.prefix(3))")
                    }
                }
                await store.shutdown()
            } catch {
                await store.shutdown()
                throw error
            }
        }
        let csv = timings["csv"]!, xlsx = timings["xlsx"]!
        print(String(format: "import-xlsx rows=%d (with %d last verifications) csv=%.2fs (%.0f rows/s, %.1f MB) xlsx=%.2fs (%.0f rows/s, %.1f MB; reading the workbook alone %.2fs) xlsx/csv=%.2f maxrss=%d MB",
                     rows, rows - rows / 5, csv, Double(rows) / csv, Double(sizes["csv"]!) / 1e6, xlsx, Double(rows) / xlsx, Double(sizes["xlsx"]!) / 1e6,
                     readOnly, xlsx / csv, BenchData.maxRSSMB()))
    }
}
