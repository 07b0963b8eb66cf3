import FlexMapFuzzing

/// libFuzzer target: see Harness.Target.csv (make fuzz).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    Harness.fuzz(.csv, data, size)
}
