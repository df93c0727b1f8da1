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
statuses = {}   -- global: done() reads each thread's copy

local threads = {}

function setup(thread)
  table.insert(threads, thread)
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
  -- Non-200 answers by status, summed over the threads (each thread keeps its own table).
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do counts[status] = (counts[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do parts[#parts + 1] = status .. ":" .. n end
  io.write(string.format("RESULT rps=%.2f p50_ms=%.2f p99_ms=%.2f requests=%d errors=%d statuses=%s\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    #parts > 0 and table.concat(parts, ",") or "none"))
end
