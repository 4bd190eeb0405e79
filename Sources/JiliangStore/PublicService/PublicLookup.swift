import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// What anyone may see of an instrument or a business, without signing in: the facts a citizen
/// needs to trust a measurement, and nothing else — no contacts, readings, internal notes, or who
/// recorded what. One SQL statement per lookup (the instrument, its owner, its catalogue entry, its
/// latest verification and that record's institution), because this is the path millions of
/// phones take; no Fluent models here.
public enum PublicLookup {
    public struct Instrument: Sendable, Equatable {
        public var code: String
        public var name: String
        public var subName: String
        public var address: String
        public var regionName: String?
        public var lifecycle: String
        public var complianceBase: String
        public var nextDue: String?
        public var dueKind: String?
        public var ownerName: String
        public var ownerCreditCode: String
        public var ownerIndustry: String
        public var recordID: Int?
        public var lastVerifiedOn: String?
        public var lastResult: String?
        public var certificateNo: String?
        public var institutionName: String?
        public var ledgered: Bool

        /// Where the public page says the instrument is: its county and its address — but only the
        /// county for a utility's meter, which sits in a customer's home (personal data). A rule of
        /// the store (issue #20, item 6), so every public answer redacts alike.
        public var publicPlace: String {
            [regionName, PublicLookup.privateAddressIndustries.contains(ownerIndustry) ? nil : address].compactMap { $0 }.joined(separator: " ")
        }
    }

    /// Utilities' meters sit in customers' homes: their address is personal data and is not shown.
    public static let privateAddressIndustries: Set<String> = ["water_utility", "gas_utility", "power_utility"]


    static let instrumentSQL = """
        SELECT i.code, i.name, c.sub_name, i.address, g.name AS region_name, i.lifecycle, i.compliance_base, i.next_due, i.due_kind,
               o.name AS owner_name, o.credit_code, o.industry, r.id AS record_id, r.verified_on, r.result, r.certificate_no, r.ledger_index,
               s.name AS institution_name
        FROM (SELECT id, code, name, sub_no, address, region_code, lifecycle, compliance_base, next_due, due_kind, owner_id
              FROM instruments WHERE code = ? LIMIT 1) i
        JOIN owners o ON o.id = i.owner_id
        JOIN catalogue_entries c ON c.sub_no = i.sub_no
        LEFT JOIN regions g ON g.code = i.region_code
        LEFT JOIN verification_records r ON r.id = (
            SELECT v.id FROM verification_records v WHERE v.instrument_id = i.id ORDER BY v.verified_on DESC, v.id DESC LIMIT 1)
        LEFT JOIN institutions s ON s.id = r.institution_id
        """

    /// The instrument with this code, or nil. On an SQLite file through the prepared-statement
    /// reader; on PostgreSQL through SQLKit. The instrument is picked in a subquery that SQLite does
    /// not flatten: with the code compared in the join's own WHERE, this SQLite re-prepares the
    /// statement on every new binding (its plan may depend on the value), which would undo the point
    /// of keeping it prepared.
    public static func instrument(code raw: String, store: Store) async throws -> Instrument? {
        guard let code = try? InstrumentCode(validating: raw) else { return nil }
        if let reader = store.lookupReader {
            return try await reader.read { c in
                var found: Instrument?
                try c.query(instrumentSQL, [code.value]) { r in
                    found = Instrument(
                        code: r.text(0) ?? "", name: r.text(1) ?? "", subName: r.text(2) ?? "", address: r.text(3) ?? "", regionName: r.text(4),
                        lifecycle: r.text(5) ?? "", complianceBase: r.text(6) ?? "", nextDue: r.text(7), dueKind: r.text(8), ownerName: r.text(9) ?? "",
                        ownerCreditCode: r.text(10) ?? "", ownerIndustry: r.text(11) ?? "", recordID: r.int(12).map(Int.init), lastVerifiedOn: r.text(13),
                        lastResult: r.text(14), certificateNo: r.text(15), institutionName: r.text(17), ledgered: r.int(16) != nil)
                }
                return found
            }
        }
        let parts = instrumentSQL.components(separatedBy: "?")
        // PostgreSQL: on the read replica while it keeps up (`Store.reading`, issue #22 item 3).
        let row = try await store.reading { db in
            try await (db as! any SQLDatabase).raw(SQLQueryString(parts[0]) + "\(bind: code.value)" + SQLQueryString(parts[1])).first()
        }
        guard let row else { return nil }
        return Instrument(
            code: try row.decode(column: "code", as: String.self), name: try row.decode(column: "name", as: String.self),
            subName: try row.decode(column: "sub_name", as: String.self), address: try row.decode(column: "address", as: String.self),
            regionName: try row.decode(column: "region_name", as: String?.self), lifecycle: try row.decode(column: "lifecycle", as: String.self),
            complianceBase: try row.decode(column: "compliance_base", as: String.self), nextDue: try row.decode(column: "next_due", as: String?.self),
            dueKind: try row.decode(column: "due_kind", as: String?.self), ownerName: try row.decode(column: "owner_name", as: String.self),
            ownerCreditCode: try row.decode(column: "credit_code", as: String.self),
            ownerIndustry: try row.decode(column: "industry", as: String.self), recordID: try row.decode(column: "record_id", as: Int?.self),
            lastVerifiedOn: try row.decode(column: "verified_on", as: String?.self), lastResult: try row.decode(column: "result", as: String?.self),
            certificateNo: try row.decode(column: "certificate_no", as: String?.self), institutionName: try row.decode(column: "institution_name", as: String?.self),
            ledgered: try row.decode(column: "ledger_index", as: Int64?.self) != nil)
    }

