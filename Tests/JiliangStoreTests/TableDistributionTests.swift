import FluentKit
import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// The path past one primary stays open (issue #22, item 7; docs/scaling.md): every table of the
/// migrated schema says where its rows would go in a database distributed by region, and what it
/// says is true of the schema: the column is there and never empty. No table reaches its region
/// only through a parent row any more (M041): those carry a copy, which `RegionCopiesTests` holds
/// to the parent.
@Suite struct TableDistributionTests {
    struct Column: Decodable { var name: String; var notnull: Int; var pk: Int }

    static func columns(_ table: String, on sql: any SQLDatabase) async throws -> [String: Bool] {
        if sql.dialect.name == "sqlite" {
            // A key column counts as never empty (SQLite lets a non-integer key be NULL unless it
            // says NOT NULL, but Jiliang never writes a row without its key).
            let rows = try await sql.raw("SELECT name, \"notnull\", pk FROM pragma_table_info(\(bind: table))").all(decoding: Column.self)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0.notnull == 1 || $0.pk > 0) })
        }
        struct PGColumn: Decodable { var column_name: String; var is_nullable: String }
        let rows = try await sql.raw(
            "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(bind: table)"
        ).all(decoding: PGColumn.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.column_name, $0.is_nullable == "NO") })
    }

    static func tableNames(on sql: any SQLDatabase) async throws -> Set<String> {
        struct Name: Decodable { var name: String }
        let query: SQLQueryString = sql.dialect.name == "sqlite"
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            // A partition is its table's (telemetry_readings' days): it goes where the table goes.
            : """
              SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
              """
        return Set(try await sql.raw(query).all(decoding: Name.self).map(\.name))
    }

    @Test func everyTableSaysWhereItsRowsGoAndTheSchemaAgrees() async throws {
        try await TestDatabase.withStore { store in
            let sql = store.sql
            let tables = try await Self.tableNames(on: sql)
            let unclassified = tables.subtracting(TableDistribution.tables.keys)
            #expect(unclassified.isEmpty, "tables with no line in TableDistribution.tables: \(unclassified.sorted())")
            let gone = Set(TableDistribution.tables.keys).subtracting(tables)
            #expect(gone.isEmpty, "TableDistribution.tables names tables the schema does not have: \(gone.sorted())")
            for table in tables.sorted() {
                guard let place = TableDistribution.tables[table] else { continue }
                let columns = try await Self.columns(table, on: sql)
                switch place {
                case .byRegion(let c), .byOwner(let c):
                    #expect(columns[c] == true, "\(table).\(c) must be there and never empty to distribute by it")
                case .reference, .deployment:
                    break
                }
            }
        }
    }
}
