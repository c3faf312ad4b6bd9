import XCTest
import Net

final class ModelStoreTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dreamvideo-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
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
