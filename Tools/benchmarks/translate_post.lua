-- wrk script: POST /api/v1/translate with a bearer token, cycling through short sentences.
-- Environment: CSANMT_TOKEN (JWT), CSANMT_SENTENCES (file, one sentence per line), CSANMT_FIXED=1 to send only the
-- first sentence (cache-hit runs).
local token = os.getenv("CSANMT_TOKEN")
local fixed = os.getenv("CSANMT_FIXED") == "1"
local sentences = {}
for line in io.lines(os.getenv("CSANMT_SENTENCES")) do
  if #line > 0 then sentences[#sentences + 1] = line:gsub('\\', '\\\\'):gsub('"', '\\"') end
end
local counter = 0
local statuses = {}

function setup(thread)
  thread:set("id", math.random(1, #sentences))
end

request = function()
  counter = counter + 1
  local s = fixed and sentences[1] or sentences[((counter + (id or 0)) % #sentences) + 1]
  return wrk.format("POST", "/api/v1/translate",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token },
    '{"text": "' .. s .. '"}')
end

response = function(status, headers, body)
  if status ~= 200 then statuses[status] = (statuses[status] or 0) + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.2f p50_ms=%.2f p99_ms=%.2f requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
