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
        XCTAssertThrowsError(try store.load(name: "squeezenet1_1")) { error in
            guard case .corrupt = error as? ModelStoreError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("make models"), "\(error)")
        }
        let header = Data(#"{"other":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#.utf8)
        var file = Data((0..<8).map { UInt8((header.count >> (8 * $0)) & 0xff) })
        file.append(header)
        file.append(Data([0, 0, 128, 63]))
        try file.write(to: url)
        XCTAssertEqual(try SafeTensors(contentsOf: url).tensor("other").data, [1])
        XCTAssertThrowsError(try store.load(name: "squeezenet1_1")) { error in
            XCTAssertEqual(error as? ModelStoreError, .corrupt(path: url.path, reason: "it lacks tensor conv1.weight"))
        }
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
