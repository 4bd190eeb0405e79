import JiliangCore
import Testing

/// What a 型号规格 says plainly (issue #19, item 1), with the boundaries that decide: sub-item 2 of
/// the 2020 catalogue is non-automatic scales of at most 60 kg (SAMR announcement 2020 No. 42's
/// catalogue, docs/catalogue.md); water meters' rules turn on DN 25 and DN 50 (JJG 162-2019).
@Suite struct SpecificationTextTests {
    @Test(arguments: [
        ("TCS-150kg", 150.0 as Double?), ("Max 30 kg e=10g", 30), ("0~3t", 3000), ("30公斤", 30), ("60kg", 60), ("60.5 kg", 60.5),
        ("500g", 0.5), ("ACS-30", nil), ("ACS-30 电子计价秤", nil), ("30kgf", nil), ("", nil), ("1.5吨", 1500),
    ])
    func capacities(text: String, kg: Double?) {
        #expect(SpecificationText.maxCapacityKg(text) == kg)
    }

    @Test(arguments: [("LXS-20C DN20", 20 as Int?), ("dn 50", 50), ("DN150", 150), ("LXS-20C", nil), ("DN5", nil), ("DN20000", nil)])
    func diameters(text: String, dn: Int?) {
        #expect(SpecificationText.nominalDiameter(text) == dn)
    }

    static let context = RegistryContext(
        knownRegions: ["350102"],
        catalogue: [
            2: CatalogueEntry(itemNo: 2, itemName: "非自动衡器", subNo: 2, subName: "非自动衡器", mode: .pv, form: .periodic, scopeNote: "", regulation: "", source: "", confidence: .confirmed),
            14: CatalogueEntry(itemNo: 10, itemName: "水表", subNo: 14, subName: "水表", mode: .pv, form: .firstOnlyRotation, scopeNote: "", regulation: "", source: "", confidence: .confirmed),
        ],
        instrumentNames: ["台秤": 2, "智能水表": 14])

    func draft(_ name: String, model: String?, range: String? = nil) throws(ValidationFailure) -> InstrumentDraft {
        var r = RawInstrument()
        r.name = name
        r.model = model
        r.measuringRange = range
        r.serialNo = "S"
        r.purpose = "贸易结算"
        r.regionCode = "350102"
        r.address = "A"
        r.ownerCreditCode = "91350102MA2XN8KT0K"
        r.inServiceDate = "2026-01-01"
        return try InstrumentDraft.parse(r, context: Self.context)
    }

    /// A scale of more than 60 kg is not sub-item 2, whatever its name; 60 kg is.
    @Test func aScaleAboveSixtyKilogramsIsNotSubItemTwo() throws {
        #expect(try draft("台秤", model: "TCS-60kg").subNo == 2)
        #expect(try draft("台秤", model: "ACS-30").subNo == 2)
        do {
            _ = try draft("台秤", model: "TCS-150kg")
            Issue.record("accepted a 150 kg scale as sub-item 2")
        } catch {
            #expect(error.errors == [FieldError("model", .draft(.capacityAboveSubItemTwo(kg: 150)))])
        }
        do {
            _ = try draft("台秤", model: "TCS", range: "0~3t")
            Issue.record("accepted a 3 t scale as sub-item 2")
        } catch {
            #expect(error.errors.map(\.field) == ["measuring_range"])
        }
    }

    /// A water meter's DN from its 型号规格 when the roll has no DN column.
    @Test func aWaterMetersDiameterComesFromItsModel() throws {
        #expect(try draft("智能水表", model: "LXS-20C DN20").meter.dn == 20)
        #expect(try draft("智能水表", model: "LXS-20C").meter.dn == nil)
    }
}
