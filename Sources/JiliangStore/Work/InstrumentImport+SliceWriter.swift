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

        /// The file's SHA-256, kept with each record it brings (with the row).
        let fileDigest: String
        /// An owner's import: each new instrument (a draft) gets a filing submitted to the bureau.
        var submitFilings = false
        /// The survey invitation an owner's upload answers, if any.
        var surveyInvitationID: Int?
        private(set) var filingsSubmitted = 0

        init(owners: [String: Int], context: RegistryContext, columnName: [String: String], fileDigest: String = "") {
            self.owners = owners
            self.context = context
            self.columnName = columnName
            self.fileDigest = fileDigest
        }

        /// The record a row's last verification becomes: its kind (first, when on or before the
        /// in-service day or none is known), its rule and valid-until by the rule in force on its date.
        func record(of d: InstrumentDraft) -> (fact: VerificationFact, ruleID: Int?)? { Self.record(of: d, context: context) }

        static func record(of d: InstrumentDraft, context: RegistryContext) -> (fact: VerificationFact, ruleID: Int?)? {
            guard let last = d.lastVerification else { return nil }
            let kind: VerificationKind = d.inServiceDate.map { last.date <= $0 } ?? true ? .first : .periodic
            let rule = context.rules.rule(subNo: d.subNo, attributes: d.meter, on: last.date)
            let until = ComplianceEngine.validUntil(date: last.date, result: last.result, kind: kind, rule: rule, firstPassDate: nil)
            return (VerificationFact(id: 0, date: last.date, kind: kind, result: last.result, validUntil: until, form: rule?.form), rule?.id)
        }

        /// Where the writer's time went, step by step (`InstrumentImport.Times`).
        private(set) var times = InstrumentImport.Times.Writer()

        mutating func write(_ rows: [ValidRow], newOwners: [NewOwner], on tx: any Database) async throws -> Result {
            var laps = Laps()
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
            let takenCertificates = try await takenCertificates(in: rows, sql: sql)
            laps.lap(&times.reads)
            var result = Result()
            var cells: [[InstrumentBulkWriter.Cell]] = []
            cells.reserveCapacity(rows.count)
            var inserted: [NewRow] = []
            inserted.reserveCapacity(rows.count)
            for v in rows {
                let owner = owners[v.draft.ownerCreditCode.value]!
                if registered.contains(Key(owner_id: owner, sub_no: v.draft.subNo, serial_no: v.draft.serialNo)) {
                    result.alreadyPresent += 1
                } else if v.codeGiven, takenCodes.contains(v.code.value) {
                    result.errors.append(RowError(row: v.line, column: columnName["code"] ?? "code", .instrumentCodeTaken(v.code.value)))
                } else if let cert = v.draft.lastVerification?.certificateNo, takenCertificates.contains(cert) {
                    result.errors.append(RowError(row: v.line, column: columnName["certificate_no"] ?? "certificate_no", .certificateTaken(cert)))
                } else {
                    let history = record(of: v.draft)
                    cells.append(InstrumentBulkWriter.row(
                        v.draft, code: v.code, ownerID: owner, entry: context.catalogue[v.draft.subNo], book: context.rules,
                        records: history.map { [$0.fact] } ?? [], now: now))
                    inserted.append((v, owner, history))
                }
            }
            // The new instruments' events (with their records) join the statistics' counts in the
            // same transaction, counted from the rows in hand (issue #23: nothing read back), on
            // another core while the database writes them.
            if forms == nil { forms = try await Statistics.forms(on: tx) }
            let dayRowsFrom = try await MetricCounts.dayRowsFrom(on: tx)
            // The counting task takes what it needs, not the writer: a copy of the writer would hold
            // the import's summed counts, and adding to them below would copy them whole.
            let (forms, now) = (forms!, now)
            async let counting = MetricCounts.contribution(
                of: inserted.map { Self.fact(of: $0.row, id: 0, owner: $0.owner, record: $0.record, forms: forms, now: now) }, dayRowsFrom: dayRowsFrom)
            laps.lap(&times.rows)
            let ids = try await InstrumentBulkWriter.writeInstruments(cells, on: tx, logger: logger) { laps.lap(&times.staging) }
            laps.lap(&times.instruments)
            // The insert passes over a row only when its code is taken: a code issued now that is
            // already another instrument's, or another row's of this slice (codes are 60 random
            // bits). The import fails whole, naming it, rather than lose or misfile the row.
            var seen = Set<String>()
            if let lost = inserted.first(where: { ids[$0.row.code.value] == nil || !seen.insert($0.row.code.value).inserted }) {
                throw RegistryError.conflict(field: columnName["code"] ?? "code", reason: .importing(.instrumentCodeTaken(lost.row.code.value)))
            }
            try await writeRecords(inserted, ids: ids, on: tx)
            if submitFilings {
                let filed = try await writeFilings(inserted.map(\.row.code.value), on: sql)
                filingsSubmitted += filed.count
                // Declared through a survey: counted for it in the same transaction (issue #19, item 6);
                // a roll whose instruments are all registered already is an answer too.
                if let invitation = surveyInvitationID, !filed.isEmpty || result.alreadyPresent > 0 {
                    try await recordForSurvey(filed, invitation: invitation, on: sql)
                }
            }
            laps.lap(&times.records)
            let counted = await counting
            MetricCounts.add(counted.delta, to: &counts)
            laps.lap(&times.counting)
            try await MetricCounts.addNewOffences(counted.offences, ids: ids, on: tx)
            laps.lap(&times.offences)
            result.inserted = cells.count
            return result
        }

        /// A row to be written: its owner's id, and the record its last verification becomes.
        typealias NewRow = (row: ValidRow, owner: Int, record: (fact: VerificationFact, ruleID: Int?)?)

        /// What decides the counted forms, read once per import (`Statistics.forms`).
        private var forms: Statistics.Forms?

        /// The new instruments' kept counts, summed over the slices and applied once by `finish`:
        /// a slice's counts touch most of the companies' day and month rows, so applying each
        /// slice's upserted those rows again and again (a million meters: 9.7 s, against 2.4–3.1 s
        /// applied once; issue #23). The same transaction either way, so no reader sees a
        /// difference; on PostgreSQL the count rows are locked only for the import's last moments,
        /// not from its first slice on.
        private var counts = MetricCounts.Counts()

        /// Applies the import's kept counts, in the transaction, before it commits.
        mutating func finish(on tx: any Database) async throws {
            var laps = Laps()
            try await MetricCounts.apply(counts, on: tx)
            laps.lap(&times.counts)
            counts = [:]
        }

        /// A new instrument's facts for the kept counts, as `Statistics.loadFacts` would read them
        /// back: its row, its one record (no other record or status change exists yet). The record's
        /// id is left 0: ids order and correct an instrument's records among themselves, and it has
        /// one. The instrument's `id` may be 0 too: the counts never read it, and an offence takes
        /// its meter's id by code (`MetricCounts.addNewOffences`).
        private static func fact(
            of v: ValidRow, id: Int, owner: Int, record: (fact: VerificationFact, ruleID: Int?)?, forms: Statistics.Forms, now: Date
        ) -> MetricInstrument {
            let d = v.draft
            var i = Statistics.fact(
                id: id, code: v.code.value, subNo: d.subNo, attributes: d.meter, lifecycle: d.status, inServiceOn: d.inServiceDate, ownerID: owner,
                region: d.region, createdAt: now, forms: forms)
            if let record {
                var fact = record.fact
                fact.form = forms.rules.form(ofRule: record.ruleID)
                i.records = [fact]
            }
            Statistics.finish(&i, draftChanges: [])
            return i
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

        /// The rows' last verifications as records of the instruments just written, with the file and
        /// row as their provenance. The ledger's sequencer takes them up like any record.
        private func writeRecords(
            _ rows: [NewRow], ids: [String: Int], on db: any Database
        ) async throws {
            var cells: [[InstrumentBulkWriter.Cell]] = []
            for r in rows {
                guard let id = ids[r.row.code.value], let last = r.row.draft.lastVerification, let (fact, ruleID) = r.record else { continue }
                cells.append([
                    .int(id), .text(r.row.draft.region.value), .int(last.institutionID), .text(last.date.description), .text(fact.kind.rawValue), .text(last.result.rawValue),
                    .text(last.certificateNo), .text(fact.validUntil?.description), .int(ruleID), .text("import"), .date(now),
                    .text("sha256:\(fileDigest) row \(r.row.line)"),
                ])
            }
            guard !cells.isEmpty else { return }
            try await InstrumentBulkWriter.write(
                cells,
                columns: [
                    "instrument_id", "region_code", "institution_id", "verified_on", "kind", "result", "certificate_no", "valid_until", "rule_id",
                    "recorded_by", "recorded_at", "import_source",
                ], table: "verification_records", on: db, logger: logger)
        }

        /// Filings submitted for the drafts just written, as `Filings.submit` would, for an owner's
        /// import (the import's one audit entry counts them).
        private func writeFilings(_ codes: [String], on sql: any SQLDatabase) async throws -> [Int] {
            struct Row: Decodable { var id: Int; var owner_id: Int; var region_code: String }
            var written: [Int] = []
            for chunk in codes.chunked(300) {
                let rows = try await sql.select().columns("id", "owner_id", "region_code").from("instruments").where("code", .in, Array(chunk)).all(decoding: Row.self)
                guard !rows.isEmpty else { continue }
                let insert = sql.insert(into: "filings").columns("instrument_id", "owner_id", "region_code", "state", "submitted_by", "submitted_at")
                for r in rows {
                    insert.values(SQLBind(r.id), SQLBind(r.owner_id), SQLBind(r.region_code), SQLBind(Filings.State.submitted.rawValue), SQLBind(Audit.actor.actor), SQLBind(now))
                }
                try await insert.run()
                written += rows.map(\.id)
            }
            return written
        }

        private func recordForSurvey(_ ids: [Int], invitation: Int, on sql: any SQLDatabase) async throws {
            struct Region: Decodable { var region_code: String }
            let region = try await sql.select().column("region_code").from("survey_invitations").where("id", .equal, SQLBind(invitation))
                .first(decoding: Region.self)!.region_code
            for chunk in ids.chunked(300) {
                let insert = sql.insert(into: "survey_instruments").columns("invitation_id", "region_code", "instrument_id")
                for id in chunk { insert.values(SQLBind(invitation), SQLBind(region), SQLBind(id)) }
                try await insert.run()
            }
            try await sql.raw("UPDATE survey_invitations SET answered_at = \(bind: now) WHERE id = \(bind: invitation) AND answered_at IS NULL").run()
        }

        /// The certificate numbers of the rows' last verifications already recorded (for any instrument).
        private func takenCertificates(in rows: [ValidRow], sql: any SQLDatabase) async throws -> Set<String> {
            struct Cert: Decodable { var certificate_no: String }
            var taken = Set<String>()
            for chunk in rows.compactMap(\.draft.lastVerification?.certificateNo).chunked(500) {
                for c in try await sql.select().column("certificate_no").from("verification_records").where("certificate_no", .in, Array(chunk))
                    .where("certificate_no", .isNot, SQLLiteral.null).all(decoding: Cert.self) {
                    taken.insert(c.certificate_no)
                }
            }
            return taken
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
