import Testing

@testable import FlexMapNet

@Suite struct ReplayChartsTests {
    @Test func timeAxisLabelsOfAShortRunAreDistinct() {
        // A 20 ms run: ticks every 2.5 or 5 ms, each with its own label.
        let ticks = ReplayCharts.niceTicks(upTo: 0.02, count: 8)
        let labels = ticks.map(ReplayCharts.seconds)
        #expect(Set(labels).count == labels.count, "\(labels)")
        #expect(labels.last == "20 ms")
        #expect(ReplayCharts.seconds(0.0005) == "500 µs")
        #expect(ReplayCharts.seconds(2.5) == "2.5 s")
        #expect(ReplayCharts.seconds(90) == "90 s")
    }
}
