#!/usr/bin/env bash
# The serve benchmark: wrk posting varied contacts (bench/serve_post.lua) to
# `flexmap serve` on loopback for a bounded time, beside the same load against
# bench-echo, an endpoint on the same libmicrohttpd owner that only answers 201 {}.
# Appends a markdown section to reports/benchmarks.md (or the file given as $1).
#
# Environment: DURATION (seconds per run, default 8), CONNECTIONS (default 64),
# WRK_THREADS (default 1), SERVE_THREADS (default: the number of cores),
# FLEXMAP_BIN / ECHO_BIN (default .build/release/...; built when missing).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
report=${1:-$root/reports/benchmarks.md}
duration=${DURATION:-8}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-1}
cores=$(nproc)
serve_threads=${SERVE_THREADS:-$cores}
flexmap=${FLEXMAP_BIN:-$root/.build/release/flexmap}
echo_bin=${ECHO_BIN:-$root/.build/release/bench-echo}
script=$root/bench/serve_post.lua

for tool in wrk sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "serve_bench: $tool is missing (make deps; apt-get install -y wrk sqlite3)" >&2; exit 1; }
done
if [[ ! -x $flexmap || ! -x $echo_bin ]]; then
  (cd "$root" && swift build -c release --product flexmap && swift build -c release --product bench-echo)
fi

work=$(mktemp -d /tmp/flexmap-serve-bench.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Starts "$@" in the background, its stdout in $work/server.out; sets server_pid and url.
start_server() {
  "$@" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 1 100); do
    if grep -q '^Listening on ' "$work/server.out" 2>/dev/null; then break; fi
    sleep 0.05
  done
  url=$(sed -n 's/^Listening on //p' "$work/server.out" | sed -n 1p)
  [[ -n $url ]] || { echo "serve_bench: the server did not start:" >&2; cat "$work/server.err" >&2; exit 1; }
}

stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid"
  server_pid=""
}

# Runs wrk against $url; prints the JSON line serve_post.lua writes.
run_wrk() {
  wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --timeout 10s -s "$script" "$url/api/contacts/flex" -- "$@" \
    | sed -n 's/^JSON //p'
}

# A fresh store with one organisation, key and mapping.
db=$work/bench.db
"$flexmap" init --db "$db" >/dev/null
org=$("$flexmap" org create "Serve bench" --db "$db" | sed -n 1p)
key=$("$flexmap" key create --org "$org" --db "$db" | sed -n 1p)
map=$("$flexmap" mapping create --org "$org" --file "$root/bench/serve-mapping.json" --db "$db" | sed -n 1p)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "serve_bench: flexmap serve, ${duration}s, $connections connections, wrk $wrk_threads thread(s), serve $serve_threads thread(s)" >&2
start_server "$flexmap" serve --db "$db" --port 0 --threads "$serve_threads"
serve_json=$(run_wrk "$org" "$key" "$map")
stop_server
serve_summary=$(grep '^Stopped:' "$work/server.out" || true)
stored=$(sqlite3 "$db" 'SELECT count(*) FROM contacts')

echo "serve_bench: bench-echo (answers 201 {} only), same load" >&2
start_server "$echo_bin" --port 0 --threads "$serve_threads"
echo_json=$(run_wrk "$org" "$key" "$map")
stop_server

python3 - "$report" "$serve_json" "$echo_json" "$stored" "$serve_summary" "$duration" "$connections" "$wrk_threads" "$serve_threads" "$cores" "$load_before" <<'PY'
import datetime, json, os, re, sys

report, serve_raw, echo_raw, stored, summary, duration, connections, wrk_threads, serve_threads, cores, load = sys.argv[1:]
serve, echo = json.loads(serve_raw), json.loads(echo_raw)
stored = int(stored)
# serve's own count of 201s (wrk stops counting when its time is up; answers to the
# requests still in flight then are not in its numbers but are in serve's).
match = re.search(r"201: ([\d,]+)", summary)
served_201 = int(match.group(1).replace(",", "")) if match else None

def rate(run, key="requests"):
    return run[key] / run["seconds"]

def row(name, run, created):
    lat = run["latencyMs"]
    errors = sum(run["errors"].values()) - run["errors"]["status"]
    return (f"| {name} | {rate(run):,.0f} | {created} | {lat['p50']:.2f} | {lat['p90']:.2f} | {lat['p99']:.2f} | "
            f"{lat['p99.9']:.2f} | {lat['max']:.2f} | {errors} |")

statuses = ", ".join(f"{code}: {count:,}" for code, count in sorted(serve["statusCounts"].items()))
lines = [
    "",
    f"## serve: POST /api/contacts/flex on loopback ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)",
    "",
    f"`bench/serve_bench.sh`: wrk ({wrk_threads} thread, {connections} connections, {duration} s per run, "
    f"`bench/serve_post.lua`) posting varied contacts with credentials in headers: of every 20, 17 new phones, "
    f"2 repeats (200 duplicate), 1 invalid phone (422). `flexmap serve --threads {serve_threads}` "
    f"(release build, fresh store, WAL, group commit) beside `bench-echo`, the same libmicrohttpd owner answering "
    f"201 `{{}}` to everything. {cores} cores shared by wrk and the server (and whatever else runs on the machine: "
    f"load average {load} when the run started).",
    "",
    "| endpoint | requests/s | created/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | socket errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    row("flexmap serve", serve, f"{stored / serve['seconds']:,.0f}"),
    row("bench-echo (201 only)", echo, "–"),
    "",
    f"- serve answered {statuses} as wrk counted them; the store holds {stored:,} contacts"
    + (f", exactly serve's own count of 201 answers ({served_201:,}), which includes the requests still in flight when wrk stopped counting."
       if served_201 == stored else f"; serve counted {served_201} 201 answers — MISMATCH.")
    ,
    f"- The pipeline (JSON body, credentials, key hash, mapping, libphonenumber, SQLite commit before answering) costs "
    f"{1e6 / rate(serve) - 1e6 / rate(echo):.1f} µs of wall time per request at this load "
    f"({rate(echo) / rate(serve):.1f}x the empty endpoint's cost).",
    f"- Server summary: {summary.strip()}",
    f"- With {wrk_threads} wrk thread(s), the empty endpoint's rate is partly wrk's own limit (it formats every body "
    f"in Lua); more wrk threads show more of it but take cores from the server.",
    "",
]
os.makedirs(os.path.dirname(os.path.abspath(report)), exist_ok=True)
with open(report, "a") as handle:
    handle.write("\n".join(lines))
print("\n".join(lines))
PY
