import FrameLoop
import Foundation
import XCTest
import Imaging
import Schedule

// Every comparison first checks that its two pictures have one size, and a mismatch FAILS the calling
// test (XCTFail at the caller's line) and returns NaN, which no threshold accepts. It does not trap
// (a trap would end the whole test run) and it never compares the overlapping part.

/// The check shared by the comparisons: same byte count, not empty, whole `unit`s (3 for RGB24).
func sameSize(_ a: [UInt8], _ b: [UInt8], unit: Int = 1, _ what: String, file: StaticString, line: UInt) -> Bool {
    guard a.count == b.count, !a.isEmpty, a.count % unit == 0 else {
        XCTFail("\(what): the two images differ in size (\(a.count) and \(b.count) bytes); compare pictures of one size", file: file, line: line)
        return false
    }
    return true
}

/// PSNR in dB between two equally long 8-bit buffers, every byte a sample (RGB PSNR for RGB24).
public func psnr(_ a: [UInt8], _ b: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> Double {
    guard sameSize(a, b, "psnr", file: file, line: line) else { return .nan }
    var se = 0.0
    for i in 0..<a.count { let d = Double(a[i]) - Double(b[i]); se += d * d }
    let mse = se / Double(a.count)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
}

/// Peak signal-to-noise ratio in dB of the luma (BT.709 weights) of two RGB24 frames; infinity when equal.
/// Luma, because the MP4 is yuv420p: its chroma has a quarter of the samples, and a dreamed frame's fine
/// colour detail alone caps a lossless (crf 0) encode near 27 dB in RGB at 128x96 (measured), while its
/// luma comes through at 44 dB.
public func lumaPSNR(_ a: [UInt8], _ b: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> Double {
    guard sameSize(a, b, unit: 3, "lumaPSNR", file: file, line: line) else { return .nan }
    var sum = 0.0
    for i in stride(from: 0, to: a.count, by: 3) {
        let ya = 0.2126 * Double(a[i]) + 0.7152 * Double(a[i + 1]) + 0.0722 * Double(a[i + 2])
        let yb = 0.2126 * Double(b[i]) + 0.7152 * Double(b[i + 1]) + 0.0722 * Double(b[i + 2])
        sum += (ya - yb) * (ya - yb)
    }
    let mse = sum / Double(a.count / 3)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
}

public func meanAbsDiff(_ a: [UInt8], _ b: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> Double {
    guard sameSize(a, b, "meanAbsDiff", file: file, line: line) else { return .nan }
    var sum = 0
    for i in a.indices { sum += abs(Int(a[i]) - Int(b[i])) }
    return Double(sum) / Double(a.count)
}

/// RGB PSNR of two pictures: their widths and heights must match (a 96x64 and a 64x96 picture hold
/// as many bytes, and are still not comparable).
public func psnr(_ a: FloatImage, _ b: FloatImage, file: StaticString = #filePath, line: UInt = #line) -> Double {
    guard a.width == b.width, a.height == b.height else {
        XCTFail("psnr: \(a.width)x\(a.height) and \(b.width)x\(b.height) differ in size; compare pictures of one size", file: file, line: line)
        return .nan
    }
    return psnr(a.rgb8(), b.rgb8(), file: file, line: line)
}
