import CFFmpeg
import Foundation

/// A file written under a hidden temporary name beside its target and renamed onto the target only
/// when complete, so that an interrupted render never leaves a file that looks finished (rename(2)
/// within one directory is atomic: readers see the old target or the new one, never half).
///
/// The temporary's name is unique and unpredictable (`dir/.name.<12 random letters>.partial`) and it
/// is created with O_CREAT|O_EXCL|O_NOFOLLOW: a file or a symbolic link planted at that name (or at
/// any name the program used before) is never followed, replaced or created through. rename(2)
/// replaces a link at the target itself, never what it points at.
///
/// Space can be held ahead of the data (`reserve`, fallocate without changing the size) so that what
/// a stop must still write (a video's last packets and index, a checkpoint) fits on a disk that filled.
public final class PartialFile: @unchecked Sendable {
    public let target: String
    public let temporary: String
    /// The directory that holds both (for messages).
    public let directory: String
    /// The open descriptor (read/write), -1 once committed or discarded.
    public private(set) var descriptor: Int32
    /// Where `append` writes next, and one past the last byte written.
    public private(set) var size: Int64 = 0
    /// Bytes allocated for the file, data and reservation (0: none asked for).
    public private(set) var reserved: Int64 = 0

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var code: Int32
        public var description: String { String(cString: strerror(code)) }
        public init(_ code: Int32) { self.code = code }
    }

    /// Creates the temporary. Fails with the errno of open(2) (ENOENT: no such folder, EACCES, EROFS ...).
    public init(target: String) throws {
        let url = URL(fileURLWithPath: target)
        self.target = url.path
        directory = url.deletingLastPathComponent().path
        let base = "." + url.lastPathComponent + "."
        var lastError: Int32 = EEXIST
        for _ in 0..<16 {
            let candidate = directory + "/" + base + Self.randomName() + ".partial"
            let fd = open(candidate, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 {
                temporary = candidate
                descriptor = fd
                return
            }
            lastError = errno
            if lastError != EEXIST { break }
        }
        throw Failure(lastError)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// 12 letters from the system's random source: 62 bits, not guessable ahead of time.
    static func randomName() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var g = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in letters[Int(g.next(upperBound: UInt64(letters.count)))] })
    }

    /// Writes `bytes` at the end of what was written (pwrite, whole, retrying after EINTR).
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw Failure(EBADF) }
        var done = 0
        while done < bytes.count {
            let n = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(size))
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(errno)
            }
            done += n
            size += Int64(n)
        }
    }

    public func append(_ data: Data) throws {
        try data.withUnsafeBytes { try append($0) }
    }

    /// Holds disk space for the file up to `bytes` (from its start), without changing its size.
    /// nil when held; the errno otherwise (ENOSPC: the disk is full; EOPNOTSUPP: the file system
    /// cannot reserve, and the caller goes on without).
    public func reserve(upTo bytes: Int64) -> Int32? {
        guard descriptor >= 0 else { return EBADF }
        if bytes <= reserved { return nil }
        let e = cfile_reserve(descriptor, 0, bytes)
        if e != 0 { return e }
        reserved = bytes
        return nil
    }

    /// Gives back the space held past the data (a reservation not needed after all).
    public func releaseReservation() {
        guard descriptor >= 0, reserved > size else { return }
        if cfile_release(descriptor, size, reserved - size) != 0 {
            // A file system that cannot punch holes frees blocks past the end when the size changes.
            _ = ftruncate(descriptor, off_t(size + 1))
            _ = ftruncate(descriptor, off_t(size))
        }
        reserved = 0
    }

    /// Drops everything written after `length` (a partial fragment after a failed write).
    public func truncate(to length: Int64) throws {
        guard descriptor >= 0 else { throw Failure(EBADF) }
        if ftruncate(descriptor, off_t(length)) != 0 { throw Failure(errno) }
        size = min(size, length)
    }

    /// Tells the file how much a writer that used the descriptor directly (FFmpeg's I/O) wrote.
    public func noteWritten(upTo end: Int64) { size = max(size, end) }

    /// Moves the temporary onto the target and closes it.
    public func commit() throws {
        guard descriptor >= 0 else { throw Failure(EBADF) }
        releaseReservation()
        if rename(temporary, target) != 0 { throw Failure(errno) }
        close(descriptor)
        descriptor = -1
    }

    /// Closes and removes the temporary (ours: made by this object with O_EXCL). Idempotent.
    public func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporary)
    }

    /// `data` written whole to `target` through a temporary: the way every small file beside the
    /// output (settings, checkpoint) is written.
    public static func write(_ data: Data, to target: String) throws {
        let file = try PartialFile(target: target)
        do {
            try file.append(data)
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }
}
