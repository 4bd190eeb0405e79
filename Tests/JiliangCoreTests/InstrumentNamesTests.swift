import JiliangCore
import Testing

/// Bureau rolls name the instrument and the county (issue #19, items 1 and 2): names resolve to a
/// catalogue sub-item through the name table or a catalogue row's own name, counties by a name
/// unique in the province (or city + county); what does not resolve names the field and the closest.
@Suite struct InstrumentNamesTests {
    static let context = RegistryContext(
        knownRegions: ["350102", "350103", "350821", "350921"],
        catalogue: [
            2: CatalogueEntry(itemNo: 2, itemName: "非自动衡器", subNo: 2, subName: "非自动衡器", mode: .pv, form: .periodic, confidence: .partial),
            10: CatalogueEntry(itemNo: 8, itemName: "加油机", subNo: 10, subName: "燃油加油机", mode: .pv, form: .periodic, confidence: .partial),
        ],
        instrumentNames: ["电子秤": 2, "电子计价秤": 2, "cng加气机": 12],
        regionsByName: ["鼓楼区": ["350102"], "福州市鼓楼区": ["350102"], "城关区": ["350821", "350921"], "龙岩市城关区": ["350821"]])

    @Test(arguments: [("ＣＮＧ 加气机", "cng加气机"), (" 电子秤 ", "电子秤"), ("电子\u{3000}计价秤", "电子计价秤"), ("LPG加气机", "lpg加气机")])
    func namesAreNormalized(raw: String, normalized: String) {
        #expect(InstrumentNames.normalize(raw) == normalized)
    }

    static func raw(name: String, subNo: String? = nil, region: String = "350102") -> RawInstrument {
        var r = RawInstrument()
        r.name = name
        r.subNo = subNo
        r.serialNo = "S1"
        r.purpose = "贸易结算"
        r.regionCode = region
        r.address = "A"
        r.ownerCreditCode = "91350100M000100Y43"
        r.inServiceDate = "2024-01-01"
        return r
    }

    /// (name, sub-item column, county, the sub-item and county stored — or the field refused and a fact of its reason)
    @Test(arguments: [
        ("电子秤", nil, "鼓楼区", "2 350102", nil),
        ("电子 秤", "", "福州市鼓楼区", "2 350102", nil),  // spaces do not matter; an empty sub-item column is no sub-item
        ("燃油加油机", nil, "350102", "10 350102", nil),  // a catalogue row's own name
        ("电子称", nil, "350102", nil, "name:电子秤"),  // a typo: refused, the closest named
        ("某某仪器", "2", "350102", "2 350102", nil),  // a sub-item given: the name is only a name
        ("电子秤", nil, "城关区", nil, "region_code:350821"),  // two 城关区: the codes are named
        ("电子秤", nil, "龙岩市城关区", "2 350821", nil),
        ("电子秤", nil, "不存在区", nil, "region_code:unknown 不存在区"),
    ] as [(String, String?, String, String?, String?)])
    func namesAndCountiesResolve(name: String, subNo: String?, region: String, stored: String?, refused: String?) {
        do {
            let d = try InstrumentDraft.parse(Self.raw(name: name, subNo: subNo, region: region), context: Self.context)
            #expect("\(d.subNo) \(d.region.value)" == stored)
        } catch {
            let parts = refused?.split(separator: ":").map(String.init) ?? []
            #expect(error.errors.map(\.field) == [parts.first ?? "?"], "\(error)")
            #expect(error.errors.first.map { Self.fact($0.reason) }?.contains(parts.last ?? "?") == true, "\(error)")
        }
    }

    /// The facts a refusal names: the closest names, the counties' codes, the unknown name.
    static func fact(_ r: Refusal) -> String {
        switch r {
        case .draft(.unknownInstrumentName(_, let closest)): closest.map(\.name).joined(separator: ",")
        case .draft(.ambiguousRegionName(_, let codes)): codes.joined(separator: ",")
        case .draft(.unknownRegionName(let name)): "unknown \(name)"
        default: "\(r)"
        }
    }

    @Test func closestNamesShareTheMostCharacters() {
        let near = InstrumentNames.closest(to: "电子称", in: Self.context.instrumentNames).map(\.name)
        #expect(near.first == "电子秤")
        #expect(InstrumentNames.closest(to: "xyz", in: Self.context.instrumentNames).isEmpty)
    }
}
