#!/usr/bin/env bash
# The replay benchmark. Against bench-echo (the libmicrohttpd owner serve uses, answering
# 201 {} to everything) on loopback, with the same JSON body and headers:
#   1. closed model: `flexmap replay --concurrency C --loop` beside `wrk -c C` (one thread
#      each), alternating, ROUNDS rounds; the ratio of requests/s, and beside them a
#      minimal C libcurl multi loop (bench/curl_multi_floor.c): the floor replay's
#      client is built on;
#   2. open model: `flexmap replay --rate R --duration D` at several rates, the achieved
#      send rate against the asked one, and whether the sender fell behind.
# Appends a markdown section to reports/benchmarks.md (or the file given as $1).
#
# Environment: DURATION (seconds per run, default 5), CONNECTIONS (default 64), ROUNDS
# (default 2), RATES (default "5000 20000 40000"), ECHO_THREADS (default: the number of
# cores), FLEXMAP_BIN / ECHO_BIN (default .build/release/...; built when missing), CC.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
report=${1:-$root/reports/benchmarks.md}
duration=${DURATION:-5}
connections=${CONNECTIONS:-64}
rounds=${ROUNDS:-2}
rates=${RATES:-"5000 20000 40000"}
cores=$(nproc)
echo_threads=${ECHO_THREADS:-$cores}
flexmap=${FLEXMAP_BIN:-$root/.build/release/flexmap}
echo_bin=${ECHO_BIN:-$root/.build/release/bench-echo}
cc=${CC:-cc}

for tool in wrk python3 "$cc"; do
  command -v "$tool" >/dev/null || { echo "replay_bench: $tool is missing (apt-get install -y wrk python3 gcc)" >&2; exit 1; }
done
if [[ ! -x $flexmap || ! -x $echo_bin ]]; then
  (cd "$root" && swift build -c release --product flexmap && swift build -c release --product bench-echo)
fi

