import FluentKit
import JiliangCore
import SQLKit

extension Registry {
    /// Instruments of one child region of the drill-down, of one catalogue sub-item, in one status today.
    public struct DrillDownCell: Sendable, Equatable {
        /// The child region (a city of a province, a county of a city; a county is its own child).
        public var child: String
        public var subNo: Int
        public var status: ComplianceStatus
        public var count: Int
    }

    /// Everything the drill-down page (`/app/regions/{code}`) counts, in one read of the region's
    /// instruments within the scope: by child region, catalogue sub-item and status today. The page
    /// used to ask seven counts per child and then group the whole subtree again (≈ 5 µs per
    /// instrument on the soak's county: BENCHMARKS.md, issue #23); its child × status and sub-item ×
    /// status tables are both sums of these cells.
    public static func drillDownCounts(
        region: RegionCode, today: CalendarDay, window: Int, scope: AccessScope, on db: any Database
    ) async throws -> [DrillDownCell] {
        // Which child an instrument's place is under: a province's children are its cities (the
        // first four digits name one), a city's its counties (all six); a county stands for itself.
        let digits = region.level == .province ? 4 : 6
        func child(_ place: String) -> String { digits == 4 ? place.prefix(4) + "00" : place }
        var range = region.subtreeRange
        switch scope {
        case .everything: break
        case .region(let own):
            let r = own.subtreeRange
            guard r.overlaps(range) else { return [] }
            range = max(r.lowerBound, range.lowerBound)...min(r.upperBound, range.upperBound)
        default:
            // Small scopes (an owner, an institute) hold few instruments: count them in memory.
            var counts: [String: [Int: [ComplianceStatus: Int]]] = [:]
            for m in try await scoped(InstrumentModel.query(on: db), scope).inSubtree(of: region, \.$regionCode).all() {
                counts[child(m.regionCode), default: [:]][m.subNo, default: [:]][m.status(on: today, window: window), default: 0] += 1
            }
            return counts.flatMap { c, subs in subs.flatMap { s, st in st.map { DrillDownCell(child: c, subNo: s, status: $0.key, count: $0.value) } } }
        }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT substr(region_code, 1, \(unsafeRaw: String(digits))) AS child, sub_no, \(statusExpression(today: today, window: window)) AS status,
              COUNT(*) AS n
            FROM instruments
            WHERE region_code >= \(bind: range.lowerBound) AND region_code <= \(bind: range.upperBound)
            GROUP BY child, sub_no, status
            """).all()
        return try rows.compactMap { r in
            guard let s = try r.decode(column: "status", as: String?.self).flatMap(ComplianceStatus.init(rawValue:)) else { return nil }
            return DrillDownCell(
                child: child(try r.decode(column: "child", as: String.self)), subNo: try r.decode(column: "sub_no", as: Int.self), status: s,
                count: try r.decode(column: "n", as: Int.self))
        }
    }
}
