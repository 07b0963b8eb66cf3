/// phone-bench's command line.
struct BenchOptions {
    enum Mode {
        case throughput
        case differential(count: Int)
        case sweep
        case help
    }

    var mode = Mode.throughput
    var count = 200_000
    var seed: UInt64 = 5
    var repeats = 3
    var outputPath: String?

    static let usage = """
        usage: phone-bench [--count N] [--repeat R] [--seed S] [--out FILE]
               phone-bench --diff N [--seed S]
               phone-bench --sweep

          (no --diff)  numbers/s of direct libphonenumber and the fast path, on 1 and 2
                       threads, over N realistic inputs (default 200000); --out writes
                       the result as a markdown section to FILE
          --diff N     compares the fast path with libphonenumber on N adversarial
                       inputs; exits 1 and prints the first mismatches if any differ
          --sweep      the same comparison over every example number of every region
                       in several written forms, each with every region and none
                       (about 5.8 million inputs)
        """

    /// Parses the arguments after the program name; nil with a message on a usage error.
    static func parse(_ arguments: [String]) -> Result<BenchOptions, UsageError> {
        var options = BenchOptions()
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            switch flag {
            case "--help", "-h":
                options.mode = .help
                return .success(options)
            case "--sweep":
                options.mode = .sweep
                continue
            case "--count", "--repeat", "--diff", "--seed", "--out":
                break
            default:
                return .failure(UsageError(message: "unknown option \(flag)\n\n\(usage)"))
            }
            guard let value = rest.popFirst() else { return .failure(UsageError(message: "\(flag) needs a value")) }
            switch flag {
            case "--seed":
                guard let number = UInt64(value) else {
                    return .failure(UsageError(message: "--seed needs a whole number, got '\(value)'"))
                }
                options.seed = number
            case "--out":
                options.outputPath = value
            default:
                guard let number = Int(value), number > 0 else {
                    return .failure(UsageError(message: "\(flag) needs a positive whole number, got '\(value)'"))
                }
                if flag == "--count" { options.count = number }
                if flag == "--repeat" { options.repeats = number }
                if flag == "--diff" { options.mode = .differential(count: number) }
            }
        }
        return .success(options)
    }
}

struct UsageError: Error {
    let message: String
}
