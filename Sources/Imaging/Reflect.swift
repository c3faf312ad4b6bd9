/// Index of the pixel seen at `i` when the row of `n` pixels is mirrored about its edges
/// (edge pixel repeated: ... 1 0 | 0 1 2 ... n-1 | n-1 n-2 ...), repeating forever so that any
/// zoom-out or translation still lands on picture, never on black.
@inline(__always)
func reflectIndex(_ i: Int, _ n: Int) -> Int {
    if i >= 0 && i < n { return i }
    let period = 2 * n
    var m = i % period
    if m < 0 { m += period }
    return m < n ? m : period - 1 - m
}
