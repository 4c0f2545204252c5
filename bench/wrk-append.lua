-- wrk script: each request appends one user.message with a fresh event id to one of 1,000 conversations through
-- POST /v1/conversations/{id}/events, and the 201 answers are counted (the store must then hold exactly that many).
-- wrk -t2 -c50 -d60s --latency -s bench/wrk-append.lua http://127.0.0.1:8080   (HANDOFF_TOKENS=bench-token)

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  created = 0
  others = 0
  math.randomseed(os.time() * 1000 + id)
  wrk.headers["Authorization"] = "Bearer bench-token"
  wrk.headers["Content-Type"] = "application/json"
end

local function uuid()
  return string.format("%08x-%04x-4%03x-%04x-%012x",
    math.random(0, 0xffffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    0x8000 + math.random(0, 0x3fff), math.random(0, 0xffffffffffff))
end

function request()
  local conversation = "load-" .. math.random(1, 1000)
  local body = '{"events":[{"eventId":"' .. uuid() .. '","type":"user.message","at":"2026-11-24T10:00:00Z",'
    .. '"data":{"messageId":"' .. uuid() .. '","text":"Where is my parcel? It was due yesterday."}}]}'
  return wrk.format("POST", "/v1/conversations/" .. conversation .. "/events", nil, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else others = others + 1 end
end

function done(summary, latency, requests)
  local total, rest = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("created")
    rest = rest + thread:get("others")
  end
  io.write(string.format("201 answers: %d, other answers: %d\n", total, rest))
  io.write(string.format("p50 %.2f ms, p99 %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
