-- wrk script for the ceiling: POST a beacon-sized body to the cheapest Django view.
function init(args)
  wrk.method = "POST"
  wrk.path = "/demo/ping/"
  wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"
  wrk.headers["Origin"] = os.getenv("CL_ORIGIN")
  wrk.body = string.rep("x", 330)
end

function done(summary, latency, requests)
  io.write(string.format('{"latency_p50_us":%d,"latency_p90_us":%d,"latency_p99_us":%d,' ..
    '"latency_max_us":%d,"requests":%d,"duration_us":%d,"errors_status":%d}\n',
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.requests, summary.duration, summary.errors.status))
end
