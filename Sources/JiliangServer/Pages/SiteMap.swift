import Foundation
import HTTPTypes
import Hummingbird

/// The staff site's addresses, in one place (issue #20): each route is registered with its
/// `pattern` and every link to it is built by calling it, so a renamed route is renamed once.
/// Templates get the addresses without parameters as `{{u.name}}` (`Site.links`), and the links
/// with parameters from their view models.
enum Site {
    // Signing in and the frame
    static let login = Route0("/login")
    static let logout = Route0("/logout")
    static let dashboard = Route0("/app")
    /// Every staff page's address starts with this (the signed-in site).
    static func isStaff(_ path: String) -> Bool { path == dashboard() || path.hasPrefix(dashboard() + "/") }

    // Instruments, owners, institutions, regions
    static let instruments = Route0("/app/instruments")
    static let instrumentsCSV = Route0("/app/instruments.csv")
    static let newInstrument = Route0("/app/instruments/new")
    static let instrument = Route1<Int>("/app/instruments/{id}")
    static let instrumentFiling = Route1<Int>("/app/instruments/{id}/filing")
    static let instrumentApply = Route1<Int>("/app/instruments/{id}/apply")
    static let certificate = Route1<Int>("/app/records/{id}/certificate")
    static let regions = Route0("/app/regions")
    static let region = Route1<String>("/app/regions/{code}")
    static let owner = Route1<Int>("/app/owners/{id}")
    static let institution = Route1<Int>("/app/institutions/{id}")
    static let institutionAuthorisations = Route1<Int>("/app/institutions/{id}/authorisations")
    static let labels = Route0("/app/labels")
    static let labelsPDF = Route0("/app/labels.pdf")

    // Import and its jobs
    static let importPage = Route0("/app/import")
    static let importProfiles = Route0("/app/import/profiles")
    static let importTemplate = Route0("/app/import/template.csv")
    static let jobProgress = Route1<Int>("/app/jobs/{id}.json")
    static let jobErrors = Route1<Int>("/app/jobs/{id}/errors.csv")
    /// What both job addresses start with, for the import page's script (it adds the id).
    static var jobsPrefix: String { String(jobErrors.pattern.prefix { $0 != "{" }) }

    // Workflows: filings and verification requests
    static let filings = Route0("/app/filings")
    static let filingDecision = Route2<Int, String>("/app/filings/{id}/{decision}")
    static let requests = Route0("/app/requests")
    static let requestStep = Route2<Int, String>("/app/requests/{id}/{step}")

    // Surveys of users (摸排)
    static let surveys = Route0("/app/surveys")
    static let survey = Route1<Int>("/app/surveys/{id}")
    static let surveyChase = Route1<Int>("/app/surveys/{id}/chase")
    static let surveyClose = Route1<Int>("/app/surveys/{id}/close")
    static let surveyRequest = Route2<Int, Int>("/app/surveys/{id}/requests/{request}")

    // Smart supervision (远程监管): the alerts' queue and one alert
    static let telemetry = Route0("/app/telemetry")
    static let telemetryAlert = Route1<Int>("/app/telemetry/alerts/{id}")
    static let telemetryAlertDecision = Route1<Int>("/app/telemetry/alerts/{id}/decision")
    static let telemetryLive = Route0("/app/telemetry/live")
    static let telemetryLiveEvents = Route0("/app/telemetry/live/events")
    static let telemetryDevice = Route1<Int>("/app/telemetry/devices/{id}")
    static let telemetryThresholds = Route0("/app/telemetry/thresholds")

    // Statistics and standards
    static let statistics = Route0("/app/statistics")
    static let statisticsAnnual = Route0("/app/statistics/annual")
    static let statisticsBehind = Route0("/app/statistics/behind")
    static let statisticsUtilities = Route0("/app/statistics/utilities")
    static let standards = Route0("/app/standards")
    static let standardTargets = Route0("/app/standards/targets")
    static let standard = Route1<Int>("/app/standards/{id}")

    // Catalogue and reference data
    static let catalogue = Route0("/app/catalogue")
    static let catalogueEntry = Route1<Int>("/app/catalogue/{sub}")
    static let catalogueNames = Route1<Int>("/app/catalogue/{sub}/names")
    static let catalogueRules = Route1<Int>("/app/catalogue/{sub}/rules")

    // Public service: complaints, free checks, campaigns
    static let complaints = Route0("/app/complaints")
    static let complaint = Route1<Int>("/app/complaints/{id}")
    static let complaintPhoto = Route1<Int>("/app/complaints/{id}/photo")
    static let complaintAction = Route2<Int, String>("/app/complaints/{id}/{action}")
    static let checks = Route0("/app/checks")
    static let checkSlots = Route0("/app/checks/slots")
    static let checkResult = Route1<Int>("/app/checks/{id}/result")
    static let campaigns = Route0("/app/admin/campaigns")

    // Credit: commitments, demonstration units, penalties, the dishonesty list
    static let credit = Route0("/app/credit")
    static let creditOwner = Route1<Int>("/app/credit/owners/{id}")
    static let commitments = Route0("/app/commitments")
    static let commitment = Route1<Int>("/app/commitments/{id}")
    static let commitmentEnd = Route1<Int>("/app/commitments/{id}/end")
    static let commitmentTemplates = Route0("/app/admin/commitment-templates")
    static let demoChecklists = Route0("/app/admin/demo-checklists")
    static let demoRounds = Route0("/app/demo-rounds")
    static let demoRound = Route1<Int>("/app/demo-rounds/{id}")
    static let demoRoundAction = Route2<Int, String>("/app/demo-rounds/{id}/{action}")
    static let demoApplicationAction = Route2<Int, String>("/app/demo-applications/{id}/{action}")
    static let penalties = Route0("/app/penalties")
    static let penalty = Route1<Int>("/app/penalties/{id}")
    static let penaltyFile = Route2<Int, String>("/app/penalties/{id}/files/{file}")
    static let penaltyAction = Route2<Int, String>("/app/penalties/{id}/{action}")
    static let listings = Route0("/app/listings")
    static let listing = Route1<Int>("/app/listings/{id}")
    static let listingStep = Route1<Int>("/app/listings/{id}/step")

