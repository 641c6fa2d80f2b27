// swift-tools-version:6.0
// DiDLab: a Monte Carlo robustness lab for staggered difference-in-differences designs.
import PackageDescription

let package = Package(
    name: "DiDLab",
    products: [
        .executable(name: "didlab", targets: ["didlab"]),
        .executable(name: "didlab-bench", targets: ["Bench"]),
        .executable(name: "didlab-mpi", targets: ["DidLabMPI"]),
        .library(name: "Estimators", targets: ["Estimators"]),
        .library(name: "Sim", targets: ["Sim"]),
        .library(name: "Lab", targets: ["Lab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", pkgConfig: "gsl", providers: [.apt(["libgsl-dev"]), .brew(["gsl"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"]), .brew(["open-mpi"])]),
        // ReadStat (Stata/SPSS/SAS data files); Debian's libreadstat-dev has no pkg-config file.
        .systemLibrary(name: "CReadStat", providers: [.apt(["libreadstat-dev"]), .brew(["readstat"])]),
        .target(name: "Estimators", dependencies: ["CGSL", "CReadStat"]),
        .target(name: "Sim", dependencies: ["CGSL", "Estimators", .product(name: "Yams", package: "Yams")]),
        // The portable build's refusal of CPUs older than x86-64-v3 (cpu_guard.h).
        .target(name: "CPUGuard"),
        .target(name: "Lab", dependencies: ["CGSL", "CPUGuard", "Estimators", "Sim", .product(name: "Yams", package: "Yams")],
                plugins: ["BuildInfoPlugin"]),
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        .target(name: "BenchSuite", dependencies: [
            "Estimators", "Sim", "Lab", "CGSL",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "RunCLI", dependencies: ["Estimators", "Lab", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "didlab", dependencies: [
            "Estimators", "Sim", "Lab", "BenchSuite", "RunCLI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "DidLabMPI", dependencies: [
            "CMPI", "Estimators", "Lab", "RunCLI", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "Bench", dependencies: [
            "BenchSuite", "Lab",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "EstimatorsTests", dependencies: ["Estimators", "CGSL"]),
        .testTarget(name: "SimTests", dependencies: ["Sim", "Estimators", "CGSL"]),
        .testTarget(name: "LabTests", dependencies: ["Lab", "Sim", "Estimators"]),
        .testTarget(name: "CLITests", dependencies: ["didlab"]),
    ]
)
