-- wrk script for the soak (scripts/soak.sh): a mix of what a province's day brings, one request
-- at a time per connection, each connection pausing `pause` ms between requests so that the rate
-- is about half the measured peak. Of every 10 requests: 6 public lookups of random instruments,
-- 2 staff pages, 1 API read, 1 gateway batch of 10 weighings (new sequence numbers every time).
local codes = dofile(os.getenv("SOAK_CODES"))
local token = os.getenv("SOAK_TOKEN")
local device = os.getenv("SOAK_DEVICE")
local pause = tonumber(os.getenv("SOAK_PAUSE_MS") or "0")
local staff = { "/app", "/app/instruments?status=overdue", "/app/regions/350102", "/app/telemetry" }
local threads = 0
local n, seq, id = 0, 0, 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(id * 7919 + os.time())
  seq = id * 1000000000 + os.time() % 100000 * 10000
end

function delay() return pause end

function request()
  n = n + 1
  local k = n % 10
  if k < 6 then
    return wrk.format("GET", "/p/i/" .. codes[math.random(#codes)])
  elseif k < 8 then
    return wrk.format("GET", staff[math.random(#staff)], { ["Authorization"] = "Bearer " .. token })
  elseif k < 9 then
    return wrk.format("GET", "/api/v1/instruments?limit=20", { ["Authorization"] = "Bearer " .. token })
  end
  local lines = {}
  local at = os.date("!%Y-%m-%dT%H:%M:%SZ")
  for i = 1, 10 do
    seq = seq + 1
    lines[i] = string.format('{"device":"%s","seq":%d,"at":"%s","type":"weighing","kg":%.2f}', device, seq, at, math.random() * 30)
  end
  return wrk.format("POST", "/api/v1/telemetry/readings",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/x-ndjson" }, table.concat(lines, "\n"))
end
