import FluentKit
import Foundation
import JiliangCore
import Logging
import SQLKit

extension InstrumentImport {
    /// Pass two of the import, inside the import's transaction: creates the new owners, skips rows
    /// already registered (a re-import), refuses codes that belong to another instrument, and
    /// writes the rest with the bulk writer. It asks the database only about the rows in hand, so
    /// importing a small file into a large registry reads little.
    struct SliceWriter: Sendable {
        enum Message: Sendable {
            case slice([ValidRow], newOwners: [NewOwner])
            case finish(commit: Bool, summary: [String: String])
        }

        struct Result: Sendable {
            var inserted = 0
            var alreadyPresent = 0
            var errors: [RowError] = []
        }

        /// Thrown inside the transaction to roll it back.
        struct RolledBack: Error {}

        var owners: [String: Int]
        let context: RegistryContext
        let columnName: [String: String]
        /// Whether an owner had instruments before this import (asked once per owner).
        private var ownerHasInstruments: [Int: Bool] = [:]
        private(set) var ownersCreated = 0
        private let now = Date()
        private let logger = Logger(label: "jiliang.import")

        init(owners: [String: Int], context: RegistryContext, columnName: [String: String]) {
            self.owners = owners
            self.context = context
            self.columnName = columnName
        }

        mutating func write(_ rows: [ValidRow], newOwners: [NewOwner], on tx: any Database) async throws -> Result {
            let sql = tx as! any SQLDatabase
            for o in newOwners {
                let m = OwnerModel()
                m.name = o.name
                m.creditCode = o.creditCode
                m.address = o.address
                m.regionCode = o.region
                m.industry = Industry.other.rawValue
                try await m.create(on: tx)
                owners[o.creditCode] = m.id!
                ownerHasInstruments[m.id!] = false
                ownersCreated += 1
            }
            let registered = try await registeredKeys(of: rows, sql: sql)
            let takenCodes = try await takenCodes(in: rows, sql: sql)
            var result = Result()
            var cells: [[InstrumentBulkWriter.Cell]] = []
            cells.reserveCapacity(rows.count)
            var insertedCodes: [String] = []
            for v in rows {
                let owner = owners[v.draft.ownerCreditCode.value]!
                if registered.contains(Key(owner_id: owner, sub_no: v.draft.subNo, serial_no: v.draft.serialNo)) {
                    result.alreadyPresent += 1
                } else if v.codeGiven, takenCodes.contains(v.code.value) {
                    result.errors.append(RowError(
                        row: v.line, column: columnName["code"] ?? "code", message: "instrument code \(v.code) already belongs to another instrument"))
                } else {
                    cells.append(InstrumentBulkWriter.row(v.draft, code: v.code, ownerID: owner, entry: context.catalogue[v.draft.subNo], book: context.rules, now: now))
                    insertedCodes.append(v.code.value)
                }
            }
            try await InstrumentBulkWriter.write(cells, columns: InstrumentImport.columns, table: "instruments", on: tx, logger: logger) { _ in }
            // The new instruments' events join the statistics' counts in the same transaction.
            try await MetricCounts.addNew(codes: insertedCodes, on: tx)
            result.inserted = cells.count
            return result
        }

        struct Key: Hashable, Decodable {
            var owner_id: Int
            var sub_no: Int
            var serial_no: String
        }

        /// The natural keys among `rows` that are already registered. Only owners that had
        /// instruments before are asked about, so a first import asks almost nothing.
        private mutating func registeredKeys(of rows: [ValidRow], sql: any SQLDatabase) async throws -> Set<Key> {
            let unknown = Set(rows.compactMap { owners[$0.draft.ownerCreditCode.value] }).filter { ownerHasInstruments[$0] == nil }
            for chunk in Array(unknown).chunked(500) {
                struct ID: Decodable { var id: Int }
                let withInstruments = try await sql.raw(
                    "SELECT id FROM owners WHERE id IN (\(binds: Array(chunk))) AND EXISTS (SELECT 1 FROM instruments WHERE instruments.owner_id = owners.id)"
                ).all(decoding: ID.self)
                for id in chunk { ownerHasInstruments[id] = false }
                for row in withInstruments { ownerHasInstruments[row.id] = true }
            }
            let asked = rows.compactMap { v -> Key? in
                let owner = owners[v.draft.ownerCreditCode.value]!
                return ownerHasInstruments[owner] == true ? Key(owner_id: owner, sub_no: v.draft.subNo, serial_no: v.draft.serialNo) : nil
            }
            var found = Set<Key>()
            for chunk in asked.chunked(300) {
                let values = chunk.map { k -> SQLQueryString in "(\(bind: k.owner_id), \(bind: k.sub_no), \(bind: k.serial_no))" }
                let query: SQLQueryString =
                    "SELECT owner_id, sub_no, serial_no FROM instruments WHERE (owner_id, sub_no, serial_no) IN (VALUES "
                    + values.joined(separator: ", ") + ")"
                for k in try await sql.raw(query).all(decoding: Key.self) { found.insert(k) }
            }
            return found
        }

        /// The codes given in the file that are already in the registry.
        private func takenCodes(in rows: [ValidRow], sql: any SQLDatabase) async throws -> Set<String> {
            struct Code: Decodable { var code: String }
            var taken = Set<String>()
            for chunk in rows.filter(\.codeGiven).map(\.code.value).chunked(500) {
                for c in try await sql.select().column("code").from("instruments").where("code", .in, Array(chunk)).all(decoding: Code.self) {
                    taken.insert(c.code)
                }
            }
            return taken
        }
    }
}
