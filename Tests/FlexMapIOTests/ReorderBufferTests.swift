import Foundation
import Testing

@testable import FlexMapIO

@Suite struct ReorderBufferTests {
    @Test func releasesInInputOrder() {
        var buffer = ReorderBuffer<String>()
        buffer.deliver(2, "c")
        buffer.deliver(1, "b")
        guard case .waiting = buffer.takeNext() else {
            Issue.record("batch 0 is not there yet")
            return
        }
        buffer.deliver(0, "a")
        var taken: [String] = []
        while case .ready(let element) = buffer.takeNext() { taken.append(element) }
        #expect(taken == ["a", "b", "c"])
        #expect(buffer.bufferedCount == 0)
    }

    @Test func endsAfterTheLastBatch() {
        var buffer = ReorderBuffer<Int>()
        buffer.deliver(0, 10)
        buffer.finish(after: 2)
        guard case .ready(10) = buffer.takeNext() else {
            Issue.record("expected batch 0")
            return
        }
        guard case .waiting = buffer.takeNext() else {
            Issue.record("batch 1 is still expected")
            return
        }
        buffer.deliver(1, 11)
        guard case .ready(11) = buffer.takeNext(), case .done = buffer.takeNext() else {
            Issue.record("expected batch 1 then the end")
            return
        }
    }

    @Test func emptyInputIsDoneAtOnce() {
        var buffer = ReorderBuffer<Int>()
        buffer.finish(after: 0)
        guard case .done = buffer.takeNext() else {
            Issue.record("expected done")
            return
        }
    }

    @Test func shuffledDeliveriesAlwaysComeOutSorted() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var buffer = ReorderBuffer<Int>()
            var order = Array(0..<40)
            order.shuffle(using: &generator)
            var out: [Int] = []
            for sequence in order {
                buffer.deliver(sequence, sequence)
                while case .ready(let value) = buffer.takeNext() { out.append(value) }
            }
            #expect(out == Array(0..<40))
        }
    }
}

@Suite struct CommitScheduleTests {
    @Test func commitsByRowsOrTime() {
        let start = Date(timeIntervalSince1970: 0)
        var schedule = CommitSchedule(rows: 100, seconds: 1, now: start)
        var due = schedule.isDue(afterAdding: 40, at: start.addingTimeInterval(0.1))
        #expect(!due)
        due = schedule.isDue(afterAdding: 40, at: start.addingTimeInterval(0.2))
        #expect(!due)
        due = schedule.isDue(afterAdding: 40, at: start.addingTimeInterval(0.3))
        #expect(due)
        schedule.committed(at: start.addingTimeInterval(0.3))
        #expect(schedule.pendingRows == 0)
        due = schedule.isDue(afterAdding: 1, at: start.addingTimeInterval(1.2))
        #expect(!due)
        due = schedule.isDue(afterAdding: 1, at: start.addingTimeInterval(1.31))
        #expect(due)
    }
}
