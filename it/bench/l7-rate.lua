-- wrk script for a fixed offered load: each connection waits WRK_DELAY_MS between a response and its next
-- request, so the rate is about connections * 1000 / (WRK_DELAY_MS + latency). wrk has no -R; this stands in.
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "10")

function delay()
  return delay_ms
end
