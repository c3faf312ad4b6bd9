// swift-tools-version:5.9
import PackageDescription

let package = Package(
    name: "dreamvideo",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dreamvideo", targets: ["dreamvideo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: each module map includes a small shim that wraps the macros Swift cannot import.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg",
                       pkgConfig: "libavformat libavcodec libswscale libavutil"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng16"),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg"),

        // Plain -O everywhere: bounds checks, overflow traps and preconditions stay on in the code that
        // reads checkpoints, weights, schedules and frame sizes. -Ounchecked on Net and FrameLoop
        // measured no faster (DEVELOPERS.md, "Build settings").
        .target(name: "Net", dependencies: ["CDNNL"]),
        .target(name: "FrameLoop", dependencies: ["Net"]),
        .target(name: "Encode", dependencies: ["FrameLoop", "CFFmpeg", "CPNG", "CTurboJPEG"]),
        .executableTarget(name: "dreamvideo", dependencies: [
            "Net", "FrameLoop", "Encode",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Helpers the test targets share (process runner, ffmpeg/ffprobe, test photos, PSNR): test targets
        // cannot import each other, so they live in this plain target that only test targets depend on.
        .target(name: "TestSupport", dependencies: ["Net", "FrameLoop"], path: "Tests/TestSupport"),
        .testTarget(name: "NetTests", dependencies: ["Net", "Encode", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FrameLoopTests", dependencies: ["FrameLoop", "Net", "TestSupport"]),
        .testTarget(name: "EncodeTests", dependencies: ["Encode", "FrameLoop", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CommandTests", dependencies: ["dreamvideo", "Net", "FrameLoop", "Encode", "TestSupport"]),
    ]
)
