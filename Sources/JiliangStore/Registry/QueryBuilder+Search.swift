import FluentKit
import FluentSQL
import SQLKit

extension QueryBuilder {
    /// Keeps rows whose text field contains `text` literally: `%`, `_` and `\` in what a caller
    /// types are matched as themselves, not as LIKE wildcards (`q=%` listed everything in scope;
    /// issue #17, item 10). `ESCAPE` is spelled out because SQLite has no default escape character.
    @discardableResult
    func filter(_ field: KeyPath<Model, FieldProperty<Model, String>>, containsLiterally text: String) -> Self {
        let key = Model.path(for: field).first!.description
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        return filter(.sql(embed: "\(ident: Model.schemaOrAlias).\(ident: key) LIKE \(bind: "%" + escaped + "%") ESCAPE '\\'"))
    }
}
