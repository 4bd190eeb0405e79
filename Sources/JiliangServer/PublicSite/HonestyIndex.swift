import Foundation
import JiliangCore
import JiliangStore
import NIOConcurrencyHelpers

/// The public honesty summaries of all businesses, held in memory and reloaded in the background
/// every `ttl` seconds, so that the instrument page — what every scan hits — reads a dictionary
/// instead of four queries. A change shows within `ttl` seconds (the page itself is cacheable for 60).
final class HonestyIndex: Sendable {
    struct State {
        var summaries: [String: HonestySummary] = [:]
        var loadedAt: Double = -.infinity
        var loadedFor: CalendarDay?
        var loading = false
    }

    let ttl: Double
    let state = NIOLockedValueBox(State())

    init(ttl: Double = 30) { self.ttl = ttl }

    /// The summary of a business (nil: nothing to show). The first call loads; later ones never wait.
    func summary(creditCode: String, today: CalendarDay, store: Store) async -> HonestySummary? {
        let now = ProcessInfo.processInfo.systemUptime
        let (fresh, never, start) = state.withLockedValue { s -> (Bool, Bool, Bool) in
            let fresh = now - s.loadedAt < ttl && s.loadedFor == today
            let start = !fresh && !s.loading
            if start { s.loading = true }
            return (fresh, s.loadedFor == nil, start)
        }
        if !fresh && start {
            if never { await reload(today: today, store: store) } else { Task { await reload(today: today, store: store) } }
        }
        return state.withLockedValue { $0.summaries[creditCode] }
    }

    func reload(today: CalendarDay, store: Store) async {
        let loaded = try? await PublicCredit.snapshot(today: today, on: store.db)
        state.withLockedValue { s in
            if let loaded {
                s.summaries = loaded
                s.loadedAt = ProcessInfo.processInfo.systemUptime
                s.loadedFor = today
            }
            s.loading = false
        }
    }
}
