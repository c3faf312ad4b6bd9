import CDNNL
#if canImport(Glibc)
import Glibc
#endif

// Thin owners of oneDNN C objects: each class destroys its handle in deinit.
// Activations are NCHW with N = 1, so every activation descriptor has dims [1, C, H, W].

func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) throws {
    guard status == dnnl_success else { throw OneDNNError.call(what(), status: Int(status.rawValue)) }
}

/// A memory descriptor (value type; the C struct holds no pointers).
struct MemoryDesc {
    var raw: dnnl_memory_desc_t

    init(raw: dnnl_memory_desc_t) { self.raw = raw }

    init(dims: [Int], tag: dnnl_format_tag_t, type: dnnl_data_type_t = dnnl_f32) throws {
        var md = dnnl_memory_desc_t()
        let d = dims.map(Int64.init)
        try check(dnnl_memory_desc_init_by_tag(&md, Int32(d.count), d, type, tag), "memory_desc_init_by_tag \(dims)")
        raw = md
    }

    /// Lets the primitive choose its preferred (usually blocked) layout.
    static func any(_ dims: [Int], _ type: dnnl_data_type_t = dnnl_f32) throws -> MemoryDesc {
        try MemoryDesc(dims: dims, tag: dnnl_format_tag_any, type: type)
    }
    /// Plain row-major [1, C, H, W].
    static func nchw(_ c: Int, _ h: Int, _ w: Int, _ type: dnnl_data_type_t = dnnl_f32) throws -> MemoryDesc {
        try MemoryDesc(dims: [1, c, h, w], tag: dnnl_nchw, type: type)
    }

    /// A channel slice [offset, offset + channels) of this (N = 1, 4-D) descriptor.
    func channelSlice(offset: Int, channels: Int) throws -> MemoryDesc {
        var parent = raw
        var md = dnnl_memory_desc_t()
        let dims: [Int64] = [1, Int64(channels), raw.dims.2, raw.dims.3]
        let offs: [Int64] = [0, Int64(offset), 0, 0]
        try check(dnnl_memory_desc_init_submemory(&md, &parent, dims, offs), "memory_desc_init_submemory")
        return MemoryDesc(raw: md)
    }

    func equals(_ other: MemoryDesc) -> Bool {
        var a = raw, b = other.raw
        return dnnl_memory_desc_equal(&a, &b) != 0
    }

    var byteSize: Int { var a = raw; return dnnl_memory_desc_get_size(&a) }
    var channels: Int { Int(raw.dims.1) }
    var height: Int { Int(raw.dims.2) }
    var width: Int { Int(raw.dims.3) }
}

/// The CPU engine and its stream.
final class DNNLContext {
    let engine: dnnl_engine_t
    let stream: dnnl_stream_t

    init() throws {
        var e: dnnl_engine_t?
        try check(dnnl_engine_create(&e, dnnl_cpu, 0), "engine_create")
        var s: dnnl_stream_t?
        let status = dnnl_stream_create(&s, e, dnnl_stream_default_flags.rawValue)
        if status != dnnl_success { dnnl_engine_destroy(e) }
        try check(status, "stream_create")
        engine = e!
        stream = s!
    }

    deinit {
        dnnl_stream_destroy(stream)
        dnnl_engine_destroy(engine)
        free(scratch)
    }

    func wait() throws { try check(dnnl_stream_wait(stream), "stream_wait") }

    /// One scratchpad for every primitive of this context: they run one at a time on its stream
    /// (CPU executions are synchronous), so they can share it. Grown to the largest asked for.
    private var scratch: UnsafeMutableRawPointer?
    private var scratchBytes = 0

    func scratchpad(bytes: Int) throws -> UnsafeMutableRawPointer {
        if bytes > scratchBytes || scratch == nil {
            free(scratch)
            scratch = nil; scratchBytes = 0
            var p: UnsafeMutableRawPointer?
            guard posix_memalign(&p, 64, max(bytes, 64)) == 0, let p else { throw OneDNNError.call("scratchpad of \(bytes) bytes", status: Int(dnnl_out_of_memory.rawValue)) }
            scratch = p; scratchBytes = bytes
        }
        return scratch!
    }
}

/// A memory object. Either owns a library-allocated buffer or views another memory's buffer.
final class Memory {
    let raw: dnnl_memory_t
    let desc: MemoryDesc
    /// Keeps the buffer's owner alive for a view.
    private let parent: Memory?

    init(_ desc: MemoryDesc, _ ctx: DNNLContext) throws {
        var md = desc.raw
        var m: dnnl_memory_t?
        try check(dnnl_memory_create(&m, &md, ctx.engine, cdnnl_memory_allocate()), "memory_create")
        raw = m!
        self.desc = desc
        parent = nil
    }

    /// A memory described by `desc` over `parent`'s buffer (e.g. a channel slice).
    init(view desc: MemoryDesc, of parent: Memory, _ ctx: DNNLContext) throws {
        var md = desc.raw
        var m: dnnl_memory_t?
        try check(dnnl_memory_create(&m, &md, ctx.engine, parent.handle), "memory_create (view)")
        raw = m!
        self.desc = desc
        self.parent = parent
    }

