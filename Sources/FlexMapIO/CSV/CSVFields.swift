/// The fields of one CSV record, unquoted, stored back to back in one byte array with
/// one end offset per field: no Swift object per field. Strings are made on demand,
/// only for the columns a mapping reads.
public struct CSVFields: Sendable, Equatable {
    @usableFromInline let storage: [UInt8]
    /// `ends[i]` is where field `i` ends in `storage`; it starts where field `i - 1` ends.
    @usableFromInline let ends: [UInt32]

    init(storage: [UInt8], ends: [UInt32]) {
        self.storage = storage
        self.ends = ends
    }

    /// Fields from Swift strings, for tests and callers that build records themselves.
    public init(_ values: [String]) {
        var storage: [UInt8] = []
        var ends: [UInt32] = []
        for value in values {
            storage.append(contentsOf: value.utf8)
            ends.append(UInt32(storage.count))
        }
        self.init(storage: storage, ends: ends)
    }

    public var count: Int { ends.count }

    @inlinable
    func range(at index: Int) -> Range<Int> {
        precondition(index >= 0 && index < ends.count, "field index \(index) out of range 0..<\(ends.count)")
        return (index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])
    }

    /// The field's bytes, exactly as unquoted from the input.
    public func bytes(at index: Int) -> ArraySlice<UInt8> { storage[range(at: index)] }

    /// Calls `body` with the field's bytes, without copying them.
    public func withBytes<R>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let range = range(at: index)
        return try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// The field as text; nil when its bytes are not valid UTF-8 (the caller rejects the
    /// row as `invalid-utf8`, naming the column).
    public func string(at index: Int) -> String? {
        withBytes(at: index) { bytes in
            // Validated here: the stdlib's String(validating:as:) is generic and, not
            // specialized, costs a runtime metadata lookup per call.
            Self.isValidUTF8(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
        }
    }

    /// True when the field is empty or holds only spaces, tabs and line breaks.
    public func isBlank(at index: Int) -> Bool {
        withBytes(at: index) { $0.allSatisfy(Self.isBlankByte) }
    }

    /// True when every field is blank: such a row is a record the pipeline skips as
    /// `empty-row`.
    public var allBlank: Bool { storage.allSatisfy(Self.isBlankByte) }

    /// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        while index < count {
            // ASCII, eight bytes at a time.
            while index + 8 <= count,
                UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                index += 8
            }
            guard index < count else { break }
            let lead = base[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard index + length <= count else { return false }
            let second = base[index + 1]
            guard second >= low, second <= high else { return false }
            var next = index + 2
            while next < index + length {
                guard base[next] & 0xC0 == 0x80 else { return false }
                next += 1
            }
            index += length
        }
        return true
    }

    @inlinable
    static func isBlankByte(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
