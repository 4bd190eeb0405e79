import JiliangCore

extension WebApp {
    /// A rule in a few words (`CatalogueText`; the reference page lists the rules in force with it).
    static func ruleSummary(_ r: VerificationRule, _ t: PageText) -> String { CatalogueText.ruleSummary(r, t) }
}
