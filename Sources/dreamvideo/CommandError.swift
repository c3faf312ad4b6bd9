/// Mistakes on the command line, each with what to do instead.
enum CommandError: Error, CustomStringConvertible {
    case badSize(String)
    case sizeOutOfRange(width: Int, height: Int)
    case badThreads(Int)
    case badBackend(String)
    case badPrecision(String)
    case badIterations(Int)
    case badAlgorithm(String)
    case presetNotFound(String, searched: [String])
    case outputExists(String)
    case outputIsDirectory(String)
    case outputDirectoryMissing(String)
    case nothingToWrite

    var description: String {
        switch self {
        case .badSize(let s):
            return "--size '\(s)' is not WIDTHxHEIGHT; write it like --size 640x360"
        case .sizeOutOfRange(let w, let h):
            return "--size \(w)x\(h) is out of range; each side must be \(OutputSize.sides.lowerBound)...\(OutputSize.sides.upperBound) pixels"
        case .badThreads(let n):
            return "--threads \(n) is out of range; use 1 or more (default: every core)"
        case .badBackend(let s):
            return "unknown --backend '\(s)'; choose onednn (fast) or reference (slow, for checking)"
        case .badPrecision(let s):
            return "unknown --precision '\(s)'; choose f32 or bf16 (bfloat16, about twice as fast on CPUs with AVX512_BF16)"
        case .badAlgorithm(let s):
            return "unknown --algorithm '\(s)'; choose fastest, direct or winograd"
        case .badIterations(let n):
            return "--iterations \(n) is out of range; use 1 or more (10 is typical)"
        case .presetNotFound(let name, let searched):
            return "no schedule file '\(name)' and no preset of that name in \(searched.joined(separator: ", ")); give a path to a JSON schedule or a preset name such as layers"
        case .outputExists(let path):
            return "\(path) already exists; pass --overwrite to replace it, or choose another -o"
        case .outputIsDirectory(let path):
            return "-o \(path) is a directory; give a file name such as \(path)/out.mp4"
        case .outputDirectoryMissing(let dir):
            return "the output folder \(dir) does not exist; create it first or choose another -o"
        case .nothingToWrite:
            return "nothing to write; give -o OUT.mp4 and/or --frames-dir DIR"
        }
    }
}
