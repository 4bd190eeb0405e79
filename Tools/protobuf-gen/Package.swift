// swift-tools-version:6.0
import PackageDescription

// Builds swift-protobuf's protoc-gen-swift once, for `make protobuf`, which regenerates
// Sources/JiliangTelemetry/Generated from Sources/JiliangTelemetry/telemetry.proto (the generated
// code is committed, so neither CI nor `make run` builds this).
let package = Package(
    name: "protobuf-gen",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0")
    ]
)
