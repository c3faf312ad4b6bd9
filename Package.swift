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
        // SHA-256 of the inputs a render records and of the weights (BoringSSL underneath).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
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
        //
        // Data flows one way: Files <- Imaging <- Schedule; Net (oneDNN) and both <- FrameLoop;
        // Imaging <- Media (FFmpeg, libpng, libjpeg-turbo); all of them <- Render <- the command. Imaging, Schedule
        // and Media do not link oneDNN (nor do their fuzz targets).
        .target(name: "Files"),
        .target(name: "Imaging"),
        .target(name: "Schedule", dependencies: ["Files", "Imaging"]),
        .target(name: "Net", dependencies: ["CDNNL", "Files", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "FrameLoop", dependencies: ["Net", "Imaging", "Schedule"]),
        .target(name: "Media", dependencies: ["Files", "Imaging", "CFFmpeg", "CPNG", "CTurboJPEG"]),
        // What a render needs set up from its options (a plain RenderRequest, no ArgumentParser): the
        // plans, the settings record and resume contract, output path policy, preset lookup.
        .target(name: "Render", dependencies: ["Files", "Net", "Imaging", "Schedule", "FrameLoop", "Media"]),
        .executableTarget(name: "dreamvideo", dependencies: [
            "Files", "Net", "Imaging", "Schedule", "FrameLoop", "Media", "Render",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Helpers the test targets share (process runner, ffmpeg/ffprobe, test photos, PSNR): test targets
        // cannot import each other, so they live in this plain target that only test targets depend on.
        .target(name: "TestSupport", dependencies: ["Net", "Imaging", "FrameLoop"], path: "Tests/TestSupport"),
        .testTarget(name: "NetTests", dependencies: ["Files", "Net", "Imaging", "Media", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FrameLoopTests", dependencies: ["Files", "Imaging", "Schedule", "FrameLoop", "Net", "TestSupport"]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "Imaging", "FrameLoop", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RenderTests", dependencies: ["Render", "Files", "Net", "Imaging", "Schedule", "FrameLoop", "Media", "TestSupport"]),
        .testTarget(name: "CommandTests", dependencies: ["dreamvideo", "Files", "Net", "Imaging", "Schedule", "FrameLoop", "Media", "TestSupport"]),
    ]
)
