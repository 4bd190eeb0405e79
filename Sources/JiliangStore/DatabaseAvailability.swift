import AsyncKit
import FluentPostgresDriver

/// Which errors mean "the database cannot be reached now", not "this request is wrong": a
/// PostgreSQL primary that died or is being replaced (a failover, issue #22 item 3), a server
/// shutting down or starting up, a demoted primary refusing writes, or a pool that could not get a
/// connection in time. The request is answered 503 with a Retry-After, never 500; the pool opens
/// new connections on the next request, so the application reconnects by itself once the new
/// primary takes the address.
public enum DatabaseAvailability {
    public static func isUnavailable(_ error: any Error) -> Bool {
        switch error {
        case let e as PSQLError:
            switch e.code {
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
                return true
            case .server:
                guard let state = e.serverInfo?[.sqlState] else { return false }
                // 08: connection exceptions; 57P01–57P03: the server is shutting down, crashed or
                // is not accepting connections yet; 25006: a read-only transaction (the primary was
                // demoted); 53300: too many connections.
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "25006", "53300"].contains(state)
            default:
                return false
            }
        case is LiveConnection.ConnectionLost:
            // A write transaction's connection closed under it (`LiveConnection`).
            return true
        case is ConnectionPoolTimeoutError:
            // (Socket errors reach here wrapped in `PSQLError.connectionError`; a bare socket error
            // is the client's or another service's, not the database's.)
            return true
        default:
            return false
        }
    }
}
