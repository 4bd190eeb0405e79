/// The public site's strings (no sign-in; typed keys in `PublicKey`), Simplified Chinese first,
/// English beside it. Kept apart from the staff pages' because the public wording speaks to citizens.
enum PublicStrings {
    /// The strings in one language, by key: `t[.key]` in Swift, `{{t.key}}` in templates.
    static func strings(_ lang: PageStrings.Language) -> PublicText { PublicText(lang: lang) }
}
