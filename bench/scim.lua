-- wrk script for bench/load.sh: one scenario per run, chosen by environment variables.
--
--   BENCH_MODE     static | get_id | filter_eq | page_sw | post | patch_name | patch_active |
--                  provision
--   BENCH_BASE     path prefix of the SCIM routes, e.g. /feeds/business/scim
--   BENCH_TOKEN    bearer token (omitted when empty: the "limit" program takes none)
--   BENCH_IDS      file of account ids, one a line          (get_id, patch_name, patch_active)
--   BENCH_NAMES    file of userNames, one a line            (filter_eq)
--   BENCH_PATH     full path of the request                 (static)
--   BENCH_RUN      unique prefix for the userNames POSTed   (post)
--   BENCH_DOMAIN   domain of the userNames POSTed           (post; default example.com)
--   BENCH_OUT      JSON file the summary is written to
--   BENCH_COUNT    number of accounts to create                     (provision)
--   BENCH_CAPTURE  prefix of the per-thread files that receive "id<TAB>userName" of every
--                  account created, and of the per-thread "done" files  (provision)
--
-- post and provision send the body Entra ID sends to create a user (both schemas,
-- meta.resourceType, empty roles, name.formatted, a GUID-shaped externalId, the enterprise
-- extension's employeeNumber and department). userNames are unique across threads and
-- connections: post uses BENCH_RUN, the thread number and the thread's request count;
-- provision uses given.family.K@domain for K = 0..BENCH_COUNT-1, thread t taking
-- K = t-1, t-1+T, t-1+2T... (T threads), so the `userName sw "<given>."` pages match 1/24 of
-- the accounts as with `abm-scim seed`.
--
-- provision stops after exactly BENCH_COUNT 201 answers: each thread has its share (quota);
-- a connection sends a POST only while created + in flight < quota, otherwise a paced (5 ms)
-- `GET /healthz` filler while the thread's last POSTs are answered. A non-2xx answer is
-- counted (by status) and the index is skipped; a thread gives up after as many failures as
-- its quota. When its quota is met a thread writes the time (`date +%s.%N`) to
-- BENCH_CAPTURE.done-<tid> and stops; bench/load.sh waits for all of them and ends wrk with
-- SIGINT (wrk runs until -d otherwise; the SIGINT is repeated until wrk has exited). Only this
-- mode defines response() and delay(), so the other scenarios run without wrk's response
-- parsing.
--
-- Every request is valid and expected to succeed: any non-2xx answer counts in
-- errors.status, and bench/load.sh flags it (non-2xx) in the progress line and the report.

local mode = os.getenv("BENCH_MODE") or "static"
local base = os.getenv("BENCH_BASE") or "/feeds/business/scim"
local token = os.getenv("BENCH_TOKEN") or ""

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local function lines(path)
  local out = {}
  if path == nil or path == "" then return out end
  local f = assert(io.open(path, "r"), "cannot open " .. path)
  for line in f:lines() do
    if line ~= "" then table.insert(out, line) end
  end
  f:close()
  return out
end

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local headers = {}
local ids, names, mine = {}, {}, {}
local sent = 0
local run, domain, runnum
local filler_headers = { ["Accept"] = "application/json" }
local GIVEN = { "ada", "alan", "grace", "linus", "margaret", "dennis", "barbara", "ken",
  "frances", "tim", "radia", "guido", "hedy", "edsger", "sophie", "niklaus", "katherine",
  "donald", "annie", "john", "lynn", "bjarne", "joan", "yukihiro" }
-- The same lists as src/service/seed_gen.rs and bench/tools.py (admin-seed).
local GIVEN_NAME = { "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken",
  "Frances", "Tim", "Radia", "Guido", "Hedy", "Edsger", "Sophie", "Niklaus", "Katherine",
  "Donald", "Annie", "John", "Lynn", "Bjarne", "Joan", "Yukihiro" }
local FAMILY_NAME = { "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov",
  "Thompson", "Allen", "Berners-Lee", "Perlman", "van Rossum", "Lamarr", "Dijkstra", "Wilson",
  "Wirth", "Johnson", "Knuth", "Easley", "McCarthy", "Conway", "Stroustrup", "Clarke", "Matsumoto" }
local DEPARTMENTS = { "Engineering", "Sales", "Finance", "Legal", "Support", "Marketing",
  "Operations", "Design" }

-- provision: this thread's share, and what came back.
local nthreads, quota = 1, 0
created, failed, posted, answered, fillers, statuses = 0, 0, 0, 0, 0, {}
local capture, capture_file, finished, verified = nil, nil, false, false
local HEALTH_BODY = '{"status":"ok"}'

function init(args)
  -- `tid` is set by setup() before init() runs in each thread.
  math.randomseed(tid * 7919 + os.time())
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  headers["Accept"] = "application/scim+json"
  if mode == "post" or mode == "provision" or mode == "patch_name" or mode == "patch_active" then
    headers["Content-Type"] = "application/scim+json"
  end
  ids = lines(os.getenv("BENCH_IDS"))
  names = lines(os.getenv("BENCH_NAMES"))
  run = os.getenv("BENCH_RUN") or tostring(os.time())
  runnum = tonumber((run:match("%d+") or "0"):sub(-7)) or 0
  domain = os.getenv("BENCH_DOMAIN") or "example.com"
  nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  if mode == "provision" then
    local total = assert(tonumber(os.getenv("BENCH_COUNT") or ""), "BENCH_COUNT is required")
    -- Indices K < total with K % nthreads == tid - 1.
    quota = (total >= tid) and (math.floor((total - tid) / nthreads) + 1) or 0
    capture = assert(os.getenv("BENCH_CAPTURE"), "BENCH_CAPTURE is required")
    capture_file = assert(io.open(capture .. "." .. tid .. ".tsv", "w"))
    if quota == 0 then finish("ok") end
  end
  if mode == "patch_active" then
    -- Each thread toggles its own share of the ids, so no account is patched by two
    -- connections at once and every account alternates false, true, false...
    local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
    for i, id in ipairs(ids) do
      if (i - 1) % nthreads == tid - 1 then table.insert(mine, id) end
    end
  end
end

local function pick(list) return list[math.random(#list)] end

-- What Entra ID sends to create a user (see tests/scim_dialects.rs), with realistic values.
local function entra_body(user, given, family, external, employee, department)
  return '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",' ..
    '"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],' ..
    '"externalId":"' .. external .. '","userName":"' .. user .. '","active":true,' ..
    '"displayName":"' .. given .. " " .. family .. '",' ..
    '"emails":[{"primary":true,"type":"work","value":"' .. user .. '"}],' ..
    '"meta":{"resourceType":"User"},' ..
    '"name":{"formatted":"' .. given .. " " .. family .. '","familyName":"' .. family ..
    '","givenName":"' .. given .. '"},"roles":[],' ..
    '"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"' ..
    employee .. '","department":"' .. department .. '"}}'
end

-- A GUID-shaped externalId (Entra sends the object id), unique per (a, b).
local function guid(a, b)
  return string.format("%08x-%04x-4%03x-8%03x-%012x", a % 0x100000000, math.floor(b / 0x1000000) % 0x10000,
    math.floor(b / 0x1000) % 0x1000, b % 0x1000, b)
end

-- Account K of the provisioned population.
local function provision_body(k)
  local given = GIVEN_NAME[(k % 24) + 1]
  local family = FAMILY_NAME[(math.floor(k / 24) % 24) + 1]
  local user = string.format("%s.%s.%d@%s", given:lower(), family:lower():gsub(" ", ""), k, domain)
  return entra_body(user, given, family, guid(0x0b0b0b0b, k), string.format("%08d", k),
    DEPARTMENTS[(k % 8) + 1])
end

-- provision: the thread's quota is met (or it gave up): note the time, stop the thread.
function finish(why)
  if finished then return end
  finished = true
  if capture_file then capture_file:close() end
  -- The time comes from io.popen, not os.execute: system() ignores SIGINT in the whole
  -- process while its child runs, which could swallow the SIGINT that ends wrk. The done file
  -- is written (renamed into place) only once the time is known.
  local p = io.popen("date +%s.%N")
  local now = p and p:read("*l") or ""
  if p then p:close() end
  if why ~= "ok" then
    local f = io.open(capture .. ".why-" .. tid, "w")
    if f then f:write(why .. "\n"); f:close() end
  end
  local f = assert(io.open(capture .. ".tmp-" .. tid, "w"))
  f:write(now .. "\n")
  f:close()
  os.rename(capture .. ".tmp-" .. tid, capture .. ".done-" .. tid)
  wrk.thread:stop()
end

if mode == "provision" then
  function delay()
    -- A connection with nothing to POST (the rest of the quota is in flight) waits 5 ms
    -- before its next /healthz filler; POSTs go at once.
    if created + (posted - answered) < quota then return 0 end
    return 5
  end

  function response(status, headers, body)
    if body == HEALTH_BODY then
      fillers = fillers + 1
      return
    end
    answered = answered + 1
    if status == 201 then
      created = created + 1
      local id = body:match('"id"%s*:%s*"([^"]+)"')
      local user = body:match('"userName"%s*:%s*"([^"]+)"')
      capture_file:write(id or "?", "\t", user or "?", "\n")
    else
      failed = failed + 1
      statuses[status] = (statuses[status] or 0) + 1
      if failed >= math.max(quota, 1) then finish("gave up after " .. failed .. " failures") end
    end
    if created >= quota then finish("ok") end
  end
end

function request()
  sent = sent + 1
  if mode == "get_id" then
    return wrk.format("GET", base .. "/Users/" .. pick(ids), headers)
  elseif mode == "filter_eq" then
    local f = 'userName eq "' .. pick(names) .. '"'
    return wrk.format("GET", base .. "/Users?filter=" .. urlencode(f), headers)
  elseif mode == "page_sw" then
    local f = 'userName sw "' .. pick(GIVEN) .. '."'
    return wrk.format("GET", base .. "/Users?filter=" .. urlencode(f) .. "&sortBy=userName&count=100", headers)
  elseif mode == "post" then
    local user = string.format("bench.%s.%d.%d@%s", run, tid, sent, domain)
    local body = entra_body(user, "Bench", "User" .. sent, guid(runnum * 64 + tid, sent), string.format("B%07d", sent),
      DEPARTMENTS[(sent % 8) + 1])
    return wrk.format("POST", base .. "/Users", headers, body)
  elseif mode == "provision" then
    if tid == 1 and not verified then
      -- wrk 4.x calls request() once in its first thread's state before any connection
      -- (script_verify_request, to count pipelined requests): that request is never sent, so
      -- it must not count as a POST in flight.
      verified = true
      return wrk.format("GET", "/healthz", filler_headers)
    end
    if not finished and created + (posted - answered) < quota then
      local k = (tid - 1) + nthreads * posted
      posted = posted + 1
      return wrk.format("POST", base .. "/Users", headers, provision_body(k))
    end
    return wrk.format("GET", "/healthz", filler_headers)
  elseif mode == "patch_name" then
    local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Renamed ' ..
      tid .. "-" .. sent .. '"}]}'
    return wrk.format("PATCH", base .. "/Users/" .. pick(ids), headers, body)
  elseif mode == "patch_active" then
    local n = #mine
    local k = sent - 1
    local id = mine[(k % n) + 1]
    local active = (math.floor(k / n) % 2 == 1) and "true" or "false"
    local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":' ..
      active .. '}]}'
    return wrk.format("PATCH", base .. "/Users/" .. id, headers, body)
  else
    return wrk.format("GET", os.getenv("BENCH_PATH"), headers)
  end
end

function done(summary, latency, requests)
  local out = os.getenv("BENCH_OUT")
  if out == nil or out == "" then return end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local extra = ""
  if mode == "provision" then
    -- Sums over the threads; "statuses" counts the non-2xx answers to POSTs by status.
    local c, fl, p, fi, st, parts = 0, 0, 0, 0, {}, {}
    local max_posted = 0
    for _, t in ipairs(threads) do
      c = c + (t:get("created") or 0)
      fl = fl + (t:get("failed") or 0)
      p = p + (t:get("posted") or 0)
      fi = fi + (t:get("fillers") or 0)
      max_posted = math.max(max_posted, t:get("posted") or 0)
      for code, n in pairs(t:get("statuses") or {}) do st[code] = (st[code] or 0) + n end
    end
    for code, n in pairs(st) do table.insert(parts, string.format('"%d":%d', code, n)) end
    extra = string.format(',"created":%d,"failed":%d,"posted":%d,"fillers":%d,"next_index":%d,"statuses":{%s}',
      c, fl, p, fi, max_posted * #threads, table.concat(parts, ","))
  end
  local f = assert(io.open(out, "w"))
  f:write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"bytes":%d,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}%s}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, extra))
  f:close()
end
