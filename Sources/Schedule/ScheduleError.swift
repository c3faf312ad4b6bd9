/// Why a schedule (a file, or the command line's overrides) was refused. `file` is the file's path as
/// given, or "command line"; `place` is a path into the JSON such as `segments[2].layer`, or a flag.
/// Each message is one line: where, what is wrong, and what would be accepted.
public enum ScheduleError: Error, CustomStringConvertible, Equatable, Sendable {
    case unreadable(file: String, reason: String)
    case invalidJSON(file: String, line: Int, column: Int, reason: String)
    case wrongType(file: String, place: String, expected: String, found: String)
    case unknownKey(file: String, place: String, key: String, suggestion: String?, validKeys: [String])
    case missingKey(file: String, place: String, key: String, hint: String)
    case conflictingKeys(file: String, place: String, keys: [String])
    case empty(file: String, place: String, hint: String)
    case outOfRange(file: String, place: String, value: String, range: String)
    case nonPositiveFrames(file: String, place: String, value: String)
    case unknownLayer(file: String, place: String, layer: String, network: String, suggestion: String?, layers: [String])
    case unknownModel(file: String, place: String, model: String, suggestion: String?, models: [String])

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the schedule: \(reason)"
        case let .invalidJSON(file, line, column, reason):
            return "\(file):\(line):\(column): not valid JSON: \(reason); fix the file there"
        case let .wrongType(file, place, expected, found):
            return "\(file): \(place): expected \(expected), found \(found)"
        case let .unknownKey(file, place, key, suggestion, validKeys):
            return "\(file): \(place): unknown key \"\(key)\"\(didYouMean(suggestion)); valid keys here: \(validKeys.joined(separator: ", "))"
        case let .missingKey(file, place, key, hint):
            return "\(file): \(place): missing \"\(key)\"; \(hint)"
        case let .conflictingKeys(file, place, keys):
            return "\(file): \(place): has both \(keys.map { "\"\($0)\"" }.joined(separator: " and ")); keep only one"
        case let .empty(file, place, hint):
            return "\(file): \(place): is empty; \(hint)"
        case let .outOfRange(file, place, value, range):
            return "\(file): \(place): \(value) is out of range; use a value in \(range)"
        case let .nonPositiveFrames(file, place, value):
            return "\(file): \(place): \(value) frames; the frame count must be a whole number of at least 1"
        case let .unknownLayer(file, place, layer, network, suggestion, layers):
            return "\(file): \(place): \"\(layer)\" is not a layer of \(network)\(didYouMean(suggestion)); its layers: \(layers.joined(separator: ", "))"
        case let .unknownModel(file, place, model, suggestion, models):
            return "\(file): \(place): unknown model \"\(model)\"\(didYouMean(suggestion)); models: \(models.joined(separator: ", "))"
        }
    }

    private func didYouMean(_ s: String?) -> String {
        s.map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}
