import FlexMapCore
import Foundation
import Synchronization

/// A batch on its way from the reader through a worker to the writer.
struct MappedBatch: Sendable {
    var records: [InputRecord]
    var decoded: [DecodedRecord]
    /// The last line the batch's records cover (a record may span lines).
    var lastLine: Int
    /// Blank lines the reader had skipped when it cut this batch.
    var blankLines: Int
}

/// The threads of one import: a reader thread that cuts the input into batches, and
/// Dispatch workers that decode and map them. The writer (the caller) takes batches in
/// input order with `next()` and gives each slot back with `release()`, which bounds
/// memory by the number of batches in flight.
final class PipelineRun: @unchecked Sendable {
    // @unchecked: `reader` is touched only by the reader thread between start() and the
    // moment `readerDone` is signalled; the other state is Sendable (Mutex, Atomic,
    // semaphores and the lock-guarded channel and buffer).
    private let reader: any RecordReader
    private let decoder: RecordDecoder
    private let workers: Int
    private let batchSize: Int
    private let channel: BlockingChannel<(Int, [InputRecord], Int)>
    private let results = OrderedResults<MappedBatch>()
    private let slots: DispatchSemaphore
    private let maxInFlight: Int
    private let stopping = Atomic<Bool>(false)
    private let failure = Mutex<InputError?>(nil)
    private let readerDone = DispatchSemaphore(value: 0)
    private let workersDone = DispatchSemaphore(value: 0)
    private var blankLineCount = 0
    private var started = false
    private var stopped = false

    init(reader: any RecordReader, decoder: RecordDecoder, workers: Int, batchSize: Int) {
        self.reader = reader
        self.decoder = decoder
        self.workers = workers
        self.batchSize = batchSize
        self.maxInFlight = workers * 2 + 1
        self.channel = BlockingChannel(capacity: workers)
        // Start at 0 and signal up: libdispatch traps when a semaphore is freed below
        // its initial value, which a stopped run may leave it at.
        self.slots = DispatchSemaphore(value: 0)
        for _ in 0..<maxInFlight { slots.signal() }
    }

    func start() {
        started = true
        let thread = Thread { [self] in readLoop() }
        thread.name = "flexmap-reader"
        thread.start()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let parser = JSONParser()
                while let (sequence, records, blankLines) = channel.receive() {
                    let mapped = records.map { decoder.decode($0, parser: parser) }
                    let lastLine = records.last.map { $0.line + $0.lineCount - 1 } ?? 0
                    results.deliver(
                        sequence,
                        MappedBatch(records: records, decoded: mapped, lastLine: lastLine, blankLines: blankLines))
                }
            }
            workersDone.signal()
        }
    }

    private func readLoop() {
        var sequence = 0
        defer {
            channel.close()
            results.finish(after: sequence)
            readerDone.signal()
        }
        do {
            while !stopping.load(ordering: .relaxed) {
                slots.wait()
                if stopping.load(ordering: .relaxed) { return }
                var batch: [InputRecord] = []
                batch.reserveCapacity(batchSize)
                while batch.count < batchSize, let record = try reader.next() { batch.append(record) }
                blankLineCount = reader.blankLines
                if batch.isEmpty { return }
                guard channel.send((sequence, batch, blankLineCount)) else { return }
                sequence += 1
                if batch.count < batchSize { return }
            }
        } catch {
            failure.withLock { $0 = error }
        }
    }

    /// The next batch in input order; nil when the input is done or the run stopped.
    func next() -> MappedBatch? {
        results.next()
    }

    /// The writer is done with a batch: the reader may read another.
    func release() {
        slots.signal()
    }

    /// Stops the threads and waits for them (idempotent).
    func stop() {
        guard started, !stopped else { return }
        stopped = true
        stopping.store(true, ordering: .relaxed)
        channel.close()
        results.abandon()
        slots.signal()
        readerDone.wait()
        workersDone.wait()
    }

    /// Blank lines the reader skipped; read after the reader finished.
    var blankLines: Int {
        stop()
        return blankLineCount
    }

    /// The input error that ended reading early, if any.
    var readerError: InputError? {
        failure.withLock { $0 }
    }
}
