import JiliangCore
import Testing

/// A catalogue family's own fields (issue #20, item 8), declared once in `FamilyFields.all`: the
/// import's headers, the API's `attributes`, the form's inputs and the draft's checks all read that
/// declaration. Sources: JJG 443-2023 (a dispenser is verified per nozzle), JJG 517-2016 (a
/// taximeter is verified installed in its vehicle).
@Suite struct FamilyFieldsTests {
    static let context = RegistryContext(
        knownRegions: ["350102"],
        catalogue: [
            2: CatalogueEntry(itemNo: 2, itemName: "非自动衡器", subNo: 2, subName: "非自动衡器", mode: .pv, form: .periodic, confidence: .partial),
            10: CatalogueEntry(itemNo: 8, itemName: "加油机", subNo: 10, subName: "燃油加油机", mode: .pv, form: .periodic, confidence: .partial),
            911: CatalogueEntry(itemNo: 910, itemName: "出租汽车计价器", subNo: 911, subName: "出租汽车计价器", mode: .pv, form: .periodic, confidence: .unconfirmed),
        ])

    static func raw(subNo: String, _ attributes: [String: String]) -> RawInstrument {
        var r = RawInstrument()
        r.subNo = subNo
        r.name = "器具"
        r.serialNo = "S1"
        r.purpose = "贸易结算"
        r.regionCode = "350102"
        r.address = "A"
        r.ownerCreditCode = "91350100M000100Y43"
        r.inServiceDate = "2024-01-01"
        r.attributes = attributes
        return r
    }

    /// (sub-item, fields given, fields stored — or the field refused and its reason)
    @Test(arguments: [
        ("10", ["nozzle_count": "4", "fuel_grade": " 92# "], ["fuel_grade": "92#", "nozzle_count": "4"], nil),
        ("10", ["nozzle_count": "1"], ["nozzle_count": "1"], nil),  // the lower bound
        ("10", ["nozzle_count": "16"], ["nozzle_count": "16"], nil),  // the upper bound
        ("10", ["nozzle_count": "17"], nil, FieldError("nozzle_count", .notAWholeNumber(from: 1, to: 16, got: "17"))),
        ("10", ["nozzle_count": "0"], nil, FieldError("nozzle_count", .notAWholeNumber(from: 1, to: 16, got: "0"))),
        ("10", ["nozzle_count": ""], [:], nil),  // an empty cell is no value
        ("911", ["plate_no": "闽A·T1234"], ["plate_no": "闽A·T1234"], nil),
        ("911", ["plate_no": "闽A·T12345678901"], nil, FieldError("plate_no", .tooLong(max: 12))),
        // A field of another family is refused by name, whatever its value.
        ("2", ["plate_no": "闽A·T1234"], nil, FieldError("plate_no", .draft(.notAFieldOfThisFamily(field: "plate_no", families: ["出租汽车计价器"])))),
        ("911", ["nozzle_count": "2"], nil, FieldError("nozzle_count", .draft(.notAFieldOfThisFamily(field: "nozzle_count", families: ["燃油加油机"])))),
        // A key no family declares (the API's attributes object).
        ("10", ["colour": "red"], nil, FieldError("colour", .draft(.notAFamilyField("colour", known: FamilyFields.all.map(\.key))))),
    ] as [(String, [String: String], [String: String]?, FieldError?)])
    func familyFieldsAreCheckedAgainstTheInstrumentsFamily(subNo: String, given: [String: String], stored: [String: String]?, refused: FieldError?) {
        do {
            let d = try InstrumentDraft.parse(Self.raw(subNo: subNo, given), context: Self.context)
            #expect(d.attributes == stored)
            #expect(refused == nil)
        } catch {
            #expect(error.errors == [refused].compactMap { $0 })
        }
    }

    @Test func aFamilyFieldIsAnImportColumnUnderItsKeyAndItsHeaders() {
        for f in FamilyFields.all {
            for header in [f.key] + f.aliases {
                var raw = RawInstrument()
                guard let path = RawInstrument.column(forHeader: header) else {
                    Issue.record("\(header) is not a column")
                    continue
                }
                raw[keyPath: path] = "x"
                #expect(raw.attributes == [f.key: "x"], "\(header)")
                #expect(RawInstrument.canonicalName(of: path) == f.key)
            }
        }
        // Through the same description as every field: by name, as the API and the forms give them.
        #expect(RawInstrument(fields: ["plate_no": "闽A·T0001", "name": "计价器"]).attributes == ["plate_no": "闽A·T0001"])
        // Each family is a catalogue sub-item's name, and each field has words in both languages.
        #expect(FamilyFields.of(subName: "燃油加油机").map(\.key) == ["nozzle_count", "fuel_grade"])
        #expect(FamilyFields.of(subName: "出租汽车计价器").map(\.key) == ["plate_no"])
        #expect(FamilyFields.all.allSatisfy { !$0.zh.isEmpty && !$0.en.isEmpty && !$0.source.isEmpty })
    }
}
