/// Everything `serve` can be told.
public struct ServeConfiguration: Sendable {
    /// The store: the same file `import` writes.
    public var storePath: String
    public var http: HTTPDaemonOptions
    /// Larger bodies are answered 413 (by Content-Length before reading, or once the
    /// body passes the limit); default 1 MiB.
    public var maxBodyBytes: Int
    /// A request whose body is still arriving this long after its request line is
    /// dropped (its connection closed, no answer). With the connection timeout (idle
    /// time) this bounds what a slow client can hold.
    public var requestTimeoutSeconds: Double
    /// Append every request to this file (CaptureFormat NDJSON), `/healthz` excepted.
    public var capturePath: String?
    /// Hide API keys (and Authorization / Cookie values) in the capture: ServeCaptureRedaction.
    public var captureRedact: Bool
    /// Emit a `ServeEvent.request` per request.
    public var logRequests: Bool
    /// Contacts waiting for the writer; past this, requests are answered 503.
    public var writerQueueCapacity: Int
    /// Most contacts in one transaction.
    public var maxGroup: Int
    /// How often to look for registry changes (keys, mappings).
    public var registryReloadSeconds: Double
    /// How long shutdown waits for requests in flight before closing what is left.
    public var drainTimeoutSeconds: Double

    public init(
        storePath: String, http: HTTPDaemonOptions = HTTPDaemonOptions(), maxBodyBytes: Int = 1 << 20,
        requestTimeoutSeconds: Double = 30, capturePath: String? = nil, captureRedact: Bool = false,
        logRequests: Bool = false, writerQueueCapacity: Int = 16_384, maxGroup: Int = 1_024,
        registryReloadSeconds: Double = 1, drainTimeoutSeconds: Double = 30
    ) {
        self.storePath = storePath
        self.http = http
        self.maxBodyBytes = maxBodyBytes
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.capturePath = capturePath
        self.captureRedact = captureRedact
        self.logRequests = logRequests
        self.writerQueueCapacity = writerQueueCapacity
        self.maxGroup = maxGroup
        self.registryReloadSeconds = registryReloadSeconds
        self.drainTimeoutSeconds = drainTimeoutSeconds
    }
}
