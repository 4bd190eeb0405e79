import Mustache

/// A site's UI strings as typed keys, each worded in both languages (`PageKey` for the staff site,
/// `PublicKey` for the public one): a key without words in either language does not compile.
protocol StringKey: RawRepresentable<String>, CaseIterable, Sendable {
    var zh: String { get }
    var en: String { get }
    /// Every key by its name: one hash lookup per `{{t.key}}` instead of `init(rawValue:)`'s
    /// comparisons over hundreds of cases.
    static var named: [String: Self] { get }
}

/// The strings of one language, for Swift (`t[.key]`) and templates (`{{t.key}}`).
struct TextInLanguage<Key: StringKey>: MustacheParent, Sendable {
    let lang: PageStrings.Language
    subscript(_ key: Key) -> String { lang == .zh ? key.zh : key.en }
    /// A key that is data (a state, an action stored by the store), if it is one.
    func lookup(_ raw: String) -> String? { Key.named[raw].map { self[$0] } }
    func child(named name: String) -> Any? { lookup(name) }
}
