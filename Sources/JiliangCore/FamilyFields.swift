/// The fields a catalogue family has beyond every instrument's own (issue #20, item 8): a fuel
/// dispenser's nozzles, a taximeter's vehicle. Each is declared once, here — its name, its words in
/// both languages, the headers a bureau's roll gives it, what it may hold, and the catalogue
/// sub-items it belongs to — and that one declaration is the import's column, the API's
/// `attributes` key, the form's field and the instrument page's line. A new family field is one
/// entry in `all`.
///
/// The family is named by the catalogue sub-item's name (`CatalogueEntry.subName`), not by its
/// number: some numbers are provisional (the taximeter's 911, see catalogue-unconfirmed.csv).
public struct FamilyField: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case text(max: Int)
        case whole(ClosedRange<Int>)
    }

    /// The canonical name: the import's column, the API's `attributes` key, the form's field.
    public var key: String
    public var zh: String
    public var en: String
    /// Headers a roll may give it (besides `key`).
    public var aliases: [String]
    public var kind: Kind
    /// The catalogue sub-items (by name) whose instruments have it.
    public var families: [String]
    /// Why the field is kept, with its source.
    public var source: String
}

public enum FamilyFields {
    public enum OtherFamily: Sendable { case refuse, passOver }

    public static let all: [FamilyField] = [
        // A dispenser is verified nozzle by nozzle (JJG 443-2023 §7); telemetry reports by nozzle.
        FamilyField(
            key: "nozzle_count", zh: "枪数", en: "Nozzles", aliases: ["枪数", "加油枪数", "油枪数", "油枪数量"], kind: .whole(1...16),
            families: ["燃油加油机"], source: "JJG 443-2023 燃油加油机: verified per nozzle"),
        FamilyField(
            key: "fuel_grade", zh: "油品", en: "Fuel grade", aliases: ["油品", "油品标号", "油品型号"], kind: .text(max: 20),
            families: ["燃油加油机"], source: "JJG 443-2023 燃油加油机: the delivered liquid"),
        // A taximeter is verified installed, in its vehicle (JJG 517-2016); inspections and
        // complaints name the plate.
        FamilyField(
            key: "plate_no", zh: "车牌号", en: "Plate number", aliases: ["车牌号", "车牌号码", "号牌号码"], kind: .text(max: 12),
            families: ["出租汽车计价器"], source: "JJG 517-2016 出租汽车计价器: verified in its vehicle"),
    ]

    public static func field(_ key: String) -> FamilyField? { all.first { $0.key == key } }

    /// The family fields of a catalogue sub-item (by its name).
    public static func of(subName: String) -> [FamilyField] { all.filter { $0.families.contains(subName) } }

    /// Checks given family fields against the instrument's sub-item: a value for a field its
    /// family lacks, or one its kind refuses, is named by the field. Empty values are left out.
    public static func check(
        _ given: [String: String], subName: String?, otherFamily: OtherFamily = .refuse, checker c: inout FieldChecker
    ) -> [String: String] {
        var out: [String: String] = [:]
        for (key, raw) in given.sorted(by: { $0.key < $1.key }) {
            if otherFamily == .passOver, let f = field(key), let subName, !f.families.contains(subName) { continue }
            guard let f = field(key) else {
                if !raw.trimmingCharactersInWhitespace().isEmpty {
                    let named = String(key.prefix(40))
                    c.fail(named, .draft(.notAFamilyField(named, known: all.map(\.key))))
                }
                continue
            }
            switch f.kind {
            case .text(let max):
                guard let t = c.text(key, raw, max: max, required: false) else { continue }
                out[key] = t
            case .whole(let range):
                guard let n = c.int(key, raw, range: range) else { continue }
                out[key] = String(n)
            }
            if let subName, !f.families.contains(subName) {
                c.fail(key, .draft(.notAFieldOfThisFamily(field: key, families: f.families)))
                out[key] = nil
            }
        }
        return out
    }
}
