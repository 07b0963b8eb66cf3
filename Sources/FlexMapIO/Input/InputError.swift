/// A problem with an input as a whole (not one row): it stops the run.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        file + (line.map { ":\($0)" } ?? "") + ": " + message
    }
}
