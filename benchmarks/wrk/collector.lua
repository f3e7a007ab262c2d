-- wrk script for benchmarks/collector.py: a fixed number of collector beacons per thread.
--
-- Each thread sends CL_QUOTA requests, alternating touches and pixel events; every DUP_EVERY-th
-- request resends the previous body (a duplicate the server must store once). When all of a
-- thread's requests are answered it stops and prints one JSON line; the driver then ends wrk.
-- Environment: CL_KEY, CL_ORIGIN, CL_QUOTA (per thread), CL_DUP_EVERY, CL_RUN (unique run id).
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_usec; } timeval;
  int gettimeofday(timeval *tv, void *tz);
]]
local tv = ffi.new("timeval")
local function now_us()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000000 + tonumber(tv.tv_usec)
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local key, origin, quota, dup_every, run
local n, answered, sent_touch, sent_event, dup_touch, dup_event = 0, 0, 0, 0, 0, 0
local ok202, other, first_us, last_us = 0, 0, 0, 0
local statuses = {}
local previous_path, previous_body, previous_kind

function init(args)
  key = os.getenv("CL_KEY")
  origin = os.getenv("CL_ORIGIN")
  quota = tonumber(os.getenv("CL_QUOTA"))
  dup_every = tonumber(os.getenv("CL_DUP_EVERY"))
  run = os.getenv("CL_RUN")
  wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"
  wrk.headers["Origin"] = origin
  wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) wrk-clickledger-bench"
end

local function visitor(i)
  return string.format("%08x-%04x-4000-8000-%012x", id, tonumber(run) % 65536, math.floor(i / 4))
end

local function fresh(i)
  if i % 2 == 0 then
    return "/api/v1/collect/touch?k=" .. key, "touch", string.format(
      '{"visitor_id":"%s","touch_key":"b%s-%d-%d","utm_source":"tiktok","utm_medium":"paid_social",' ..
      '"utm_campaign":"bench","utm_content":"1900000001","ttclid":"E.C.P.%d.%d",' ..
      '"landing_url":"%s/?ttclid=E.C.P.%d.%d&utm_source=tiktok","referrer":"https://www.tiktok.com/"}',
      visitor(i), run, id, i, id, i, origin, id, i)
  end
  return "/api/v1/collect/event?k=" .. key, "event", string.format(
    '{"visitor_id":"%s","event":"SubmitForm","event_id":"b%s-%d-%d","value":"19.90","currency":"EUR",' ..
    '"properties":{"form":"lead"},"page_url":"%s/contact","ttclid":"E.C.P.%d.%d"}',
    visitor(i), run, id, i, origin, id, i)
end

local primed = false

function request()
  -- wrk calls request() once from its main thread to inspect the script (and never sends that
  -- one), and any thread may go on until its last answer: both get an uncounted ping.
  if not primed or n >= quota then
    primed = true
    return wrk.format("GET", "/demo/ping/")
  end
  if first_us == 0 then first_us = now_us() end
  n = n + 1
  local path, kind, body
  if n % dup_every == 0 and previous_body then
    path, kind, body = previous_path, previous_kind, previous_body
    if kind == "touch" then dup_touch = dup_touch + 1 else dup_event = dup_event + 1 end
  else
    path, kind, body = fresh(n)
    previous_path, previous_kind, previous_body = path, kind, body
  end
  if kind == "touch" then sent_touch = sent_touch + 1 else sent_event = sent_event + 1 end
  return wrk.format("POST", path, nil, body)
end

local finished = false

function response(status, headers, body)
  if finished then return end  -- answers still buffered after stop() must not count twice
  if status == 202 and body == '{"accepted":true}' then ok202 = ok202 + 1
  elseif status ~= 202 then other = other + 1; statuses[status] = (statuses[status] or 0) + 1 end
  answered = ok202 + other
  if answered >= quota then
    finished = true
    last_us = now_us()
    local codes = {}
    for code, count in pairs(statuses) do table.insert(codes, string.format('"%d":%d', code, count)) end
    io.write(string.format(
      '{"thread":%d,"sent_touch":%d,"sent_event":%d,"dup_touch":%d,"dup_event":%d,' ..
      '"accepted":%d,"other":%d,"statuses":{%s},"first_us":%d,"last_us":%d}\n',
      id, sent_touch, sent_event, dup_touch, dup_event, ok202, other, table.concat(codes, ","),
      first_us, last_us))
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  io.write(string.format('{"latency_p50_us":%d,"latency_p90_us":%d,"latency_p99_us":%d,' ..
    '"latency_max_us":%d,"requests":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,' ..
    '"errors_status":%d,"errors_timeout":%d}\n',
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
