import FluentKit
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
            // The handle is taken now, while the request holds the server open: a reload still
            // running when the server stops then fails on the closed pool (and keeps the old
            // summaries) instead of asking `Store.db` for a pool that is gone, which stops the process.
            let db = store.db
            if never { await reload(today: today, on: db) } else { Task { await reload(today: today, on: db) } }
        }
        return state.withLockedValue { $0.summaries[creditCode] }
    }

    func reload(today: CalendarDay, on db: any Database) async {
        let loaded = try? await PublicCredit.snapshot(today: today, on: db)
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
