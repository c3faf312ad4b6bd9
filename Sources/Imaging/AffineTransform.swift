import Foundation

/// A 2-D affine map  x' = a x + b y + tx,  y' = c x + d y + ty,  in continuous pixel coordinates
/// (pixel (i, j) covers [i, i+1) x [j, j+1), its centre at (i + 0.5, j + 0.5); y points down).
/// Double precision: an identity built from several parts must stay an identity to ~1e-12.
public struct AffineTransform: Sendable, Equatable {
    public var a, b, c, d, tx, ty: Double

    public init(a: Double, b: Double, c: Double, d: Double, tx: Double, ty: Double) {
        self.a = a; self.b = b; self.c = c; self.d = d; self.tx = tx; self.ty = ty
    }

    public static let identity = AffineTransform(a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0)

    public static func translation(x: Double, y: Double) -> AffineTransform {
        AffineTransform(a: 1, b: 0, c: 0, d: 1, tx: x, ty: y)
    }

    public static func scale(_ s: Double) -> AffineTransform {
        AffineTransform(a: s, b: 0, c: 0, d: s, tx: 0, ty: 0)
    }

    /// Counter-clockwise as seen on screen (y points down, hence the signs).
    public static func rotation(degrees: Double) -> AffineTransform {
        let r = degrees * Double.pi / 180
        let cs = cos(r), sn = sin(r)
        return AffineTransform(a: cs, b: sn, c: -sn, d: cs, tx: 0, ty: 0)
    }

    public func apply(x: Double, y: Double) -> (x: Double, y: Double) {
        (a * x + b * y + tx, c * x + d * y + ty)
    }

    /// First `other`, then `self`.
    public func after(_ other: AffineTransform) -> AffineTransform {
        AffineTransform(a: a * other.a + b * other.c, b: a * other.b + b * other.d,
                        c: c * other.a + d * other.c, d: c * other.b + d * other.d,
                        tx: a * other.tx + b * other.ty + tx, ty: c * other.tx + d * other.ty + ty)
    }

    public var determinant: Double { a * d - b * c }

    public var inverse: AffineTransform {
        let det = determinant
        precondition(det != 0, "a degenerate transform has no inverse")
        let ia = d / det, ib = -b / det, ic = -c / det, id = a / det
        return AffineTransform(a: ia, b: ib, c: ic, d: id, tx: -(ia * tx + ib * ty), ty: -(ic * tx + id * ty))
    }
}
