import Dispatch
import FlexMapIO
import Foundation

/// Turns SIGINT / SIGTERM into a cancellation request; a second signal exits at once.
final class SignalTrap: @unchecked Sendable {
    // @unchecked: the sources are created once in init and only cancelled in deinit.
    private var sources: [DispatchSourceSignal] = []
    let flag = CancellationFlag()

    init(console: Console, message: String) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let flag = self.flag
            source.setEventHandler {
                if flag.isCancelled {
                    console.err("\nflexmap: stopped at once; uncommitted work is lost, committed batches stay")
                    _exit(130)
                }
                flag.cancel()
                console.err("\n" + message)
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
