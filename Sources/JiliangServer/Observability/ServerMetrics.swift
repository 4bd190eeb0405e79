import Foundation
import JiliangStore
import Prometheus
import Synchronization

/// The application's metrics (issue #22, item 6) in a Prometheus registry of its own (the mirrored
/// swift-prometheus), not the process-wide swift-metrics bootstrap: tests run many applications in
/// one process, and each reads its own. Request figures are recorded as requests finish; the
/// figures that live in the database are read when `/metrics` is scraped, so every instance of
/// several reports the same queue and ledger.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// Latency buckets from half a millisecond (a cached public page) to ten seconds (a report).
    static let buckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    private let inFlight: Gauge

    public init() {
        _ = ProcessFigures.started
        inFlight = registry.makeGauge(descriptor: Self.name("http_requests_in_flight", "", "Requests being answered now"))
    }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "jiliang", metricName: metric, unitName: unit, helpText: help)
    }

    // MARK: Requests

    func requestStarted() { inFlight.increment() }

    /// One answered request. `route` is the route's pattern (`/p/i/{code}`), never the path, so the
    /// number of series stays bounded whatever clients ask for. The series' handles are kept per
    /// (route, method, status): the registry looks a name up under its lock and checks its labels
    /// on every `make…` call, which is work every request would otherwise repeat.
    func requestFinished(route: String, method: String, status: Int, nanoseconds: UInt64) {
        inFlight.decrement()
        let key = SeriesKey(route: route, method: method, status: status)
        let series = requestSeries.withLock { cache in
            if let found = cache[key] { return found }
            let made = RequestSeries(
                count: registry.makeCounter(
                    descriptor: Self.name("http_requests", "total", "Requests answered, by route, method and status"),
                    labels: [("route", route), ("method", method), ("status", String(status))]),
                duration: registry.makeDurationHistogram(
                    descriptor: Self.name("http_request_duration", "seconds", "Time from the request's arrival to its answer, by route and method"),
                    labels: [("route", route), ("method", method)], buckets: Self.buckets))
            cache[key] = made
            return made
        }
        series.count.increment()
        series.duration.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    struct SeriesKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    struct RequestSeries: Sendable {
        var count: Counter
        var duration: DurationHistogram
    }

    private let requestSeries = Mutex<[SeriesKey: RequestSeries]>([:])

    // MARK: Scrape

    /// The text a Prometheus server scrapes: the database's figures read now, this process's
    /// memory and descriptors, then every series.
    func exposition(ledger: Ledger) async -> [UInt8] {
        // A database that cannot be read is itself the figure to show; the request and process
        // figures are still there (the database's own keep their last values).
        do {
            let figures = try await OperationalFigures.read(from: ledger)
            record(figures, poolSize: ledger.store.poolSize)
            gauge("database_up", "", "1 when the last scrape could read the database").set(to: 1)
        } catch {
            gauge("database_up", "", "1 when the last scrape could read the database").set(to: 0)
        }
        if let replica = ledger.store.replica { record(replica.figures) }
        record(ProcessFigures.current())
        return registry.emitToBuffer()
    }

    func record(_ f: OperationalFigures, poolSize: Int) {
        for (state, n) in f.jobs {
            gauge("jobs", "", "Jobs in the database-backed queue, by state", [("state", state)]).set(to: Double(n))
        }
        gauge("jobs_oldest_queued_wait", "seconds", "How long the oldest job due to run has waited (0 when none waits)")
            .set(to: f.oldestQueuedJobSeconds)
        gauge("warning_runs", "", "Early-warning runs recorded").set(to: Double(f.warningRuns))
        if let run = f.lastWarningRun {
            gauge("warning_last_run_found", "", "Warnings the latest finished early-warning run found").set(to: Double(run.found))
            gauge("warning_last_run_raised", "", "Warnings the latest finished early-warning run raised for the first time").set(to: Double(run.raised))
            gauge("warning_last_run_finished", "timestamp_seconds", "When the latest early-warning run finished (Unix time)")
                .set(to: run.finishedAt.timeIntervalSince1970)
            gauge("warning_last_run_alarm", "", "1 when the latest run found far fewer warnings than the one before it").set(to: run.alarm ? 1 : 0)
        }
        gauge("ledger_pending", "", "Facts written but not yet appended to the ledger").set(to: Double(f.ledgerPending))
        gauge("ledger_size", "", "Entries in the ledger").set(to: Double(f.ledgerSize))
        gauge("ledger_unpublished", "", "Entries not yet covered by a published checkpoint")
            .set(to: Double(f.ledgerSize - (f.ledgerCheckpointSize ?? 0)))
        if let at = f.ledgerCheckpointAt {
            gauge("ledger_checkpoint_published", "timestamp_seconds", "When the latest checkpoint was published (Unix time)")
                .set(to: at.timeIntervalSince1970)
        }
        gauge("database_ping", "seconds", "Time one SELECT 1 took through the connection pool at the last scrape").set(to: f.databasePingSeconds)
        gauge("database_pool_connections_max", "", "Connections the pool may open").set(to: Double(poolSize))
    }

    /// The read replica (issue #22, item 3): whether reads go there, how far behind it was at the
    /// last check, and where the reads that may be stale went.
    func record(_ r: ReadReplica.Figures) {
        gauge("database_replica_fresh", "", "1 while the read replica keeps within its staleness bound and takes reads").set(to: r.fresh ? 1 : 0)
        gauge("database_replica_lag", "seconds", "How far behind the read replica was at its last check (-1: not measured: unreachable, not a standby, or behind every position of the primary noted)")
            .set(to: r.lag ?? -1)
        let totals = [("replica", r.replicaReads), ("primary", r.primaryReads), ("fallback", r.fallbacks)]
        readsSeen.withLock { seen in
            for (target, total) in totals where total > seen[target, default: 0] {
                registry.makeCounter(
                    descriptor: Self.name("database_reads", "total", "Reads that may be stale, by where they went (fallback: failed on the replica, answered by the primary)"),
                    labels: [("target", target)]
                ).increment(by: Int64(total - seen[target, default: 0]))
                seen[target] = total
            }
        }
    }

    private let readsSeen = Mutex<[String: Int]>([:])

    func record(_ p: ProcessFigures) {
        if let rss = p.residentBytes { gauge("process_resident_memory", "bytes", "Resident memory of this process").set(to: Double(rss)) }
        if let fds = p.openDescriptors { gauge("process_open_fds", "", "Open file descriptors of this process").set(to: Double(fds)) }
        gauge("process_start_time", "seconds", "When this process started (Unix time)").set(to: p.startTime)
    }

    private func gauge(_ metric: String, _ unit: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: Self.name(metric, unit, help), labels: labels)
    }
}

/// This process's resident memory and open descriptors, from `/proc/self` (Linux); nil elsewhere.
struct ProcessFigures {
    var residentBytes: Int?
    var openDescriptors: Int?
    var startTime: Double

    /// When this process started: its start in clock ticks after boot (`/proc/self/stat`, field 22)
    /// plus the boot time (`/proc/stat`, btime); the first use's time where /proc is not there.
    static let started: Double = {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let afterName = stat.lastIndex(of: ")"),
              let boot = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?
                .split(separator: "\n").first(where: { $0.hasPrefix("btime ") }).flatMap({ Double($0.dropFirst(6)) })
        else { return Date().timeIntervalSince1970 }
        // Fields after the command name (which may hold spaces) start at field 3.
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return Date().timeIntervalSince1970 }
        return boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }()

    static func current() -> ProcessFigures {
        var rss: Int?
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { rss = pages * Int(sysconf(Int32(_SC_PAGESIZE))) }
        }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")).map(\.count)
        return ProcessFigures(residentBytes: rss, openDescriptors: fds, startTime: started)
    }
}