    deinit { dnnl_memory_destroy(raw) }

    var handle: UnsafeMutableRawPointer {
        var p: UnsafeMutableRawPointer?
        dnnl_memory_get_data_handle(raw, &p)
        return p!
    }

    /// The buffer as floats; only meaningful for plain layouts.
    var floats: UnsafeMutablePointer<Float> { handle.assumingMemoryBound(to: Float.self) }
}

/// A primitive descriptor: what oneDNN chose for an operation (layouts, implementation).
final class PrimitiveDesc {
    let raw: dnnl_primitive_desc_t
    let impl: String

    init(taking raw: dnnl_primitive_desc_t) {
        self.raw = raw
        var s: UnsafePointer<CChar>?
        if dnnl_primitive_desc_query(raw, dnnl_query_impl_info_str, 0, &s) == dnnl_success, let s {
            impl = String(cString: s)
        } else {
            impl = "unknown"
        }
    }

    deinit { dnnl_primitive_desc_destroy(raw) }

    /// True for oneDNN's naive reference kernels ("ref:any", "ref_convolution" ...).
    var isReference: Bool { impl.hasPrefix("ref") }

    func md(_ what: dnnl_query_t, _ index: Int32 = 0) -> MemoryDesc {
        MemoryDesc(raw: dnnl_primitive_desc_query_md(raw, what, index).pointee)
    }
}

/// An executable primitive. Refuses reference kernels.
final class Primitive {
    let desc: PrimitiveDesc
    let raw: dnnl_primitive_t
    let op: String

    /// The scratchpad this primitive needs at each execution (user scratchpad mode; 0: none).
    let scratchpadBytes: Int
    private var scratchpadMD: dnnl_memory_desc_t?
    private var scratchpad: dnnl_memory_t?

    init(_ desc: PrimitiveDesc, op: String) throws {
        guard !desc.isReference else { throw OneDNNError.referenceKernel(op: op, impl: desc.impl) }
        var p: dnnl_primitive_t?
        try check(dnnl_primitive_create(&p, desc.raw), "primitive_create for \(op)")
        self.desc = desc
        raw = p!
        self.op = op
        if let md = dnnl_primitive_desc_query_md(desc.raw, dnnl_query_scratchpad_md, 0) {
            var m = md.pointee
            scratchpadBytes = dnnl_memory_desc_get_size(&m)
            scratchpadMD = m
        } else {
            scratchpadBytes = 0
        }
    }

    deinit {
        if let scratchpad { dnnl_memory_destroy(scratchpad) }
        dnnl_primitive_destroy(raw)
    }

    /// The scratchpad argument for one execution in `ctx` (nil when none is needed).
    func scratchpadArg(_ ctx: DNNLContext) throws -> dnnl_exec_arg_t? {
        guard scratchpadBytes > 0, var md = scratchpadMD else { return nil }
        let buffer = try ctx.scratchpad(bytes: scratchpadBytes)
        if let scratchpad {
            try check(dnnl_memory_set_data_handle(scratchpad, buffer), "memory_set_data_handle (scratchpad)")
        } else {
            var m: dnnl_memory_t?
            try check(dnnl_memory_create(&m, &md, ctx.engine, buffer), "memory_create (scratchpad)")
            scratchpad = m
        }
        return dnnl_exec_arg_t(arg: Int32(DNNL_ARG_SCRATCHPAD), memory: scratchpad)
    }
}

/// One primitive execution with its arguments. Holds its memories so they outlive it.
struct Step {
    let primitive: Primitive
    let memories: [Memory]
    private let args: [dnnl_exec_arg_t]

    init(_ primitive: Primitive, _ args: [(Int32, Memory)]) {
        self.primitive = primitive
        memories = args.map { $0.1 }
        self.args = args.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.raw) }
    }

    func run(_ ctx: DNNLContext) throws {
        var args = self.args
        if let s = try primitive.scratchpadArg(ctx) { args.append(s) }
        let status = args.withUnsafeBufferPointer {
            dnnl_primitive_execute(primitive.raw, ctx.stream, Int32($0.count), $0.baseAddress)
        }
        try check(status, "execute \(primitive.op)")
    }
}

enum Arg {
    static let src = Int32(DNNL_ARG_SRC)
    static let src1 = Int32(DNNL_ARG_SRC_1)
    static let dst = Int32(DNNL_ARG_DST)
    static let weights = Int32(DNNL_ARG_WEIGHTS)
    static let bias = Int32(DNNL_ARG_BIAS)
    static let workspace = Int32(DNNL_ARG_WORKSPACE)
    static let diffSrc = Int32(DNNL_ARG_DIFF_SRC)
    static let diffDst = Int32(DNNL_ARG_DIFF_DST)
    static func multipleSrc(_ i: Int) -> Int32 { Int32(DNNL_ARG_MULTIPLE_SRC) + Int32(i) }
}