    // Administration
    static let users = Route0("/app/admin/users")
    static let userPassword = Route1<Int>("/app/admin/users/{id}/password")
    static let userToggle = Route2<Int, String>("/app/admin/users/{id}/{toggle}")
    static let tokens = Route0("/app/admin/tokens")
    static let tokenRevoke = Route1<Int>("/app/admin/tokens/{id}/revoke")
    static let institutions = Route0("/app/admin/institutions")
    static let audit = Route0("/app/admin/audit")
    static let calendar = Route0("/app/admin/calendar")
    static let calendarDelete = Route1<String>("/app/admin/calendar/{date}/delete")
    static let reference = Route0("/app/admin/reference")

    /// The staff routes that a page's script calls and that answer JSON (problems included), not
    /// pages: the upload (a POST to the import page's address), profiles, job progress.
    static func answersJSON(_ path: String, method: HTTPRequest.Method) -> Bool {
        (path == importPage() && method == .post) || path == importProfiles() || (isStaff(path) && path.hasSuffix(".json"))
    }

    /// A request's path as the router matches it: empty segments dropped ("//app/x/" is "/app/x").
    /// Middleware that decides by path reads this, so a path the router would match cannot be
    /// written so that a check passes it by.
    static func canonical(_ path: String) -> String {
        // Most paths are canonical already, and several middlewares ask on every request (the
        // public lookup's hot path): one pass over the bytes. Not `String.contains("//")`, which
        // with Foundation imported is `NSString.range(of:)` — 2 % of the lookup's CPU (issue #23).
        guard isCanonical(path.utf8) else {
            return "/" + path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        }
        return path
    }

    /// Starts with "/", has no empty segment ("//") and no trailing "/" unless it is "/" itself.
    private static func isCanonical(_ bytes: String.UTF8View) -> Bool {
        let slash = UInt8(ascii: "/")
        var previous: UInt8 = 0
        for (i, b) in bytes.enumerated() {
            if i == 0, b != slash { return false }
            if b == slash, previous == slash { return false }
            previous = b
        }
        return previous != 0 && (bytes.count == 1 || previous != slash)
    }

    /// The addresses without parameters, for templates (`{{u.instruments}}`).
    static let links: [String: String] = [
        "login": login(), "logout": logout(), "dashboard": dashboard(), "instruments": instruments(), "instrumentsCSV": instrumentsCSV(),
        "newInstrument": newInstrument(), "regions": regions(), "labels": labels(), "labelsPDF": labelsPDF(), "importPage": importPage(),
        "importProfiles": importProfiles(), "importTemplate": importTemplate(), "filings": filings(), "requests": requests(),
        "surveys": surveys(), "telemetry": telemetry(), "telemetryLive": telemetryLive(), "telemetryThresholds": telemetryThresholds(), "statistics": statistics(), "statisticsAnnual": statisticsAnnual(), "statisticsBehind": statisticsBehind(),
        "statisticsUtilities": statisticsUtilities(), "standards": standards(), "standardTargets": standardTargets(),
        "catalogue": catalogue(), "complaints": complaints(), "checks": checks(), "checkSlots": checkSlots(), "campaigns": campaigns(),
        "credit": credit(), "commitments": commitments(), "commitmentTemplates": commitmentTemplates(), "demoChecklists": demoChecklists(),
        "demoRounds": demoRounds(), "penalties": penalties(), "listings": listings(), "users": users(), "tokens": tokens(),
        "institutions": institutions(), "audit": audit(), "calendar": calendar(), "reference": reference(),
    ]
}

/// A route without parameters.
struct Route0: Sendable {
    let pattern: String
    init(_ pattern: String) { self.pattern = pattern }
    var path: RouterPath { RouterPath(pattern) }
    func callAsFunction() -> String { pattern }
}

/// A route with one parameter (`{name}` in its pattern).
struct Route1<A: CustomStringConvertible & Sendable>: Sendable {
    let pattern: String
    init(_ pattern: String) { self.pattern = pattern }
    var path: RouterPath { RouterPath(pattern) }
    func callAsFunction(_ a: A) -> String { Site.fill(pattern, [a.description]) }
}

/// A route with two parameters, in the order they appear in its pattern.
struct Route2<A: CustomStringConvertible & Sendable, B: CustomStringConvertible & Sendable>: Sendable {
    let pattern: String
    init(_ pattern: String) { self.pattern = pattern }
    var path: RouterPath { RouterPath(pattern) }
    func callAsFunction(_ a: A, _ b: B) -> String { Site.fill(pattern, [a.description, b.description]) }
}

extension Site {
    /// The pattern with its `{…}` segments replaced in order by `values` (percent-encoded).
    static func fill(_ pattern: String, _ values: [String]) -> String {
        var out = "", rest = Substring(pattern), i = 0
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let value = i < values.count ? values[i] : ""
            out += value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/?#"))) ?? value
            i += 1
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
