import JiliangCore
import Testing

/// Capability coverage and gaps with social public measurement standards (docs/statistics.md).
@Suite struct CapabilityTests {
    let gulou = RegionCode("350102")!, taijiang = RegionCode("350103")!, siming = RegionCode("350203")!

    func provider(_ id: Int, _ name: String, at location: String, sub: Int, serves: String, until: String = "2030-12-31", source: CapabilityProvider.Source = .scope) -> CapabilityProvider {
        .init(institutionID: id, institutionName: name, location: RegionCode(location)!, subNo: sub, serves: RegionCode(serves)!,
              validFrom: CalendarDay("2020-01-01")!, validUntil: CalendarDay(until)!, source: source)
    }

    @Test(arguments: [("350102", "350102", 0), ("350100", "350102", 1), ("350103", "350102", 1), ("350200", "350102", 2), ("350000", "350102", 2), ("440100", "350102", 3)])
    func distanceFollowsTheHierarchy(location: String, county: String, expected: Int) {
        #expect(Capability.distance(from: RegionCode(location)!, to: RegionCode(county)!) == expected)
    }

    @Test func gapsNameTheNearestInstitutionWithTheCapability() {
        let providers = [
            provider(1, "省院", at: "350000", sub: 2, serves: "350000"),
            provider(2, "厦门所", at: "350200", sub: 18, serves: "350200"),
            provider(3, "台江所", at: "350103", sub: 18, serves: "350103"),
            provider(4, "过期所", at: "350102", sub: 18, serves: "350102", until: "2026-11-25"),
        ]
        let gaps = Capability.gaps(inUse: [gulou: [2: 5, 18: 3], taijiang: [18: 1], siming: [18: 9, 10: 2]], providers: providers, on: CalendarDay("2026-11-26")!)
        // 鼓楼 lacks 18 (its own standard expired yesterday; 台江 is nearer than 厦门); 思明 lacks 10 (nobody has it)
        #expect(gaps.count == 2)
        #expect(gaps[0].county == gulou && gaps[0].subNo == 18 && gaps[0].instruments == 3 && gaps[0].nearest?.id == 3 && gaps[0].nearest?.distance == 1)
        #expect(gaps[1].county == siming && gaps[1].subNo == 10 && gaps[1].instruments == 2 && gaps[1].nearest == nil)
        // on the expired one's last valid day 鼓楼 is served
        #expect(Capability.gaps(inUse: [gulou: [18: 3]], providers: providers, on: CalendarDay("2026-11-25")!).isEmpty)
    }

    @Test func coverageByPlaceCountsTheServedInstruments() {
        let c = Metrics.coverage(inUse: [2: [gulou: 5, siming: 5], 18: [gulou: 3]]) { sub, place in sub == 18 || place == gulou }
        #expect(c.items == Rate(1, 2))  // 2 is not served everywhere it is used
        #expect(c.instruments == Rate(8, 13))
        #expect(c.gaps == [2: 5])
    }

    @Test func targetsAreMetOnlyByTheRegionsOwnStandards() {
        let standards = [
            provider(1, "福州所", at: "350100", sub: 18, serves: "350100", source: .standard),
            provider(2, "鼓楼所", at: "350102", sub: 2, serves: "350102", source: .standard),
            provider(3, "鼓楼所", at: "350102", sub: 18, serves: "350102", source: .scope),  // an authorisation is not a standard
        ]
        let p = Capability.targetProgress(
            regions: [RegionCode("350100")!, gulou, taijiang], targets: [.city: [18], .county: [2, 18]], standards: standards, on: CalendarDay("2026-11-26")!)
        #expect(p[0].met == [18] && p[0].missing.isEmpty)
        #expect(p[1].met == [2] && p[1].missing == [18])
        #expect(p[2].met.isEmpty && p[2].missing == [2, 18])
    }

    @Test(arguments: [("2026-11-26", "2026-01-01", "2026-11-26"), ("2027-03-01", "2026-01-01", "2026-12-31"), ("2026-01-01", "2026-01-01", "2026-01-01")])
    func aRunningPeriodIsCountedToDate(today: String, start: String, end: String) {
        let p = MetricPeriod.year(of: CalendarDay("2026-05-05")!).through(CalendarDay(today)!)
        #expect(p == MetricPeriod(start: CalendarDay(start)!, end: CalendarDay(end)!))
        #expect(MetricPeriod.year(of: CalendarDay("2027-05-05")!).through(CalendarDay("2026-12-31")!) == nil)
    }
}
