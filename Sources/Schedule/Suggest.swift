/// The candidate closest to a mistyped name, if any is close enough to be a plausible typo.
func closest(to name: String, in candidates: [String]) -> String? {
    let key = normalised(name)
    var best: (String, Int)? = nil
    for c in candidates {
        let d = editDistance(key, normalised(c))
        if best == nil || d < best!.1 { best = (c, d) }
    }
    guard let (c, d) = best else { return nil }
    // A third of the name may be wrong (mixed3 -> mixed_3, setps -> steps), no more.
    return d <= max(2, key.count / 3) ? c : nil
}

/// Case, dashes and underscores are the commonest slips and say nothing about intent.
private func normalised(_ s: String) -> [Character] {
    Array(s.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
}

/// Levenshtein distance with adjacent transpositions counted as one edit.
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