work=$(mktemp -d /tmp/flexmap-replay-bench.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$cc" -O2 -o "$work/curl_multi_floor" "$root/bench/curl_multi_floor.c" -lcurl

# One record, the body every tool sends (replay loops over it).
body='{"phone":"+12015550123","first_name":"Ada","last_name":"Lovelace","email":"ada.lovelace@example.com","company":"Analytical Engines","tags":["bench"],"plan":"p1"}'
printf '%s\n' "$body" > "$work/body.ndjson"
export FLEXMAP_ORG=org_bench FLEXMAP_KEY=fmk_bench_not_a_real_key FLEXMAP_MAP=map_bench

"$echo_bin" --port 0 --threads "$echo_threads" >"$work/echo.out" 2>"$work/echo.err" &
server_pid=$!
for _ in $(seq 1 100); do grep -q '^Listening on ' "$work/echo.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^Listening on //p' "$work/echo.out" | sed -n 1p)
[[ -n $url ]] || { echo "replay_bench: bench-echo did not start" >&2; cat "$work/echo.err" >&2; exit 1; }

run_wrk() {
  wrk -t1 -c"$connections" -d"${duration}s" --timeout 10s -s "$root/bench/replay_post.lua" "$url/api/contacts/flex" \
    -- "$work/body.ndjson" | sed -n 's/^JSON //p'
}
run_replay() { # extra flags...
  "$flexmap" replay --input "$work/body.ndjson" --format ndjson --target "$url" --loop --duration "$duration" \
    --report "$work/replay-report" --json --quiet "$@"
}
run_floor() {
  "$work/curl_multi_floor" "$url/api/contacts/flex" "$connections" "$duration" "$work/body.ndjson" | sed -n 's/^JSON //p'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$work/closed.jsonl"
for round in $(seq 1 "$rounds"); do
  echo "replay_bench: round $round/$rounds: wrk, flexmap replay, libcurl floor (${duration}s each, $connections connections)" >&2
  printf '{"tool":"wrk","round":%d,"run":%s}\n' "$round" "$(run_wrk)" >> "$work/closed.jsonl"
  printf '{"tool":"replay","round":%d,"run":%s}\n' "$round" "$(run_replay --concurrency "$connections")" >> "$work/closed.jsonl"
  printf '{"tool":"floor","round":%d,"run":%s}\n' "$round" "$(run_floor)" >> "$work/closed.jsonl"
done
: > "$work/open.jsonl"
for rate in $rates; do
  echo "replay_bench: open model at $rate/s (${duration}s)" >&2
  printf '{"rate":%s,"run":%s}\n' "$rate" "$(run_replay --rate "$rate" --concurrency 256)" >> "$work/open.jsonl"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$report" "$work/closed.jsonl" "$work/open.jsonl" "$duration" "$connections" "$rounds" "$cores" \
  "$echo_threads" "$load_before" "$load_after" "$(wc -c < "$work/body.ndjson")" <<'PY'
import datetime, json, os, statistics, sys

report, closed_path, open_path, duration, connections, rounds, cores, echo_threads, load_before, load_after, size = sys.argv[1:]
closed = [json.loads(line) for line in open(closed_path)]
opened = [json.loads(line) for line in open(open_path)]

def rate(entry):
    run = entry["run"]
    if entry["tool"] == "replay":
        return run["requestsPerSecond"]
    return run["requests"] / run["seconds"]

by_tool = {tool: [rate(e) for e in closed if e["tool"] == tool] for tool in ("wrk", "replay", "floor")}
best = {tool: max(values) for tool, values in by_tool.items()}
median = {tool: statistics.median(values) for tool, values in by_tool.items()}
replay_runs = [e["run"] for e in closed if e["tool"] == "replay"]
wrk_runs = [e["run"] for e in closed if e["tool"] == "wrk"]

def latency(run):
    lat = run["latencyMs"]
    return f"{lat['p50']:.2f} | {lat['p99']:.2f} | {lat['p99.9']:.2f} | {lat['max']:.2f}"

lines = [
    "",
    f"## replay: closed model beside wrk, open model rates ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)",
    "",
    f"`bench/replay_bench.sh`: against `bench-echo` ({echo_threads} threads, answers 201 `{{}}`) on loopback, one JSON body "
    f"({int(size) - 1} bytes) with credentials in headers, {connections} connections, {duration} s per run, "
    f"{rounds} alternating rounds. wrk runs one thread (`-t1`, `bench/replay_post.lua`, a fixed request); `flexmap replay "
    f"--concurrency {connections} --loop` runs its one event-loop thread and does what a replay does: an Idempotency-Key per "
    f"request, each answer parsed, a line per request in requests.ndjson, exact percentiles. The libcurl floor is "
    f"`bench/curl_multi_floor.c`, the least a libcurl multi loop does per request. {cores} cores shared by client and "
    f"server (load average {load_before} before, {load_after} after).",
    "",
    "| client | requests/s (median) | best | each round | replay / this (median) |",
    "|---|---:|---:|---|---:|",
]
names = {"wrk": "wrk -t1", "replay": "flexmap replay (closed)", "floor": "libcurl multi floor (C)"}
for tool in ("wrk", "replay", "floor"):
    rounds_text = ", ".join(f"{value:,.0f}" for value in by_tool[tool])
    lines.append(
        f"| {names[tool]} | {median[tool]:,.0f} | {best[tool]:,.0f} | {rounds_text} | {median['replay'] / median[tool]:.2f} |")
lines += [
    "",
    f"- **replay / wrk: {median['replay'] / median['wrk']:.0%}** of wrk's requests/s (target: 90%); "
    f"replay / the libcurl floor: {median['replay'] / median['floor']:.0%}.",
    "- First-try latency of the closed runs, ms (p50 | p99 | p99.9 | max): replay "
    + "; ".join(latency(run) for run in replay_runs) + " — wrk " + "; ".join(latency(run) for run in wrk_runs) + ".",
    "- Every replay answer was a 201: "
    + ("yes" if all(set(run["statusCounts"]) == {"201"} and sum(run["errors"].values()) == 0 for run in replay_runs) else "NO")
    + ".",
    "",
    "| open model: asked requests/s | achieved send rate | sent | over 10 ms late (generator / in-flight limit) | largest delay ms | p50 ms | p99 ms | sender behind |",
    "|---:|---:|---:|---:|---:|---:|---:|---|",
]
for entry in opened:
    run = entry["run"]
    schedule = run.get("schedule", {})
    lat = run["latencyMs"]
    lines.append(
        f"| {entry['rate']:,} | {schedule.get('achievedPerSecond', 0):,.0f} | {schedule.get('sent', 0):,} | "
        f"{schedule.get('late', 0):,} ({schedule.get('lateByGenerator', 0):,} / {schedule.get('lateByInFlightLimit', 0):,}) | "
        f"{schedule.get('maxLagMs', 0):.1f} | {lat['p50']:.2f} | {lat['p99']:.2f} | "
        f"{'yes, warned' if schedule.get('generatorBehind') else 'no'} |")
lines += [
    "",
    "- The open model sends request k at k/R seconds and measures its latency from then, so a run that cannot keep up "
    "shows the wait in its latencies and says so (\"sender behind\"), rather than quietly sending fewer requests.",
    "",
]
os.makedirs(os.path.dirname(os.path.abspath(report)), exist_ok=True)
with open(report, "a") as handle:
    handle.write("\n".join(lines))
print("\n".join(lines))
PY
