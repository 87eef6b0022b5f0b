// swift-tools-version:6.0
import PackageDescription

// Modules are layered lowest first; a module imports only modules above it:
// NeuroPool → NeuroModel / NeuroBio → NeuroWire → NeuroNetwork → NeuroEngine → NeuroNode → neurobus,
// with CZeroMQ → ZeroMQ beside them, used by NeuroNode alone (the bus runtime).
let package = Package(
    name: "NeuroBus",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "NeuroPool", targets: ["NeuroPool"]),
        .library(name: "NeuroModel", targets: ["NeuroModel"]),
        .library(name: "NeuroBio", targets: ["NeuroBio"]),
        .library(name: "NeuroWire", targets: ["NeuroWire"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "NeuroNetwork", targets: ["NeuroNetwork"]),
        .library(name: "NeuroEngine", targets: ["NeuroEngine"]),
        .library(name: "NeuroNode", targets: ["NeuroNode"]),
        .executable(name: "neurobus", targets: ["neurobus"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // zlib (CRC32 and deflate) from the system, Debian package zlib1g-dev.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // C helpers the Swift standard library lacks (a cache prefetch hint).
        .target(name: "CNeuroPoolShims"),
        .target(
            name: "NeuroPool",
            dependencies: ["CZlib", "CNeuroPoolShims"]
        ),
        // Models in physical units (ms, mV, Hz): populations, connection rules, generators,
        // quantized once onto NeuroPool's integer substrate.
        .target(name: "NeuroModel", dependencies: ["NeuroPool"]),
        // Hodgkin-Huxley pools, the LIF twin and divergence tracking (docs/NEUROBIO.md).
        .target(name: "NeuroBio", dependencies: ["NeuroPool"]),
        // The wire protocol's messages and binary codec (protocol/SPEC.md). Pure: no sockets.
        // CRC-32 by carry-less multiplication (PCLMULQDQ), for the frame check.
        .target(name: "CNeuroWireShims"),
        .target(
            name: "NeuroWire",
            dependencies: ["CZlib", "CNeuroWireShims"]
        ),
        // libzmq from the system, Debian package libzmq3-dev.
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // A thin, careful Swift wrapper over libzmq: sockets confined to one thread, typed errors.
        .target(
            name: "ZeroMQ",
            dependencies: ["CZeroMQ"]
        ),
        // The network-file language: pools, populations, projections, generators, tasks,
        // checked and quantized into a NetworkDescription. No I/O beyond reading the file.
        .target(
            name: "NeuroNetwork",
            dependencies: [
                "NeuroPool",
                "NeuroModel",
                "NeuroBio",
                "NeuroWire",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        // The engine: pool drivers, the single-process run, rewards and tasks, outputs and
        // snapshots. No sockets.
        .target(
            name: "NeuroEngine",
            dependencies: ["NeuroPool", "NeuroModel", "NeuroBio", "NeuroWire", "NeuroNetwork"]
        ),
        // The bus runtime: node, controller, replicas, live I/O, launcher, security, over ZeroMQ.
        .target(
            name: "NeuroNode",
            dependencies: [
                "NeuroPool",
                "NeuroModel",
                "NeuroBio",
                "NeuroWire",
                "NeuroNetwork",
                "NeuroEngine",
                "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "neurobus",
            dependencies: [
                "NeuroPool",
                "NeuroModel",
                "NeuroBio",
                "NeuroWire",
                "NeuroNetwork",
                "NeuroEngine",
                "NeuroNode",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "NeuroPoolTests",
            dependencies: ["NeuroPool"]
        ),
        .testTarget(
            name: "NeuroModelTests",
            dependencies: ["NeuroModel", "NeuroPool"]
        ),
        .testTarget(
            name: "NeuroBioTests",
            dependencies: ["NeuroBio", "NeuroPool"]
        ),
        .testTarget(
            name: "NeuroWireTests",
            dependencies: [
                "NeuroWire",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ZeroMQTests",
            dependencies: ["ZeroMQ"]
        ),
        .testTarget(
            name: "NeuroNodeTests",
            dependencies: ["NeuroNode", "NeuroNetwork", "NeuroEngine", "NeuroPool", "NeuroModel", "NeuroBio", "NeuroWire", "ZeroMQ"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
