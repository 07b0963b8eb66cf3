import FlexMapNet
import Foundation

// bench-echo [--host H] [--port P] [--threads N]: the serve benchmark's baseline, an
// endpoint that only answers 201 {}. Prints "Listening on URL", runs until SIGINT/SIGTERM.
var options = HTTPDaemonOptions(port: 0, threads: ProcessInfo.processInfo.activeProcessorCount)
var words = Array(CommandLine.arguments.dropFirst())
while !words.isEmpty {
    let word = words.removeFirst()
    guard let value = words.first else {
        FileHandle.standardError.write(Data("bench-echo: \(word) needs a value\n".utf8))
        exit(2)
    }
    words.removeFirst()
    switch word {
    case "--host": options.host = value
    case "--port": options.port = UInt16(value) ?? 0
    case "--threads": options.threads = Int(value) ?? options.threads
    default:
        FileHandle.standardError.write(Data("usage: bench-echo [--host H] [--port P] [--threads N]\n".utf8))
        exit(2)
    }
}

for number in [SIGINT, SIGTERM] { signal(number, SIG_IGN) }
let stop = DispatchSemaphore(value: 0)
let sources = [SIGINT, SIGTERM].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { stop.signal() }
    source.resume()
    return source
}
do {
    let daemon = try HTTPDaemon(options: options, handler: EchoHandler())
    FileHandle.standardOutput.write(Data("Listening on http://\(options.host):\(daemon.port)\n".utf8))
    stop.wait()
    daemon.stopAccepting()
    daemon.stop()
    withExtendedLifetime(sources) {}
} catch {
    FileHandle.standardError.write(Data("bench-echo: \(error)\n".utf8))
    exit(1)
}
