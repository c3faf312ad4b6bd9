/// Where a node's activations sit on the input image, along one axis: activation j of node n is
/// centred on input pixel `offset[n] + stride[n] * j` (the centre of its receptive field), and sees
/// input pixels up to `radius[n]` away from that centre.
public enum Axis: Sendable { case rows, columns }

extension Graph {
    /// Per node: its stride along `axis` (the product of the strides on the way from the input), the
    /// input coordinate of its activation 0's receptive-field centre, and the field's radius. Branches
    /// that meet in a concat or an add sit on one grid (as in every network here): the first input's
    /// grid is taken, and the widest field.
    public func geometry(along axis: Axis) -> [(stride: Int, offset: Double, radius: Int)] {
        var g: [(stride: Int, offset: Double, radius: Int)] = []
        for node in nodes {
            let x = node.inputs.first.map { g[$0] } ?? (stride: 1, offset: 0, radius: 0)
            func window(kernel: Int, stride: Int, padBefore: Int) -> (stride: Int, offset: Double, radius: Int) {
                (x.stride * stride, x.offset + Double(x.stride) * (Double(kernel - 1) / 2 - Double(padBefore)),
                 x.radius + x.stride * kernel / 2)
            }
            switch node.op {
            case .input, .relu:
                g.append(x)
            case .concat, .add:
                g.append((x.stride, x.offset, node.inputs.map { g[$0].radius }.max() ?? x.radius))
            case .conv(let c):
                g.append(axis == .rows ? window(kernel: c.kernelH, stride: c.strideH, padBefore: c.padding.top)
                                       : window(kernel: c.kernelW, stride: c.strideW, padBefore: c.padding.left))
            case .maxPool(let p), .avgPool(let p):
                g.append(axis == .rows ? window(kernel: p.kernelH, stride: p.strideH, padBefore: p.padding.top)
                                       : window(kernel: p.kernelW, stride: p.strideW, padBefore: p.padding.left))
            }
        }
        return g
    }
}
