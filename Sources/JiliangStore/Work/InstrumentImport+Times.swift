extension InstrumentImport {
    /// Where an import's time went, on its two chains of work (issue #23): the checks, which read
    /// and validate the file slice by slice, and the writer, which owns the transaction and its
    /// one database connection. The two overlap (two slices in flight), so the longer chain bounds
    /// the import; on SQLite, whose connection does its work one statement at a time, it is the
    /// writer. `make bench` prints them beside the database's own floor (`jiliang bench import`).
    public struct Times: Sendable {
        /// Reading and validating the file's rows, slice by slice.
        public var checking: Duration = .zero
        /// The checks waiting for the writer: to take a slice (two are in flight at most), and to
        /// finish the last two once the file is read.
        public var checksWaiting: Duration = .zero
        /// The writer waiting for the next checked slice.
        public var writerWaiting: Duration = .zero
        /// The writer's work, by step; `writer.total` is the time it was busy with the slices and
        /// the counts (not the audit entry and the commit at the very end).
        public var writer = Writer()

        public struct Writer: Sendable {
            /// New owners created, and what the registry already holds of the slice's rows (known
            /// rows, taken codes and certificates).
            public var reads: Duration = .zero
            /// The slice's rows as the database's cells, each with the rules engine's answer it is
            /// stored with (`InstrumentBulkWriter.row`).
            public var rows: Duration = .zero
            /// The instruments into the staging table (`InstrumentBulkWriter.writeInstruments`).
            public var staging: Duration = .zero
            /// The staged instruments into the registry, their ids read back.
            public var instruments: Duration = .zero
            /// The verification records (and an owner's filings and survey answers).
            public var records: Duration = .zero
            /// Waiting for the slice's kept counts (counted meanwhile, on another core) and adding them up.
            public var counting: Duration = .zero
            /// The utility meters' offences.
            public var offences: Duration = .zero
            /// The kept counts applied once, at the end.
            public var counts: Duration = .zero

            public var total: Duration { reads + rows + staging + instruments + records + counting + offences + counts }
        }
    }
}

/// A stopwatch for one chain of work: each `lap` adds the time since the last one to a field.
struct Laps {
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant

    init() { last = clock.now }

    mutating func lap(_ field: inout Duration) {
        let now = clock.now
        field += now - last
        last = now
    }

    /// Starts over without counting the time since the last lap.
    mutating func restart() { last = clock.now }
}
