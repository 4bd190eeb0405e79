// swift-tools-version:6.0
import PackageDescription

// One set of strict settings for every target (STYLE.md idiom 1).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Jiliang",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "jiliang", targets: ["jiliang"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        .target(
            name: "JiliangCore",
            swiftSettings: swiftSettings
        ),
        // A gateway's NDJSON lines are read by Debian's cJSON (scripts/deps.sh).
        .systemLibrary(name: "CCJSON", pkgConfig: "libcjson", providers: [.apt(["libcjson-dev"])]),
        // Smart supervision's domain (issue #21): readings, the NDJSON batch reader and the
        // detectors as pure functions with their thresholds. Core only, tested without a database.
        // Its binary wire format is protobuf (proto/telemetry.proto; generated code committed).
        .target(
            name: "JiliangTelemetry",
            dependencies: ["JiliangCore", "CCJSON", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings
        ),
        // The tamper-evident ledger: RFC 6962 Merkle log, C2SP tiles, notes, witnesses.
        // Foundation and swift-crypto only, so anyone can audit and reuse it.
        .target(
            name: "JiliangLedger",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // QR codes: Debian's libqrencode through a system-library target (scripts/deps.sh installs it).
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // gzip request bodies (a gateway's batches, issue #21) through Debian's zlib.
        .systemLibrary(name: "CZStream", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "JiliangQR", dependencies: ["CQRencode"], swiftSettings: swiftSettings),
        // PDF documents (label sheets, printable reports): Debian's cairo and Pango through a
        // system-library target, with the CJK fonts from fonts-noto-cjk (scripts/deps.sh).
        .systemLibrary(name: "CPangoCairo", pkgConfig: "pangocairo", providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]),
        .target(name: "JiliangPDF", dependencies: ["CPangoCairo", "JiliangQR", "JiliangCore"], swiftSettings: swiftSettings),
        // Spreadsheet reports (XLSX): Debian's libxlsxwriter through a system-library target (scripts/deps.sh).
        .systemLibrary(name: "CXLSXWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
        .target(name: "JiliangXLSX", dependencies: ["CXLSXWriter", "JiliangCore"], swiftSettings: swiftSettings),
        // Reading uploaded tables: CSV, and XLSX workbooks through ZIPFoundation and Debian's libxml2.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(
            name: "JiliangTables",
            dependencies: ["JiliangCore", "CLibXML2", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JiliangStore",
            dependencies: [
                "JiliangCore", "JiliangLedger", "JiliangTables", "JiliangTelemetry",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            resources: [.copy("Resources/seed")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JiliangAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")
            ],
            exclude: ["openapi-generator-config.yaml"],
            resources: [.copy("openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JiliangServer",
            dependencies: [
                "JiliangCore", "JiliangStore", "JiliangAPI", "JiliangLedger", "JiliangQR", "JiliangPDF", "JiliangXLSX", "JiliangTelemetry", "CZStream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources/templates"), .copy("Resources/assets")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "jiliang",
            dependencies: [
                "JiliangCore", "JiliangStore", "JiliangServer", "JiliangLedger", "JiliangTables", "JiliangXLSX", "JiliangTelemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JiliangTestSupport",
            dependencies: [
                "JiliangCore", "JiliangStore", "JiliangServer", "JiliangLedger",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/JiliangTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "JiliangCoreTests", dependencies: ["JiliangCore"], swiftSettings: swiftSettings),
        .testTarget(name: "JiliangLedgerTests", dependencies: ["JiliangLedger"], swiftSettings: swiftSettings),
        .testTarget(name: "JiliangTelemetryTests", dependencies: ["JiliangTelemetry"], swiftSettings: swiftSettings),
        .testTarget(name: "JiliangQRTests", dependencies: ["JiliangQR"], swiftSettings: swiftSettings),
        .testTarget(name: "JiliangPDFTests", dependencies: ["JiliangPDF", "JiliangStore"], swiftSettings: swiftSettings),
        .testTarget(name: "JiliangXLSXTests", dependencies: ["JiliangXLSX", "JiliangStore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "JiliangTablesTests", dependencies: ["JiliangTables", "JiliangXLSX", "CXLSXWriter", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "JiliangStoreTests",
            dependencies: [
                "JiliangStore", "JiliangTestSupport", "JiliangXLSX", "JiliangTelemetry", "JiliangLedger", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "JiliangServerTests",
            dependencies: [
                "JiliangServer", "JiliangTestSupport", "JiliangXLSX",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
    ]
)
