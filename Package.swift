// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets, one executable per input kind (Fuzz/<name>/<name>.swift). Declared
/// only when FLEXMAP_FUZZ is set (`make fuzz`): each defines LLVMFuzzerTestOneInput and no
/// main, so a normal build could not link them.
let fuzzTargets = [
    "FuzzCSV", "FuzzNDJSON", "FuzzHAR", "FuzzGor", "FuzzCapture", "FuzzMapping", "FuzzFieldPath", "FuzzCredentials",
    "FuzzForm", "FuzzServe",
]
let fuzzing = Context.environment["FLEXMAP_FUZZ"].map { !$0.isEmpty && $0 != "0" } ?? false

let package = Package(
    name: "flexmap",
    products: [
        .executable(name: "phone-bench", targets: ["phone-bench"]),
        .executable(name: "flexmap", targets: ["flexmap"]),
        .library(name: "FlexMapCore", targets: ["FlexMapCore"]),
        .library(name: "FlexMapIO", targets: ["FlexMapIO"]),
        .library(name: "FlexMapNet", targets: ["FlexMapNet"]),
    ],
    targets: [
        // C libraries from Debian, seen through module maps.
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibCSV", providers: [.apt(["libcsv-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(
            name: "CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        // C++ shims with extern "C" headers.
        .target(
            name: "CPhoneNumber",
            // protobuf: the shim reads the library's metadata; re2: its fast validity check.
            linkerSettings: [.linkedLibrary("phonenumber"), .linkedLibrary("protobuf"), .linkedLibrary("re2")]),
        .target(
            name: "CSimdJSON",
            linkerSettings: [.linkedLibrary("simdjson")]),
        // C shim: typed wrappers for libcurl's variadic calls, and a timerfd for the replay loop.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]),

        // Pure model and pipeline: no I/O.
        .target(
            name: "FlexMapCore", dependencies: ["CPhoneNumber", "CSimdJSON"],
            linkerSettings: [.linkedLibrary("m")]),
        // Readers, store, batch engine, reports.
        .target(name: "FlexMapIO", dependencies: ["FlexMapCore", "CSQLite", "CLibCSV", "CCrypto"]),
        // HTTP: the serve endpoint on libmicrohttpd; replay on libcurl's multi interface.
        .target(name: "FlexMapNet", dependencies: ["FlexMapCore", "FlexMapIO", "CMicroHTTPD", "CCurl"]),
        // The command line.
        .executableTarget(name: "flexmap", dependencies: ["FlexMapCore", "FlexMapIO", "FlexMapNet"]),
        // The serve benchmark's baseline: the same libmicrohttpd owner answering 201 {} to everything.
        .executableTarget(name: "bench-echo", dependencies: ["FlexMapNet"]),
        // What each fuzz target runs, and its oracles: a library, so the regression tests
        // replay Fixtures/bad/ through the same code.
        .target(name: "FlexMapFuzzing", dependencies: ["FlexMapCore", "FlexMapIO", "FlexMapNet"]),

        // Phone validation: deterministic sample inputs, and the benchmark and
        // differential test over them (phone-bench --diff N).
        .target(name: "PhoneSamples", dependencies: ["FlexMapCore"]),
        .executableTarget(name: "phone-bench", dependencies: ["FlexMapCore", "PhoneSamples"]),
        .testTarget(name: "FlexMapCoreTests", dependencies: ["FlexMapCore", "PhoneSamples"]),
        .testTarget(name: "FlexMapIOTests", dependencies: ["FlexMapIO", "FlexMapCore"]),
        .testTarget(name: "FlexMapNetTests", dependencies: ["FlexMapNet", "FlexMapIO", "FlexMapCore"]),
        .testTarget(
            name: "FlexMapCLITests", dependencies: ["FlexMapIO", "FlexMapCore", "flexmap"],
            exclude: ["Golden"]),
        .testTarget(name: "FlexMapFuzzingTests", dependencies: ["FlexMapFuzzing"]),
    ]
        + (fuzzing
            ? fuzzTargets.map { .executableTarget(name: $0, dependencies: ["FlexMapFuzzing"], path: "Fuzz/\($0)") }
            : []),
    cxxLanguageStandard: .cxx17
)
