import JiliangStore
import ServiceLifecycle

/// Measures the read replica's lag every `interval` (issue #22, item 3): reads that may be stale
/// go there only while it is within its bound (`ReadReplica`). Runs only when a replica is
/// configured; the first measurement comes one interval after start, until then reads go to the
/// primary.
struct ReplicaMonitor: Service {
    let store: Store
    let interval: Duration

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                await store.checkReplica()
            }
        }
    }
}
