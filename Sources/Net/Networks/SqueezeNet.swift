/// SqueezeNet 1.1 (Iandola et al. 2016, the Caffe release, via ndf), with the Caffe conventions it
/// was trained with: conv1 unpadded, max pools rounding up (ceil mode), ReLU after conv10, class
/// scores by global average of conv10.
public enum SqueezeNet {
    public static let name = "squeezenet1_1"
    public static let description = "SqueezeNet 1.1 (ImageNet classifier, 1.2M parameters): small and fast, for tests and quick previews"
    public static let layers = ["conv1", "pool1", "fire2", "fire3", "pool3", "fire4", "fire5", "pool5",
                                "fire6", "fire7", "fire8", "fire9", "conv10"]
    /// Caffe convention: BGR, minus the ImageNet mean, 0...255 scale.
    public static let input = InputConvention(channelOrder: .bgr, mean: [103.939, 116.779, 123.68], scale: 1)

    public static func model(weights: SafeTensors) throws -> Model {
        var g = Graph()
        func conv(_ name: String, _ x: Int, stride: Int = 1, pad: Int = 0) throws -> Int {
            let w = try weights.tensor(name + ".weight", rank: 4)
            let b = try weights.tensor(name + ".bias", shape: [w.shape[0]])
            return g.add(name, .conv(Conv(weight: w, bias: b, strideH: stride, strideW: stride, padding: Padding(pad), relu: true)), [x])
        }
        /// squeeze 1x1 -> (expand 1x1 | expand 3x3), concatenated in that order
        func fire(_ name: String, _ x: Int) throws -> Int {
            let s = try conv(name + ".squeeze1x1", x)
            let e1 = try conv(name + ".expand1x1", s)
            let e3 = try conv(name + ".expand3x3", s, pad: 1)
            return g.add(name, .concat, [e1, e3])
        }
        func pool(_ name: String, _ x: Int) -> Int {
            g.add(name, .maxPool(Pool(kernel: 3, stride: 2, ceilMode: true)), [x])
        }
        var x = try conv("conv1", 0, stride: 2)
        x = pool("pool1", x)
        x = try fire("fire2", x)
        x = try fire("fire3", x)
        x = pool("pool3", x)
        x = try fire("fire4", x)
        x = try fire("fire5", x)
        x = pool("pool5", x)
        for i in 6...9 { x = try fire("fire\(i)", x) }
        _ = try conv("conv10", x)
        return Model(name: name, description: description, graph: g, input: input, layers: layers, logitsLayer: "conv10")
    }
}
