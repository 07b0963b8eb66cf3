-- wrk script for the serve benchmark: POSTs varied contacts to /api/contacts/flex.
-- Usage: wrk ... -s bench/serve_post.lua URL -- ORG_ID API_KEY MAP_ID
-- Credentials go in headers (x-org-id, x-api-key, x-map-id). Of every 20 requests,
-- 17 carry a new phone number, 2 repeat an earlier one (duplicates: 200) and 1 has an
-- invalid phone (422), so created/s is not simply requests/s. done() prints one
-- "JSON {...}" line with status counts and latency percentiles (ms).

local threads = {}
local counter = 0

local first_names = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim"}
local last_names = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Lee"}
local areas = {201, 212, 213, 312, 415, 617, 646, 718}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  org, key, map = args[1], args[2], args[3]
  statuses = {}
  n = 0
  area = areas[(id % #areas) + 1]
  headers = {
    ["Content-Type"] = "application/json",
    ["x-org-id"] = org, ["x-api-key"] = key, ["x-map-id"] = map,
  }
end

local function phone(i)
  return string.format("+1%d%07d", area, 2000000 + (i % 7000000))
end

function request()
  n = n + 1
  local kind = n % 20
  local number
  if kind == 0 then
    number = "12"                    -- invalid: too short
  elseif kind == 7 or kind == 13 then
    number = phone(math.max(1, n - 5)) -- a number sent a moment ago
  else
    number = phone(n)
  end
  local first = first_names[(n % #first_names) + 1]
  local last = last_names[(n * 7 % #last_names) + 1]
  local body = string.format(
    '{"phone":"%s","first_name":"%s","last_name":"%s","email":"%s.%s.%d@example.com","company":"Bench %d","tags":["bench","t%d"],"plan":"p%d"}',
    number, first, last, string.lower(first), string.lower(last), n, n % 97, id, n % 5)
  return wrk.format("POST", wrk.path, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    for status, count in pairs(seen) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', status, count))
  end
  local errors = summary.errors
  io.write(string.format(
    'JSON {"requests":%d,"seconds":%.3f,"statusCounts":{%s},"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"latencyMs":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"p99.9":%.3f,"max":%.3f}}\n',
    summary.requests, summary.duration / 1e6, table.concat(parts, ","),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
