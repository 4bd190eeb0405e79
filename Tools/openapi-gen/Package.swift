// swift-tools-version:6.0
// Builds the pinned swift-openapi-generator CLI so that `make openapi` can regenerate
// Sources/JiliangAPI/Generated. The generated code is committed; normal builds never run this.
import PackageDescription

let package = Package(
    name: "openapi-gen",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3")
    ],
    targets: []
)
