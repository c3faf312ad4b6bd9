import Imaging
import Net
import Schedule

/// Gradient ascent on `image` for `objective`, octave by octave (Mordvintsev's recipe): dream the
/// smallest copy first, carry what it added ("detail") up to the next size, add it to that size's
/// base, dream again. Each step rolls the picture by a random offset, normalises the gradient by its
/// mean magnitude, steps, rolls back and keeps pixels in 0...255. Deterministic given `rng`.
public func dream(_ image: FloatImage, network: DreamNetwork, objective: Objective,
                  settings: DreamSettings, rng: inout SeededRandom) throws -> FloatImage {
    try dream(image, network: network, objectives: ObjectiveBlend(objective), settings: settings, rng: &rng)
}

/// The same for a blend of objectives (a layer crossfade).
/// `onStep` is told before each step (for a progress line during a long frame).
public func dream(_ image: FloatImage, network: DreamNetwork, objectives: ObjectiveBlend,
                  settings: DreamSettings, rng: inout SeededRandom,
                  onStep: (DreamStep) -> Void = { _ in }) throws -> FloatImage {
    let sizes = settings.octaveSizes(width: image.width, height: image.height)
    var detail: FloatImage? = nil
    var current = image
    for (octave, size) in sizes.enumerated() {
        let base = size.width == image.width && size.height == image.height
            ? image : image.resized(width: size.width, height: size.height)
        current = base
        if let d = detail {
            let up = d.resized(width: size.width, height: size.height)
            current.add(up)
        }
        for step in 0..<settings.steps {
            onStep(DreamStep(octave: octave + 1, octaves: sizes.count, step: step + 1, steps: settings.steps))
            try ascend(&current, network: network, objectives: objectives, settings: settings, rng: &rng)
        }
        detail = current.subtracting(base)
    }
    // Dreamed below the frame's size (a dream scale): the detail goes up to the full picture like
    // one more octave, with no steps there, so the patterns keep the working size's scale.
    if let d = detail, current.width != image.width || current.height != image.height {
        current = image
        current.add(d.resized(width: image.width, height: image.height))
        current.clamp()
    }
    return current
}

/// One jittered, normalised gradient step, in place.
func ascend(_ image: inout FloatImage, network: DreamNetwork, objectives: ObjectiveBlend,
            settings: DreamSettings, rng: inout SeededRandom) throws {
    let j = settings.jitter
    let dx = j > 0 ? rng.int(in: -j...j) : 0
    let dy = j > 0 ? rng.int(in: -j...j) : 0
    let shifted = image.rolled(dx: dx, dy: dy)
    var mixed: FloatImage? = nil
    for part in objectives.parts where part.share > 0 {
        let (_, g) = try network.gradient(of: part.objective, at: shifted.tensor)
        precondition(g.shape == [3, image.height, image.width],
                     "network \(network.name) returned a gradient of shape \(g.shape) for a \(image.width)x\(image.height) image")
        var one = FloatImage(g)
        if settings.lapLevels > 0 { one = one.laplacianNormalised(levels: settings.lapLevels) }
        if objectives.parts.count == 1 { mixed = one; break }
        one.scale(by: part.share / max(1e-20, one.meanAbsolute()))
        if mixed == nil { mixed = one } else { mixed!.add(one) }
    }
    guard let unrolled = mixed else { return }
    // Rolling the gradient back is the same as rolling the stepped image back, and copies less.
    let grad = unrolled.rolled(dx: -dx, dy: -dy)
    var meanAbs: Double = 0
    grad.pixels.withUnsafeBufferPointer { p in
        var s: Float = 0
        for v in p { s += abs(v) }
        meanAbs = Double(s) / Double(p.count)
    }
    let scale = Float(settings.stepSize / (meanAbs + 1e-8))
    image.pixels.withUnsafeMutableBufferPointer { px in
        grad.pixels.withUnsafeBufferPointer { gp in
            for i in px.indices { px[i] = min(255, max(0, px[i] + scale * gp[i])) }
        }
    }
}
