import Foundation

/// Finds a schedule given as a path or as a preset name ("layers" -> presets/layers.json), so the
/// presets work from the source tree, from an installed copy, and from any working directory.
public struct PresetLocator {
    public var environment = ProcessInfo.processInfo.environment

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) { self.environment = environment }

    public func path(for name: String) throws -> String { try locate(name).path }

    /// A file of the user's (`isPreset` false) if `name` is one, else the preset of that name.
    public func locate(_ name: String) throws -> (path: String, isPreset: Bool) {
        let fm = FileManager.default
        if fm.fileExists(atPath: name) { return (name, false) }
        let file = name.hasSuffix(".json") ? (name as NSString).lastPathComponent : name + ".json"
        let dirs = directories()
        for dir in dirs {
            let candidate = (dir as NSString).appendingPathComponent(file)
            if fm.fileExists(atPath: candidate) { return (candidate, true) }
        }
        throw RequestError.presetNotFound(name, searched: dirs)
    }

    /// $DREAMVIDEO_PRESETS, ./presets, then presets/ beside or above the executable (the build tree
    /// keeps it at .build/<triple>/release/dreamvideo) and share/dreamvideo/presets of an install prefix.
    public func directories() -> [String] {
        var dirs: [String] = []
        if let d = environment["DREAMVIDEO_PRESETS"], !d.isEmpty { dirs.append(d) }
        dirs.append(FileManager.default.currentDirectoryPath + "/presets")
        let exe = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        dirs.append(dir.deletingLastPathComponent().appendingPathComponent("share/dreamvideo/presets").path)
        for _ in 0..<4 {
            dir = dir.deletingLastPathComponent()
            dirs.append(dir.appendingPathComponent("presets").path)
        }
        var seen = Set<String>()
        return dirs.filter { seen.insert(($0 as NSString).standardizingPath).inserted }
    }
}
