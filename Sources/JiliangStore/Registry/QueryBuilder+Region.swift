import FluentKit
import JiliangCore

extension QueryBuilder {
    /// Keeps rows whose region code lies in `region`'s subtree: a plain index range, because the
    /// hierarchy is in the GB/T 2260 digits (`RegionCode.subtreeRange`).
    @discardableResult
    func inSubtree(of region: RegionCode, _ field: KeyPath<Model, FieldProperty<Model, String>>) -> Self {
        let range = region.subtreeRange
        return filter(field >= range.lowerBound).filter(field <= range.upperBound)
    }
}
