-- wrk script for the replay benchmark: the same request `flexmap replay` sends in
-- bench/replay_bench.sh (one JSON body, credentials in headers), sent as it is, and a
-- done() that prints one "JSON {...}" line with the counts and latency percentiles (ms).
-- Usage: wrk ... -s bench/replay_post.lua URL -- BODY_FILE
local body_file

function init(args)
  body_file = args[1]
  local file = assert(io.open(body_file, "r"))
  wrk.body = file:read("*l")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["x-org-id"] = "org_bench"
  wrk.headers["x-api-key"] = "fmk_bench_not_a_real_key"
  wrk.headers["x-map-id"] = "map_bench"
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'JSON {"requests":%d,"seconds":%.3f,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"latencyMs":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"p99.9":%.3f,"max":%.3f}}\n',
    summary.requests, summary.duration / 1e6, errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
