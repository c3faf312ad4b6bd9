import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Schedule

extension RenderRequest {
    /// The music decoded (nil without --music); every mistake is one line before any work.
    public func readMusic(isVideoInput: Bool) throws -> DecodedAudio? {
        guard let music else {
            if musicPlot != nil { throw MusicError.plotNeedsMusic }
            return nil
        }
        if isVideoInput { throw MusicError.videoInput }
        do {
            return try AudioReader.read(path: music)
        } catch let error as AudioReadError {
            // Media speaks of the file; the message names the option it came from.
            throw MusicError.unreadable(error)
        }
    }

    /// The plot's output, checked like any PNG the command writes (not an input, not replaced
    /// without --overwrite; --resume draws it again).
    func musicPlotOutput(overwrite: Bool, reads: [ReadFile]) throws -> StillOutput? {
        try musicPlot.map { try StillOutput(path: $0, overwrite: overwrite, reads: reads) }
    }
}

public enum MusicError: Error, CustomStringConvertible {
    case plotNeedsMusic
    case videoInput
    case unreadable(AudioReadError)

    public var description: String {
        switch self {
        case .plotNeedsMusic: return "--music-plot draws what --music did; add --music song.mp3 or leave out --music-plot"
        case .videoInput: return "--music applies to a still image input; a video input keeps its own sound with --audio"
        case .unreadable(let error): return "--music \(error)"
        }
    }
}

/// The music of a render: its samples, the curves over the frames, and what it set.
public struct MusicPlan {
    var path: String
    var audio: DecodedAudio
    var fps: Int

    /// Frames the music lasts at `fps` (at least 1): the video ends within half a frame of the sound.
    var frames: Int { max(1, Int((audio.duration * Double(fps)).rounded())) }

    /// The schedule made as long as the music (or --frames), its layer changes moved onto beats and,
    /// when it binds nothing, bound by default; with the music's curves over its frames (analysed once:
    /// the render's frame count is the schedule's).
    func schedule(_ s: Schedule, frames given: Int?) -> (schedule: Schedule, curves: MusicCurves) {
        let fitted = s.fitted(toFrames: given ?? frames)
        let curves = MusicCurves(samples: audio.mono, sampleRate: audio.sampleRate, fps: Double(fps), frames: fitted.totalFrames)
        return (fitted.snappedToBeats(curves).withDefaultMusicBindings(), curves)
    }

    var record: RenderSettings.Music {
        RenderSettings.Music(sha256: RenderSettings.sha256(ofFile: path), sampleRate: audio.sampleRate,
                             seconds: (audio.duration * 1000).rounded() / 1000)
    }

    /// The line said when the render starts.
    func summary(curves: MusicCurves, frames: Int) -> String {
        String(format: "music: %@, %.1f s at %d Hz, %d onsets; %d frames at %d fps", path, audio.duration, audio.sampleRate,
               curves.onsets.count, frames, fps)
    }
}

extension RenderSettings {
    /// --music, by content.
    public struct Music: Codable, Equatable {
        public var sha256: String
        public var sampleRate: Int
        public var seconds: Double
    }
}
