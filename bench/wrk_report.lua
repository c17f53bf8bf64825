-- wrk script: count responses by status across threads, print one JSON line at the end.
-- Usage: wrk -s bench/wrk_report.lua [-H "If-None-Match: ..."] URL
-- With WRK_PATHS=<file> in the environment (one request path a line), each request asks the
-- next path of the file in turn instead of URL's (URL still gives the scheme, host and port):
-- a rotating set of pages, so that no cache of one page's result answers them all. Without it
-- the request stays static (built once by wrk), as fast to send as wrk can.
local threads = {}
local paths_file = os.getenv("WRK_PATHS")

function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads - 1)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

if paths_file and paths_file ~= "" then
  local paths = {}
  for line in io.lines(paths_file) do
    if line ~= "" then table.insert(paths, line) end
  end
  assert(#paths > 0, "WRK_PATHS names an empty file: " .. paths_file)
  local next_index = nil

  -- Each thread walks the whole list in order; load_run's two threads start half of it apart,
  -- so that they do not ask the same page at the same moment.
  function request()
    if next_index == nil then
      next_index = ((offset or 0) * math.floor(#paths / 2)) % #paths
    end
    local path = paths[next_index + 1]
    next_index = (next_index + 1) % #paths
    return wrk.format(nil, path)
  end
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      totals[code] = (totals[code] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(totals) do
    table.insert(parts, string.format('"%d": %d', code, count))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
