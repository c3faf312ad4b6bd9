/// The part of a target activation [C, H, W] an objective counts: rows and columns, and how many
/// positions they stand for (a strip of a split frame counts its own rows, not its margins).
struct ActivationRegion {
    var rows: Range<Int>, cols: Range<Int>
    var positions: Int

    static func whole(height: Int, width: Int) -> ActivationRegion {
        ActivationRegion(rows: 0..<height, cols: 0..<width, positions: height * width)
    }
}

/// One term of the objective, forward and backward side by side, for both engines:
///   value = weight * mean(a^2) over the selected channels and the region's positions (N of them)
///   d value / d a = weight * 2a / N, added into the gradient seed `g` (zero outside the selection).
/// `a` and `g` are plain [C, H, W]. Channels are checked before anything is written.
/// Returns the term's value. Squares are summed in Float per channel and in Double across channels.
func addObjectiveTerm(weight: Float, channels selected: [Int]?, activation a: UnsafePointer<Float>, shape: [Int],
                      region r: ActivationRegion, nodeName: @autoclosure () -> String,
                      into g: UnsafeMutablePointer<Float>) throws -> Double {
    precondition(shape.count == 3, "an activation is [C, H, W], not \(shape)")
    let plane = shape[1] * shape[2]
    precondition(r.rows.lowerBound >= 0 && r.rows.upperBound <= shape[1] && r.cols.lowerBound >= 0 && r.cols.upperBound <= shape[2],
                 "region \(r) outside the activation \(shape)")
    let channels = selected ?? Array(0..<shape[0])
    for c in channels where c < 0 || c >= shape[0] {
        throw EngineError.channelOutOfRange(node: nodeName(), channel: c, channels: shape[0])
    }
    let n = Float(channels.count * r.positions)
    let scale = weight * 2 / n
    var sum = 0.0
    for c in channels {
        var s: Float = 0
        for row in r.rows {
            let base = c * plane + row * shape[2]
            for k in base + r.cols.lowerBound ..< base + r.cols.upperBound {
                let v = a[k]
                s += v * v
                g[k] += scale * v
            }
        }
        sum += Double(s)
    }
    return Double(weight) * sum / Double(n)
}
