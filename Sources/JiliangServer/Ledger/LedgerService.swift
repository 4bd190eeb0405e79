import JiliangStore
import Logging
import ServiceLifecycle

/// Keeps the ledger current: every `interval` it ledgers the facts written since the last round
/// and publishes a checkpoint once the witness quorum has cosigned it. A record created through
/// the API or an import is therefore in the log within seconds.
struct LedgerService: Service {
    let ledger: Ledger
    let interval: Duration

    func run() async throws {
        let logger = ledger.store.logger
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await ledger.sequenceAll()
                    _ = try await ledger.publish()
                    try await Task.sleep(for: interval)
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("ledger: \(error)")
                    try? await Task.sleep(for: .seconds(5))
                }
            }
        }
    }
}
