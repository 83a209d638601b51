-- wrk script: cycle through the URL paths listed one per line in the file named by $WRK_PATHS,
-- asking for gzip as browsers do. Each wrk thread starts at a different offset.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local counter = 0
local threads = 0

setup = function(thread)
  thread:set("offset", threads * 7)
  threads = threads + 1
end

request = function()
  counter = counter + 1
  local path = paths[((counter + (offset or 0)) % #paths) + 1]
  return wrk.format("GET", path, { ["Accept-Encoding"] = "gzip" })
end
