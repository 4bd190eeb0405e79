import Foundation
import JiliangCore
import SQLKit

/// A row of the instruments table as the bulk paths write it — the import and the demo province —
/// with the table's columns declared once, each beside how its value is taken (issue #20, item 8):
/// the column list and the cells can no longer disagree by position. A field of its own for a
/// catalogue family (a taximeter's, a dispenser's) is one property and one entry here, beside its
/// `RawInstrument.columns` entry (the import's header and the API's and forms' field name), its
/// `InstrumentDraft` check, and the migration that adds the column.
struct StoredInstrument {
    var code: String
    var subNo: Int
    var name: String
    var model: String?
    var serialNo: String
    var manufacturer: String?
    var typeApprovalNo: String?
    var accuracyClass: String?
    var measuringRange: String?
    var purpose: String
    var regionCode: String
    var address: String?
    var latitude: Double?
    var longitude: Double?
    var ownerID: Int
    var inServiceDate: String?
    var lifecycle: String
    var meterType: String?
    var dn: Int?
    var q3: Double?
    var medium: String?
    var batch: String?
    var attributes: String?
    /// The rules engine's answer, stored as its cache (`DerivedData`).
    var complianceBase: String
    var nextDue: String?
    var dueKind: String?
    var now: Date

    typealias Cell = InstrumentBulkWriter.Cell

    /// The instruments table's columns in the order the bulk writers send them.
    nonisolated(unsafe) static let columns: [(name: String, cell: (StoredInstrument) -> Cell)] = [
        ("code", { .text($0.code) }), ("sub_no", { .int($0.subNo) }), ("name", { .text($0.name) }), ("model", { .text($0.model) }),
        ("serial_no", { .text($0.serialNo) }), ("manufacturer", { .text($0.manufacturer) }), ("type_approval_no", { .text($0.typeApprovalNo) }),
        ("accuracy_class", { .text($0.accuracyClass) }), ("measuring_range", { .text($0.measuringRange) }), ("purpose", { .text($0.purpose) }),
        ("region_code", { .text($0.regionCode) }), ("address", { .text($0.address) }), ("latitude", { .double($0.latitude) }),
        ("longitude", { .double($0.longitude) }), ("owner_id", { .int($0.ownerID) }), ("in_service_date", { .text($0.inServiceDate) }),
        ("lifecycle", { .text($0.lifecycle) }), ("meter_type", { .text($0.meterType) }), ("dn", { .int($0.dn) }), ("q3", { .double($0.q3) }),
        ("medium", { .text($0.medium) }), ("batch", { .text($0.batch) }), ("attributes", { .text($0.attributes) }), ("compliance_base", { .text($0.complianceBase) }),
        ("next_due", { .text($0.nextDue) }), ("due_kind", { .text($0.dueKind) }), ("created_at", { .date($0.now) }), ("updated_at", { .date($0.now) }),
    ]
    static let columnNames = columns.map(\.name)

    var cells: [Cell] { Self.columns.map { $0.cell(self) } }
    /// The same cells as SQL binds (the demo's multi-row inserts).
    var binds: [any SQLExpression] { cells.map(\.bind) }
}

extension StoredInstrument {
    /// A validated draft as stored, with its code, owner and the engine's evaluation.
    init(_ d: InstrumentDraft, code: InstrumentCode, ownerID: Int, evaluation eval: ComplianceEvaluation, now: Date) {
        self.init(
            code: code.value, subNo: d.subNo, name: d.name, model: d.model, serialNo: d.serialNo, manufacturer: d.manufacturer,
            typeApprovalNo: d.typeApprovalNo, accuracyClass: d.accuracyClass, measuringRange: d.measuringRange, purpose: d.purpose.rawValue,
            regionCode: d.region.value, address: d.address, latitude: d.latitude, longitude: d.longitude, ownerID: ownerID,
            inServiceDate: d.inServiceDate?.description, lifecycle: d.status.rawValue, meterType: d.meter.meterType?.rawValue, dn: d.meter.dn,
            q3: d.meter.q3, medium: d.meter.medium?.rawValue, batch: d.batch, attributes: FamilyAttributes.stored(d.attributes), complianceBase: eval.base.rawValue,
            nextDue: eval.nextDue?.dueDate.description, dueKind: eval.nextDue?.kind.rawValue, now: now)
    }
}

extension InstrumentBulkWriter.Cell {
    var bind: any SQLExpression {
        switch self {
        case .text(let s): SQLBind(s)
        case .int(let i): SQLBind(i)
        case .double(let d): SQLBind(d)
        case .date(let d): SQLBind(d)
        }
    }
}

/// An instrument's family fields as the `attributes` column keeps them: a JSON object with sorted
/// keys (so equal fields are equal text), nil when there are none.
public enum FamilyAttributes {
    public static func stored(_ fields: [String: String]) -> String? {
        guard !fields.isEmpty, let data = try? JSONEncoder.sorted.encode(fields) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    public static func read(_ stored: String?) -> [String: String] {
        guard let stored, let fields = try? JSONDecoder().decode([String: String].self, from: Data(stored.utf8)) else { return [:] }
        return fields
    }
}
