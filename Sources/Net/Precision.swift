/// The number format an engine computes in. Whatever the precision, the image goes in and its
/// gradient comes out in f32, and the objective is computed in f32.
public enum Precision: String, Sendable, CaseIterable {
    /// 32-bit floats throughout.
    case f32
    /// bfloat16 weights and activations (8-bit mantissa) with f32 accumulation: about twice the
    /// throughput of f32 on CPUs with AVX512_BF16; dreams look the same (tested).
    case bf16
}
