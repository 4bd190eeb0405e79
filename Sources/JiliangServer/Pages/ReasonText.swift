import Foundation
import JiliangStore

/// The words for a reason the store kept as a fact (`SystemReason`), in the reader's language; a
/// person's own reason is shown as written (issue #20: no worded text in the store).
enum ReasonText {
    static func words(_ stored: String?, _ t: PageText) -> String? {
        guard let stored else { return nil }
        guard let reason = SystemReason(stored: stored) else { return stored }
        switch reason {
        case .consentRefused: return t[.cr_reason_consentRefused]
        case .periodEnded: return t[.cr_reason_periodEnded]
        case .creditRepaired: return t[.cr_reason_creditRepaired]
        case .penalty(let no, let day):
            return t[.cr_reason_penalty].replacingOccurrences(of: "{decision}", with: no).replacingOccurrences(of: "{day}", with: day)
        case .listed(let id): return String(format: t[.cr_reason_listed], id)
        case .shownUntil(let day): return t[.cr_reason_shownUntil].replacingOccurrences(of: "{day}", with: day)
        case .objectionsUntil(let day): return t[.cr_reason_objectionsUntil].replacingOccurrences(of: "{day}", with: day)
        case .removalOn(let day): return t[.cr_reason_removalOn].replacingOccurrences(of: "{day}", with: day)
        }
    }
}
