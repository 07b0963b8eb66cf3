import FlexMapFuzzing

/// libFuzzer target: see Harness.Target.credentials (make fuzz).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    Harness.fuzz(.credentials, data, size)
}
