// swift-tools-version:6.0
// Fuzz targets for DiDLab's readers: the CSV panel loader, the Stata/SPSS/SAS loader (ReadStat), the
// experiment spec and the scenario spec.
//
// A package of its own (as swift-collections keeps its benchmarks) so that the normal
// `swift build` / `swift test` of DiDLab never builds, links or waits for these targets.
// Build and run them with `scripts/fuzz.sh SECONDS [TARGET...]`, which adds the libFuzzer and
// AddressSanitizer flags; without those flags (`swift build --package-path Fuzz`) each target is a
// plain replay driver: `FuzzCSV FILE_OR_DIR...` runs the harness once on every file given.
import PackageDescription

let package = Package(
    name: "DiDLabFuzz",
    dependencies: [
        .package(name: "DiDLab", path: ".."),
    ],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver; linked only in sanitizer builds.
        .target(name: "CFuzzerShim"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzerShim"]),
        // The specs and Panel invariants that the panel-reading targets share.
        .target(name: "FuzzPanelChecks", dependencies: ["FuzzSupport", .product(name: "Estimators", package: "DiDLab")]),
        .executableTarget(name: "FuzzCSV", dependencies: [
            "FuzzSupport", "FuzzPanelChecks", .product(name: "Estimators", package: "DiDLab"),
        ]),
        .executableTarget(name: "FuzzDataFile", dependencies: [
            "FuzzSupport", "FuzzPanelChecks", .product(name: "Estimators", package: "DiDLab"),
        ]),
        .executableTarget(name: "FuzzExperiment", dependencies: [
            "FuzzSupport", .product(name: "Lab", package: "DiDLab"), .product(name: "Sim", package: "DiDLab"),
        ]),
        .executableTarget(name: "FuzzScenario", dependencies: [
            "FuzzSupport", .product(name: "Sim", package: "DiDLab"),
        ]),
    ]
)
