-- wrk script for bench/load.sh: one scenario per run, chosen by environment variables.
--
--   BENCH_MODE     static | get_id | filter_eq | page_sw | post | patch_name | patch_active
--   BENCH_BASE     path prefix of the SCIM routes, e.g. /feeds/business/scim
--   BENCH_TOKEN    bearer token (omitted when empty: the "limit" program takes none)
--   BENCH_IDS      file of account ids, one a line          (get_id, patch_name, patch_active)
--   BENCH_NAMES    file of userNames, one a line            (filter_eq)
--   BENCH_PATH     full path of the request                 (static)
--   BENCH_RUN      unique prefix for the userNames POSTed   (post)
--   BENCH_DOMAIN   domain of the userNames POSTed           (post; default example.com)
--   BENCH_OUT      JSON file the summary is written to
--
-- Every request is valid and expected to succeed: any non-2xx answer counts in
-- errors.status, and bench/load.sh marks the scenario failed.

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
local run, domain
local GIVEN = { "ada", "alan", "grace", "linus", "margaret", "dennis", "barbara", "ken",
  "frances", "tim", "radia", "guido", "hedy", "edsger", "sophie", "niklaus", "katherine",
  "donald", "annie", "john", "lynn", "bjarne", "joan", "yukihiro" }

function init(args)
  -- `tid` is set by setup() before init() runs in each thread.
  math.randomseed(tid * 7919 + os.time())
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  headers["Accept"] = "application/scim+json"
  if mode == "post" or mode == "patch_name" or mode == "patch_active" then
    headers["Content-Type"] = "application/scim+json"
  end
  ids = lines(os.getenv("BENCH_IDS"))
  names = lines(os.getenv("BENCH_NAMES"))
  run = os.getenv("BENCH_RUN") or tostring(os.time())
  domain = os.getenv("BENCH_DOMAIN") or "example.com"
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
    local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. user ..
      '","externalId":"' .. string.format("bench-%s-%d-%d", run, tid, sent) ..
      '","active":true,"name":{"givenName":"Bench","familyName":"User' .. sent ..
      '"},"displayName":"Bench User","emails":[{"value":"' .. user .. '","type":"work","primary":true}]}'
    return wrk.format("POST", base .. "/Users", headers, body)
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
  local f = assert(io.open(out, "w"))
  f:write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"bytes":%d,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
  f:close()
end