    public struct Business: Sendable {
        public var id: Int
        public var name: String
        public var creditCode: String
        public var industry: String
        public var address: String
        public var regionCode: String
    }

    public struct Listed: Sendable {
        public var code: String
        public var name: String
        public var subName: String
        public var complianceBase: String
        public var nextDue: String?
        public var dueKind: String?
        public var id: Int
    }

    /// A business by its unified social credit code (public by law: it is on the business licence),
    /// and one page of its instruments in service or waiting for verification (drafts are not public).
    public static func business(
        creditCode raw: String, cursor: String?, limit: Int = 50, on db: any Database
    ) async throws -> (Business, Page<Listed>)? {
        guard let credit = try? CreditCode(validating: raw),
            let o = try await OwnerModel.query(on: db).filter(\.$creditCode == credit.value).first()
        else { return nil }
        let after = try Cursor.decode(cursor)
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT i.id, i.code, i.name, c.sub_name, i.compliance_base, i.next_due, i.due_kind
            FROM instruments i JOIN catalogue_entries c ON c.sub_no = i.sub_no
            WHERE i.owner_id = \(bind: o.id!) AND i.lifecycle <> 'draft' AND i.id > \(bind: after ?? 0)
            ORDER BY i.id LIMIT \(bind: limit + 1)
            """).all()
        let items = try rows.map {
            Listed(code: try $0.decode(column: "code", as: String.self), name: try $0.decode(column: "name", as: String.self),
                   subName: try $0.decode(column: "sub_name", as: String.self), complianceBase: try $0.decode(column: "compliance_base", as: String.self),
                   nextDue: try $0.decode(column: "next_due", as: String?.self), dueKind: try $0.decode(column: "due_kind", as: String?.self),
                   id: try $0.decode(column: "id", as: Int.self))
        }
        let page = Page(items: Array(items.prefix(limit)), nextCursor: items.count > limit ? Cursor.encode(items[limit - 1].id) : nil)
        return (Business(id: o.id!, name: o.name, creditCode: o.creditCode, industry: o.industry, address: o.address, regionCode: o.regionCode), page)
    }

    /// Authorised institutions with their current scopes (public list), by name.
    public static func institutions(on db: any Database, today: CalendarDay) async throws -> [(InstitutionModel, [(subName: String, regionName: String, validUntil: String)])] {
        let institutions = try await InstitutionModel.query(on: db).sort(\.$name).all()
        let names = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.subName) })
        let regions = Dictionary(uniqueKeysWithValues: try await RegionModel.query(on: db).all().map { ($0.id!, $0.name) })
        var out: [(InstitutionModel, [(subName: String, regionName: String, validUntil: String)])] = []
        for i in institutions {
            let scopes = try await InstitutionScopeModel.query(on: db).filter(\.$institutionID == i.id!)
                .filter(\.$validUntil >= today.description).filter(\.$validFrom <= today.description).sort(\.$subNo).all()
            out.append((i, scopes.map { (names[$0.subNo] ?? "\($0.subNo)", regions[$0.regionCode] ?? $0.regionCode, $0.validUntil) }))
        }
        return out
    }
}
