/// A problem in a mapping file, located by its JSON path (`$.fields[2].target`).
public struct MappingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file it came from, when there is one.
    public var file: String?
    public var path: String
    public var message: String

    public init(file: String? = nil, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String {
        (file.map { $0 + ": " } ?? "") + path + ": " + message
    }
}
