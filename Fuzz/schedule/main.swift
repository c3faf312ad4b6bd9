import Schedule

/// libFuzzer entry: any bytes given to the schedule parser must give a schedule or a ScheduleError,
/// never a crash (trap, overflow, out-of-bounds, runaway recursion).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSchedule(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        let schedule = try Schedule(json: text, source: "fuzz.json")
        // What the command does next with a parsed schedule: validate against layer names (resolving
        // then only wraps the checked layers in objectives, in FrameLoop; this target links no network).
        _ = try? schedule.validate(layers: ["conv1", "fire2", "fire3", "mixed_3", "mixed_4"], network: "fuzz")
        _ = schedule.totalFrames
    } catch {
        _ = error.description   // every message must be formable
    }
    return 0
}
