import FluentKit
import Foundation
import JiliangCore

/// Social public measurement standards and construction targets for the demo province, made
/// through `Standards` like the pages do: the provincial institute's standards serve the province,
/// each city institute holds standards for scales and blood-pressure meters (every other city also
/// for fuel dispensers), the water-meter stations for water meters. The targets are examples — the
/// national construction catalogue's list was not retrieved (docs/statistics.md).
public enum DemoStandards {
    public static func load(today: CalendarDay, on db: any Database) async throws {
        let admin = Principal.system("demo")
        let context = try await Registry.context(on: db)
        let institutions = try await InstitutionModel.query(on: db).sort(\.$id).all()
        var n = 0
        func add(_ i: InstitutionModel, _ name: String, _ subs: [Int], range: String, uncertainty: String, expired: Bool = false) async throws {
            let subs = subs.filter { context.catalogue[$0] != nil }
            guard !subs.isEmpty else { return }
            n += 1
            let from = today.adding(days: -(400 + n * 37 % 900))
            let d = try StandardDraft.parse(
                institutionID: i.id, name: name, certificateNo: String(format: "[%d]闽社标证字第%04d号", from.year, n), validFrom: from.description,
                validUntil: (expired ? today.adding(days: -20) : from.adding(days: 365 * 5)).description, measuringRange: range,
                uncertainty: uncertainty, subNos: subs, regionCodes: [i.regionCode], context: context)
            _ = try await Standards.create(d, by: admin, on: db)
        }
        for (k, i) in institutions.enumerated() {
            guard let region = RegionCode(i.regionCode) else { continue }
            switch (region.level, i.kind) {
            case (.province, "legal"):
                try await add(i, "汽车衡检定装置", [3], range: "(0~100)t", uncertainty: "M1等级砝码")
                try await add(i, "轨道衡检定装置", [4], range: "(0~150)t", uncertainty: "MPE ±0.1%")
                try await add(i, "流量计检定装置", [17], range: "DN15~DN300", uncertainty: "Urel=0.05% (k=2)")
                try await add(i, "血压计检定装置", [18], range: "(0~40)kPa", uncertainty: "0.02级")
            case (.city, "legal"):
                try await add(i, "砝码标准装置", [2], range: "1mg~60kg", uncertainty: "F2等级")
                try await add(i, "血压计检定装置", [18], range: "(0~40)kPa", uncertainty: "0.05级", expired: k % 4 == 0)
                if k % 2 == 1 { try await add(i, "燃油加油机检定装置", [10], range: "(5~100)L", uncertainty: "二等标准金属量器") }
            case (.city, _) where i.name.contains("水表"):
                try await add(i, "水表检定装置", [14], range: "DN15~DN50", uncertainty: "Urel=0.2% (k=2)")
            default: break
            }
        }
        try await Standards.setTargets(level: .province, subNos: [3, 4, 17, 18].filter { context.catalogue[$0] != nil }, by: admin, on: db)
        try await Standards.setTargets(level: .city, subNos: [2, 10, 14, 18].filter { context.catalogue[$0] != nil }, by: admin, on: db)
        try await Standards.setTargets(level: .county, subNos: [2].filter { context.catalogue[$0] != nil }, by: admin, on: db)
    }
}
