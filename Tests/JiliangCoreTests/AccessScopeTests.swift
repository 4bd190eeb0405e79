import JiliangCore
import Testing

/// Which regions a caller sees and a drill-down's scope (issue #20, item 6): in `AccessScope`, the
/// one place, instead of each page and statistic working it out. Codes are GB/T 2260: 350000
/// Fujian, 350100 Fuzhou, 350102 Gulou (a county of Fuzhou), 350200 Xiamen.
@Suite struct AccessScopeTests {
    static let fujian = RegionCode("350000")!, fuzhou = RegionCode("350100")!, gulou = RegionCode("350102")!, xiamen = RegionCode("350200")!

    @Test(arguments: [
        (AccessScope.everything, fujian, true), (.everything, gulou, true),
        (.region(fuzhou), fuzhou, true), (.region(fuzhou), gulou, true),  // its own subtree
        (.region(fuzhou), fujian, false), (.region(fuzhou), xiamen, false),  // above it, beside it
        (.region(gulou), fuzhou, false),
        (.owners([1]), gulou, false), (.institution(1), gulou, false), (.nothing, gulou, false),
    ] as [(AccessScope, RegionCode, Bool)])
    func whoSeesARegion(scope: AccessScope, region: RegionCode, sees: Bool) {
        #expect(scope.sees(region: region) == sees)
    }

    @Test(arguments: [
        (AccessScope.everything, gulou, AccessScope.region(gulou)),
        (.region(fuzhou), gulou, .region(gulou)),  // down into its own subtree
        (.region(gulou), fuzhou, .region(gulou)),  // a bureau looking at its city sees its county
        (.region(fuzhou), xiamen, .nothing),  // another city
        (.owners([1]), gulou, .owners([1])), (.nothing, gulou, .nothing),
    ] as [(AccessScope, RegionCode, AccessScope)])
    func aDrillDownNarrowsTheScope(scope: AccessScope, region: RegionCode, narrowed: AccessScope) {
        #expect(scope.narrowed(to: region) == narrowed)
    }
}
