-- NAME
--   post_idea.lua - wrk script: POST a DISTINCT idea per request
--
-- DESCRIPTION
--   Every request carries a new ~200-character text and a new
--   Idempotency-Key (thread number, request number and a run tag), so the
--   intake spools, classifies and stores each one; nothing is a duplicate.
--   BENCH_LIMIT (optional): each thread stops after that many responses,
--   so a run can send an exact number of ideas. BENCH_TAG tells runs apart.
local counter = 0
local threads = {}
local words = {"meer", "bomen", "in", "de", "straat", "park", "fietspad", "veilig",
               "spelen", "buurt", "graag", "bankjes", "water", "samen", "centrum"}

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   n = 0
   done = 0
   limit = tonumber(os.getenv("BENCH_LIMIT") or "0")
   tag = os.getenv("BENCH_TAG") or "run"
end

local function text_for(i)
   local parts = {"Idee " .. tag .. "-" .. tid .. "-" .. i .. ":"}
   local len = #parts[1]
   local k = i
   while len < 200 do
      k = (k * 1103515245 + 12345) % 2147483648
      local w = words[(k % #words) + 1]
      parts[#parts + 1] = w
      len = len + #w + 1
   end
   return table.concat(parts, " ")
end

function request()
   n = n + 1
   local body = '{"text":"' .. text_for(n) .. '","wijk":"WK091733","question":"toekomst"}'
   local headers = {["Content-Type"] = "application/json",
                    ["Idempotency-Key"] = "bench-" .. tag .. "-" .. tid .. "-" .. n}
   return wrk.format("POST", "/api/v1/ideas", headers, body)
end

function response(status, headers, body)
   done = done + 1
   if limit > 0 and done >= limit then
      wrk.thread:stop()
   end
end
