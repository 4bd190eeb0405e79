import FluentKit
import JiliangCore

extension QueryBuilder {
    /// Keeps rows whose region code lies in `region`'s subtree: a plain index range, because the
    /// hierarchy is in the GB/T 2260 digits (`RegionCode.subtreeRange`).
    @discardableResult
    func inSubtree(of region: RegionCode, _ field: KeyPath<Model, FieldProperty<Model, String>>) -> Self {
        let range = region.subtreeRange
        // A county is its own subtree: an equality lets the database use the rest of a composite
        // index (status, then id order) instead of stopping at a range.
        if range.lowerBound == range.upperBound { return filter(field == range.lowerBound) }
        return filter(field >= range.lowerBound).filter(field <= range.upperBound)
    }
}
