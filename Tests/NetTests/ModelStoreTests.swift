import XCTest
import Net
import TestSupport

final class ModelStoreTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let dir = URL(fileURLWithPath: try makeTempDir(name))
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testDefaultDirectory() {
        XCTAssertEqual(ModelStore.defaultDirectory(environment: ["DREAMVIDEO_MODELS": "/m", "HOME": "/h"]).path, "/m")
        XCTAssertEqual(ModelStore.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]).path, "/x/dreamvideo/models")
        XCTAssertEqual(ModelStore.defaultDirectory(environment: ["HOME": "/h"]).path, "/h/.cache/dreamvideo/models")
    }

    func testUnknownModelNamesTheKnownOnes() throws {
        let store = ModelStore(directory: try temporaryDirectory())
        XCTAssertThrowsError(try store.load(name: "alexnet")) { error in
            XCTAssertEqual(error as? ModelStoreError, .unknownModel("alexnet", known: ["inception_v3", "squeezenet1_1", "vgg19", "mobilenet_v2"]))
            XCTAssertTrue("\(error)".contains("inception_v3, squeezenet1_1, vgg19, mobilenet_v2"))
        }
    }

    func testMissingWeightsSayMakeModels() throws {
        let store = ModelStore(directory: try temporaryDirectory())
        XCTAssertFalse(store.isFetched("squeezenet1_1"))
        XCTAssertThrowsError(try store.load(name: "squeezenet1_1")) { error in
            guard case .notFetched = error as? ModelStoreError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("make models"))
            XCTAssertTrue("\(error)".contains("tools/fetch_models.sh squeezenet1_1"), "\(error)")
        }
    }

    func testCorruptFilesAreReported() throws {
        let dir = try temporaryDirectory()
        let store = ModelStore(directory: dir)
        let url = try store.url(of: "squeezenet1_1")
        // Garbage, then a valid file that lacks the tensors.
        try Data("not a safetensors file".utf8).write(to: url)
        try recordChecksum(of: url)
        XCTAssertThrowsError(try store.load(name: "squeezenet1_1")) { error in
            guard case .corrupt = error as? ModelStoreError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("make models"), "\(error)")
        }
        let file = safetensors(#"{"other":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 128, 63])
        try file.write(to: url)
        try recordChecksum(of: url)
        XCTAssertEqual(try SafeTensors(contentsOf: url).tensor("other").data, [1])
        XCTAssertThrowsError(try store.load(name: "squeezenet1_1")) { error in
            XCTAssertEqual(error as? ModelStoreError, .corrupt(path: url.path, reason: "it lacks tensor conv1.weight"))
        }
    }

    /// A safetensors file: the header's length (8 bytes, little-endian), the header, the data.
    func safetensors(_ header: String, data: [UInt8]) -> Data {
        let h = Data(header.utf8)
        var file = Data((0..<8).map { UInt8((h.count >> (8 * $0)) & 0xff) })
        file.append(h)
        file.append(Data(data))
        return file
    }

    /// What `make models` records beside a file it converted: its SHA-256 in hex and a newline.
    func recordChecksum(of url: URL) throws {
        let bytes = try Data(contentsOf: url)
        try (SHA256.hex([UInt8](bytes)) + "\n").write(toFile: url.path + ".sha256", atomically: false, encoding: .utf8)
    }

    /// The reason a header is refused, or a failure if it parsed.
    func refusal(_ header: String, data: [UInt8] = [UInt8](repeating: 0, count: 16), line: UInt = #line) -> String {
        do {
            _ = try SafeTensors(bytes: safetensors(header, data: data), path: "w.safetensors")
            XCTFail("accepted \(header)", line: line)
            return ""
        } catch let e as SafeTensorsError {
            guard case .corrupt("w.safetensors", let reason) = e else { XCTFail("\(e)", line: line); return "" }
            XCTAssertFalse(e.description.contains("\n"), line: line)
            return reason
        } catch {
            XCTFail("\(error)", line: line)
            return ""
        }
    }

    /// Issue 10 item 12: a negative or overflowing shape passed the old byte-count check (shape [-1] with
    /// offsets [8, 4] "held" -4 bytes; a product that wraps to the data's size matched it) and crashed
    /// later. Every number in the header is checked now, before any tensor is allocated.
    func testWeightsWithNegativeShapeAreRefused() throws {
        XCTAssertEqual(refusal(#"{"b":{"dtype":"F32","shape":[-1],"data_offsets":[8,4]}}"#),
                       "tensor b has a negative dimension in its shape [-1]")
        XCTAssertEqual(refusal(#"{"w":{"dtype":"F32","shape":[-1,-1,1,1],"data_offsets":[0,4]}}"#),
                       "tensor w has a negative dimension in its shape [-1, -1, 1, 1]")
        // (2^62 + 1) x 1728 wraps to 1728 in 64 bits: the old check compared the wrapped count.
        XCTAssertEqual(refusal(#"{"w":{"dtype":"F32","shape":[4611686018427387905,1728,1,1],"data_offsets":[0,6912]}}"#,
                               data: [UInt8](repeating: 0, count: 6912)),
                       "tensor w has shape [4611686018427387905, 1728, 1, 1], whose size overflows")
        XCTAssertEqual(refusal(#"{"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}}"#),
                       "tensor w has shape [4611686018427387904], whose size overflows")
        XCTAssertEqual(refusal(#"{"w":{"dtype":"F32","shape":[1e30],"data_offsets":[0,4]}}"#),
                       "tensor w has no shape, or a shape that is not a list of whole numbers")
        XCTAssertEqual(refusal(#"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#),
                       "tensor w has no shape, or a shape that is not a list of whole numbers")
        XCTAssertEqual(refusal(#"{"w":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}}"#),
                       "tensor w has 9 dimensions, more than 8")
        XCTAssertEqual(refusal(#"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#), "tensor w is F16, expected F32")
        // Offsets: inside the data, the right length, not shared.
        XCTAssertEqual(refusal(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}"#),
                       "tensor w has data offsets [12, 20] outside the 16 bytes of data")
        XCTAssertEqual(refusal(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}"#),
                       "tensor w of shape [2] needs 8 bytes but its data offsets [0, 12] hold 12")
        XCTAssertEqual(refusal(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#),
                       "tensors a and b share bytes (data offsets overlap)")
        XCTAssertEqual(refusal(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#), "tensor w has no data_offsets pair [begin, end]")
        XCTAssertEqual(refusal(#"[1, 2]"#), "its header is not a JSON object")
        XCTAssertEqual(refusal(String(repeating: "[", count: 100_000)), "its header is not a JSON object")
        XCTAssertEqual(refusal(#"{"__metadata__": {"a": 1}}"#), "its __metadata__ is not an object of texts")
        // The header's own length: bounded, and inside the file.
        var long = Data([0, 0, 0, 0, 0, 0, 0, 0x7f]); long.append(Data("{}".utf8))
        XCTAssertThrowsError(try SafeTensors(bytes: long)) { XCTAssertTrue("\($0)".contains("more than the 16000000 a header may have"), "\($0)") }
        var past = Data([100, 0, 0, 0, 0, 0, 0, 0]); past.append(Data("{}".utf8))
        XCTAssertThrowsError(try SafeTensors(bytes: past)) { XCTAssertTrue("\($0)".contains("runs past the end of the file"), "\($0)") }
        // The control: a valid header parses, tensors in the order of their bytes.
        let header = #"{"b":{"dtype":"F32","shape":[1,1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#
        let file = safetensors(header, data: [0, 0, 128, 63, 0, 0, 0, 64])
        let ok = try SafeTensors.Header(parsing: file)
        let start = 8 + header.utf8.count
        XCTAssertEqual(ok.entries.map(\.name), ["a", "b"])
        XCTAssertEqual(ok.entries.map(\.byteRange), [start..<(start + 4), (start + 4)..<(start + 8)])
        XCTAssertEqual(try SafeTensors(bytes: file).tensor("b", shape: [1, 1]).data, [2])
    }

    /// A convolution weight of the wrong rank (read as shape[1...3] by the graph) or with a zero
    /// dimension is refused by name when the network is built, through the command's own error.
    func testWeightsWithWrongRankAreRefused() throws {
        let dir = try temporaryDirectory()
        let store = ModelStore(directory: dir)
        let url = try store.url(of: "squeezenet1_1")
        for (shape, count) in [("[64,27]", 1728), ("[0,3,3,3]", 0)] {
            try safetensors(#"{"conv1.weight":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,\#(4 * count)]},"conv1.bias":{"dtype":"F32","shape":[64],"data_offsets":[\#(4 * count),\#(4 * count + 256)]}}"#,
                            data: [UInt8](repeating: 0, count: 4 * count + 256)).write(to: url)
            try recordChecksum(of: url)
            XCTAssertThrowsError(try store.load(name: "squeezenet1_1")) { error in
                guard case .corrupt(_, let reason) = error as? ModelStoreError else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains("conv1.weight") && reason.contains("expected 4 dimensions of at least 1"), reason)
                XCTAssertTrue("\(error)".contains("make models"))
            }
        }
    }

    /// A missing .sha256 used to mean the weights loaded unchecked. Now they are not used, and the
    /// message says what to do; an unreadable or malformed record is refused the same way.
    func testWeightsWithoutSidecarAreRefused() throws {
        let dir = try temporaryDirectory()
        let store = ModelStore(directory: dir)
        let url = try store.url(of: "squeezenet1_1")
        let real = try ModelStore().url(of: "squeezenet1_1")
        try FileManager.default.copyItem(at: real, to: url)
        XCTAssertThrowsError(try store.load(name: "squeezenet1_1")) { error in
            XCTAssertEqual(error as? ModelStoreError, .checksumMissing(path: url.path, sidecar: url.path + ".sha256"))
            XCTAssertTrue("\(error)".contains("make models"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
        try "not a checksum\n".write(toFile: url.path + ".sha256", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try store.load(name: "squeezenet1_1")) { error in
            XCTAssertEqual(error as? ModelStoreError, .checksumUnreadable(sidecar: url.path + ".sha256", reason: "it does not start with 64 hex digits"))
        }
        try FileManager.default.removeItem(atPath: url.path + ".sha256")
        try FileManager.default.createDirectory(atPath: url.path + ".sha256", withIntermediateDirectories: false)
        XCTAssertThrowsError(try store.load(name: "squeezenet1_1")) { error in
            guard case .checksumUnreadable = error as? ModelStoreError else { return XCTFail("\(error)") }
        }
        // The control: with the checksum recorded (as `make models` does), the same file loads.
        try FileManager.default.removeItem(atPath: url.path + ".sha256")
        try recordChecksum(of: url)
        XCTAssertEqual(try store.load(name: "squeezenet1_1").parameterCount, 1_235_496)
    }

    func testKnownModelsAreDescribed() {
        XCTAssertEqual(ModelStore.known.first?.name, ModelStore.defaultModel)
        for entry in ModelStore.known {
            XCTAssertFalse(entry.description.isEmpty)
            XCTAssertEqual(entry.fileName, entry.name + ".safetensors")
            XCTAssertGreaterThan(entry.downloadMB, 0)
            XCTAssertEqual(entry.fetchCommand, "tools/fetch_models.sh " + entry.name)
        }
    }
}

final class LayerGuideTests: XCTestCase {
    /// Every guide covers exactly its model's dreamable layers, in order, with a note each, and a
    /// walk of its layers from shallow to deep.
    func testGuidesMatchTheirModels() throws {
        let layers: [String: [String]] = [InceptionV3.name: InceptionV3.layers, SqueezeNet.name: SqueezeNet.layers,
                                          VGG19.name: VGG19.layers, MobileNetV2.name: MobileNetV2.layers]
        for entry in ModelStore.known {
            guard let guide = LayerGuide.of(entry.name) else { XCTFail("no layer guide for \(entry.name)"); continue }
            if let expected = layers[entry.name] { XCTAssertEqual(guide.layers.map(\.name), expected) }
            for l in guide.layers {
                XCTAssertFalse(l.paints.isEmpty || l.paints.contains("TODO"), "\(entry.name) \(l.name) has no note")
            }
            let positions = guide.walk.compactMap { w in guide.layers.firstIndex { $0.name == w } }
            XCTAssertEqual(positions.count, guide.walk.count, "walk names a layer \(entry.name) lacks")
            XCTAssertEqual(positions, positions.sorted(), "walk is not shallow to deep")
            XCTAssertTrue((4...8).contains(guide.walk.count))
            XCTAssertTrue(guide.layers.contains { $0.name == guide.single })
        }
    }

    func testSqueezeNetParameterCount() throws {
        // SqueezeNet 1.1 has 1,235,496 weights and biases (Iandola et al.'s release).
        let model = try ModelStore().load(name: SqueezeNet.name)
        XCTAssertEqual(model.parameterCount, 1_235_496)
        XCTAssertEqual(model.layerShapes(height: 80, width: 96).map(\.layer), model.layers)
        // Too small for the deep layers: those have no shape, the shallow ones do.
        let tiny = model.layerShapes(height: 20, width: 20)
        XCTAssertNotNil(tiny.first?.shape)
        XCTAssertNil(tiny.last?.shape)
    }
}
