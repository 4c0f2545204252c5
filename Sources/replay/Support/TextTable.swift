/// Rows of text in aligned columns, for people: each column as wide as its widest cell, two spaces between.
struct TextTable {
    /// How a column's cells line up.
    enum Alignment { case left, right }

    private let titles: [String]
    private let alignments: [Alignment]
    private var rows: [[String]] = []

    /// A table with these column titles; every column is left-aligned unless `alignments` says otherwise.
    init(_ titles: [String], alignments: [Alignment] = []) {
        self.titles = titles
        self.alignments = titles.indices.map { $0 < alignments.count ? alignments[$0] : .left }
    }

    /// Adds a row; missing cells are empty, extra ones dropped.
    mutating func add(_ cells: [String]) {
        rows.append(titles.indices.map { $0 < cells.count ? cells[$0] : "" })
    }

    /// The table's lines, titles first, without trailing spaces.
    func lines() -> [String] {
        var widths = titles.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return ([titles] + rows).map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                if index > 0 { line += "  " }
                line += alignments[index] == .right ? padding + cell : cell + padding
            }
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}
