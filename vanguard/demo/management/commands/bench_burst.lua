-- wrk script of `manage.py bench_burst` (see bench_burst.py): every voter opens the card
-- page from the card's QR code (GET /v/<session>/<code>/), then, once that page has
-- answered, submits the ballot (POST /v/<session>/ with the code and the grades).
--
-- Arguments after `--`: the voters' file (one voter a line: session id, code, the
-- urlencoded ballot, separated by tabs; written by the command, mode 0600, deleted
-- after), the number of wrk threads, the Origin header. Each thread takes every n-th
-- voter. A POST is sent only after its voter's GET has answered with the grades form
-- (the answer carries the code in its hidden field), so no code is ever checked after
-- it was used. The run ends when every voter's ballot has been answered.

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } burst_timespec;
  int clock_gettime(int clock, burst_timespec *ts);
]])
local timespec = ffi.new("burst_timespec")

-- Microseconds on the monotonic clock (wrk's own duration runs to its -d, or to the
-- SIGINT the command sends once every thread has finished).
local function now_us()
  ffi.C.clock_gettime(1, timespec)
  return tonumber(timespec.tv_sec) * 1000000 + math.floor(tonumber(timespec.tv_nsec) / 1000)
end

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  origin, finished_dir = args[3], args[4]
  first_us, last_us = 0, 0
  gets, posts, ready = {}, {}, {}
  sent_gets, ready_head, ready_tail = 0, 1, 0
  answered, counted, refused, get_failed, fillers = 0, 0, 0, 0, 0
  acks = {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == id then
      local session, code, body = line:match("^(%d+)\t([^\t]+)\t(.*)$")
      table.insert(gets, wrk.format("GET", "/v/" .. session .. "/" .. code .. "/"))
      posts[code] = wrk.format("POST", "/v/" .. session .. "/", {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["Origin"] = origin,
      }, "code=" .. code .. "&step=vote&" .. body)
    end
    i = i + 1
  end
  voters = #gets
  filler = wrk.format("GET", "/bench/hello/")
  verify_call = id == 0
  if voters == 0 then
    wrk.thread:stop()
  end
end

function delay()
  -- Nothing to send until a GET answers: wait a little rather than send a filler.
  if ready_head > ready_tail and sent_gets >= voters then
    return 5
  end
  return 0
end

function request()
  if verify_call then
    -- wrk calls request() once in the first thread to check it, and sends nothing
    verify_call = false
    return filler
  end
  if ready_head <= ready_tail then
    local r = ready[ready_head]
    ready[ready_head] = nil
    ready_head = ready_head + 1
    return r
  end
  if sent_gets < voters then
    if sent_gets == 0 then
      first_us = now_us()
    end
    sent_gets = sent_gets + 1
    return gets[sent_gets]
  end
  fillers = fillers + 1
  return filler
end

function response(status, headers, body)
  if body:find("Hello, world", 1, true) then
    return
  end
  if body:find('class="vote-done"', 1, true) then
    counted = counted + 1
    answered = answered + 1
    local unit = body:match('<p class="lead">([^<]*)</p>') or "?"
    acks[unit] = (acks[unit] or 0) + 1
  elseif body:find('class="ballot-form"', 1, true) then
    local code = body:match('name="code" value="([^"]+)"')
    local post = code and posts[code]
    if status == 200 and post then
      ready_tail = ready_tail + 1
      ready[ready_tail] = post
      posts[code] = nil
    else
      get_failed = get_failed + 1
      answered = answered + 1
    end
  elseif body:find('name="step" value="check"', 1, true) and status == 200 then
    -- the code step again: a GET whose code was refused, or a refused ballot
    refused = refused + 1
    answered = answered + 1
  else
    refused = refused + 1
    answered = answered + 1
  end
  -- Published at every answer, so that a run cut short by wrk's -d still reports.
  local parts = {}
  for unit, n in pairs(acks) do
    table.insert(parts, unit .. "=" .. n)
  end
  last_us = now_us()
  wrk.thread:set("burst_result", string.format("%d %d %d %d %d %d",
    counted, refused, get_failed, fillers, first_us, last_us))
  wrk.thread:set("burst_acks", table.concat(parts, ";"))
  if answered >= voters then
    local marker = io.open(finished_dir .. "/thread-" .. id, "w")
    marker:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local counted, refused, get_failed, fillers, first, last = 0, 0, 0, 0, nil, 0
  for _, thread in ipairs(threads) do
    local result = thread:get("burst_result") or "0 0 0 0 0 0"
    local c, r, g, f, t0, t1 = result:match("(%d+) (%d+) (%d+) (%d+) (%d+) (%d+)")
    counted, refused = counted + tonumber(c), refused + tonumber(r)
    get_failed, fillers = get_failed + tonumber(g), fillers + tonumber(f)
    if tonumber(t0) > 0 and (first == nil or tonumber(t0) < first) then
      first = tonumber(t0)
    end
    last = math.max(last, tonumber(t1))
    io.write("BURST-ACKS " .. (thread:get("burst_acks") or "") .. "\n")
  end
  local e = summary.errors
  io.write(string.format(
    "BURST wall_us=%d duration_us=%d requests=%d counted=%d refused=%d get_failed=%d fillers=%d "
      .. "connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
    first and (last - first) or 0, summary.duration, summary.requests, counted, refused, get_failed, fillers,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
