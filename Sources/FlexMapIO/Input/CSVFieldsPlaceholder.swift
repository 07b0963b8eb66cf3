// Placeholder until the libcsv reader lands (branch csv); deleted at merge.
public struct CSVFields: Sendable {
    var storage: [UInt8] = []
    var ends: [Int] = []
    public var count: Int { ends.count }
    public func string(at index: Int) -> String? {
        let start = index == 0 ? 0 : ends[index - 1]
        return String(validating: storage[start..<ends[index]], as: UTF8.self)
    }
    public func isBlank(at index: Int) -> Bool { string(at: index)?.isEmpty ?? false }
    public var allBlank: Bool { (0..<count).allSatisfy(isBlank) }
}
