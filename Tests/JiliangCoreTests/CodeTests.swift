import Foundation
import JiliangCore
import Testing

@Suite struct CreditCodeTests {
    // Published codes of real companies (Alibaba China, Tencent, Huawei, Xiaomi).
    @Test(arguments: ["91330100716105852F", "9144030071526726XG", "914403001922038216", "91110108551385082Q", " 91110108551385082q "])
    func acceptsRealCodes(code: String) throws {
        let c = try CreditCode(validating: code)
        #expect(c.value == code.trimmingCharactersInWhitespace().uppercased())
    }

    @Test(arguments: [
        ("91330100716105852G", CreditCode.Problem.wrongCheckCharacter(expected: "F", found: "G")),
        ("9133010071610585", CreditCode.Problem.wrongLength(16)),
        ("91330100716105I52F", CreditCode.Problem.invalidCharacter(position: 15, character: "I")),
        ("91ABCDEF716105852F", CreditCode.Problem.invalidRegion("ABCDEF")),
    ])
    func rejectsWrongCodes(code: String, problem: CreditCode.Problem) {
        #expect(throws: problem) { try CreditCode(validating: code) }
    }

    @Test func buildsCodesWithTheRightCheckCharacter() throws {
        for n in 0..<200 {
            let body = "92350102" + String(format: "%09d", n * 7919)
            let c = CreditCode.withCheckCharacter(body: body)
            #expect(try CreditCode(validating: c.value) == c)
        }
    }
}

@Suite struct InstrumentCodeTests {
    @Test func issuedCodesValidateAndCarryTheRegion() throws {
        var rng = SystemRandomNumberGenerator()
        var seen = Set<String>()
        for _ in 0..<1000 {
            let c = InstrumentCode.issue(region: RegionCode("350102")!, using: &rng)
            #expect(c.value.count == 19)
            #expect(c.issuingRegion == "350102")
            #expect(try InstrumentCode(validating: c.grouped) == c)
            #expect(try InstrumentCode(validating: c.value.lowercased()) == c)
            seen.insert(c.value)
        }
        #expect(seen.count == 1000)
    }

    @Test func detectsEverySingleSubstitutionAndAdjacentSwap() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        for _ in 0..<300 {
            let code = Array(InstrumentCode.issue(region: RegionCode("350203")!, using: &rng).value)
            for i in 0..<18 {
                for c in (i < 6 ? Array("0123456789") : alphabet) where c != code[i] {
                    var typo = code
                    typo[i] = c
                    #expect(throws: InstrumentCode.Problem.self) { try InstrumentCode(validating: String(typo)) }
                }
                if i < 17, code[i] != code[i + 1] {
                    var swapped = code
                    swapped.swapAt(i, i + 1)
                    #expect(throws: InstrumentCode.Problem.self) { try InstrumentCode(validating: String(swapped)) }
                }
            }
        }
    }

    @Test func codesEndingInTheStarCheckSymbolValidate() throws {
        var rng = SystemRandomNumberGenerator()
        var found = 0
        for _ in 0..<5000 {
            let c = InstrumentCode.issue(region: RegionCode("350102")!, using: &rng)
            if c.value.hasSuffix("*") {
                found += 1
                #expect(try InstrumentCode(validating: c.grouped.lowercased()) == c)
            }
        }
        #expect(found > 50)  // about one in 37, so 135 expected
    }

    @Test(arguments: [
        ("35010212345", InstrumentCode.Problem.wrongLength(11)),
        ("3501ZZ7K3M9QXTR2AB4", InstrumentCode.Problem.invalidCharacter(position: 5, character: "Z")),
        ("3501027K3M9QXTR2AU4", InstrumentCode.Problem.invalidCharacter(position: 18, character: "U")),
    ])
    func rejectsMalformedCodes(code: String, problem: InstrumentCode.Problem) {
        #expect(throws: problem) { try InstrumentCode(validating: code) }
    }
}

@Suite struct RegionCodeTests {
    @Test(arguments: [
        ("350000", RegionCode.Level.province, nil as String?, "350000", "359999"),
        ("350100", .city, "350000", "350100", "350199"),
        ("350102", .county, "350100", "350102", "350102"),
    ])
    func hierarchyFromDigits(code: String, level: RegionCode.Level, parent: String?, low: String, high: String) {
        let r = RegionCode(code)!
        #expect(r.level == level)
        #expect(r.parent?.value == parent)
        #expect(r.subtreeRange == low...high)
    }

    @Test func containment() {
        #expect(RegionCode("350100")!.contains(RegionCode("350102")!))
        #expect(!RegionCode("350100")!.contains(RegionCode("350203")!))
        #expect(RegionCode("350000")!.contains(RegionCode("350203")!))
        #expect(RegionCode("35010") == nil)
        #expect(RegionCode("00AB01") == nil)
    }
}

/// Citizens' tracking and booking codes: 80 random bits, typed loosely, never a near miss.
@Suite struct TrackingCodeTests {
    @Test func issuedCodesAreSixteenCharactersOfCrockfordBase32AndDistinct() {
        var rng = SystemRandomNumberGenerator()
        let codes = (0..<2000).map { _ in TrackingCode.issue(using: &rng).value }
        #expect(Set(codes).count == codes.count)
        #expect(codes.allSatisfy { $0.count == 16 && $0.allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) } })
    }

    @Test(arguments: [
        ("7K3M-9QXT-R2AB-4WZC", "7K3M9QXTR2AB4WZC"),
        ("7k3m 9qxt r2ab 4wzc", "7K3M9QXTR2AB4WZC"),
        ("7K3M-9QXT-R2AB-4WZO", "7K3M9QXTR2AB4WZ0"),  // O is read as zero
        ("IK3M-9QXT-R2AB-4WZC", "1K3M9QXTR2AB4WZC"),  // I and L as one
        ("LK3M9QXTR2AB4WZC", "1K3M9QXTR2AB4WZC"),
    ])
    func typedCodesAreNormalised(typed: String, expected: String) {
        #expect(TrackingCode(typed: typed)?.value == expected)
    }

    @Test(arguments: ["", "7K3M-9QXT-R2AB-4WZ", "7K3M-9QXT-R2AB-4WZCC", "7K3M-9QXT-R2AB-4WZU", "7K3M-9QXT-R2AB-4WZ#", "七K3M-9QXT-R2AB-4WZC"])
    func malformedCodesAreRefused(typed: String) {
        #expect(TrackingCode(typed: typed) == nil)
    }

    @Test func groupedShowsFourByFour() {
        #expect(TrackingCode(typed: "7K3M9QXTR2AB4WZC")?.grouped == "7K3M-9QXT-R2AB-4WZC")
    }
}
