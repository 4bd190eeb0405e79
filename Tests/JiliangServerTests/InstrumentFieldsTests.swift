import Foundation
import JiliangAPI
import JiliangCore
@testable import JiliangServer
import Testing

/// Issue #20, item 8: the instrument's fields are described once (`RawInstrument.columns`); the
/// API's body, the pages' forms and the import's headers all map through that description.
@Suite struct InstrumentFieldsTests {
    @Test func everyFieldOfTheAPIBodyLandsOnItsColumn() throws {
        let body = Components.Schemas.InstrumentInput(
            code: "C", subNo: 14, name: "冷水水表", model: "LXS-20", serialNo: "S-1", manufacturer: "M", typeApprovalNo: "T", accuracyClass: "2级",
            measuringRange: "R", purpose: "trade_settlement", regionCode: "350102", address: "A", latitude: 26.08, longitude: 119.3,
            ownerCreditCode: "O", inServiceDate: "2024-03-01", status: "in_service", meterType: "water", dn: 20, q3: 2.5, medium: "lpg", batch: "B")
        let fields = try APIImplementation.fields(of: body)
        // Every field the API names is a column of the one description (a new API field needs one).
        let columns = Set(RawInstrument.columns.map(\.name))
        #expect(Set(fields.keys).isSubset(of: columns), "\(Set(fields.keys).subtracting(columns))")
        #expect(fields.count == 22)
        let raw = RawInstrument(fields: fields)
        #expect(raw.code == "C" && raw.subNo == "14" && raw.name == "冷水水表" && raw.model == "LXS-20" && raw.serialNo == "S-1")
        #expect(raw.manufacturer == "M" && raw.typeApprovalNo == "T" && raw.accuracyClass == "2级" && raw.measuringRange == "R")
        #expect(raw.purpose == "trade_settlement" && raw.regionCode == "350102" && raw.address == "A" && raw.ownerCreditCode == "O")
        #expect(raw.latitude.flatMap(Double.init) == 26.08 && raw.longitude.flatMap(Double.init) == 119.3)
        #expect(raw.inServiceDate == "2024-03-01" && raw.status == "in_service" && raw.meterType == "water" && raw.dn == "20" && raw.q3 == "2.5")
        #expect(raw.medium == "lpg" && raw.batch == "B")
        // Absent fields stay absent.
        #expect(RawInstrument(fields: try APIImplementation.fields(of: Components.Schemas.InstrumentInput(name: "x"))) == {
            var r = RawInstrument()
            r.name = "x"
            return r
        }())
    }
}
