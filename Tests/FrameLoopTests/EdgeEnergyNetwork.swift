import Net
import FrameLoop
import Imaging
import Schedule

/// A tiny differentiable "network" with an exact gradient: its one layer, "edges", is the horizontal
/// and vertical differences of the picture (no wrap-around, so where the jitter roll puts the seam
/// matters). Lets the octave/jitter/step mechanics be checked exactly and fast; the tests against a
/// real trained network are in RealNetworkDreamTests.
final class EdgeEnergyNetwork: DreamNetwork {
    let name = "edge_energy"
    let layers = ["edges"]
    private(set) var calls: [(width: Int, height: Int)] = []

    struct UnknownLayer: Error {}

    func gradient(of objective: Objective, at image: Tensor) throws -> (value: Float, gradient: Tensor) {
        let h = image.shape[1], w = image.shape[2], plane = w * h
        calls.append((w, h))
        var g = Tensor(zeros: image.shape)
        var value: Float = 0
        for term in objective.terms {
            guard term.layer == "edges" else { throw UnknownLayer() }
            let n = Float(3 * plane * 2)
            var sum: Float = 0
            for c in 0..<3 {
                for y in 0..<h {
                    for x in 0..<w {
                        let i = c * plane + y * w + x
                        if x + 1 < w {
                            let d = image.data[i + 1] - image.data[i]
                            sum += d * d
                            g.data[i + 1] += term.weight * 2 * d / n; g.data[i] -= term.weight * 2 * d / n
                        }
                        if y + 1 < h {
                            let d = image.data[i + w] - image.data[i]
                            sum += d * d
                            g.data[i + w] += term.weight * 2 * d / n; g.data[i] -= term.weight * 2 * d / n
                        }
                    }
                }
            }
            value += term.weight * sum / n
        }
        return (value, g)
    }
}

/// Keeps every frame it is given.
final class CollectingSink: FrameSink {
    var frames: [FloatImage] = []
    func write(_ frame: FloatImage) throws { frames.append(frame) }
    func finish() throws {}
}
