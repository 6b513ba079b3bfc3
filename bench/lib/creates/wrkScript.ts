/** @module The wrk Lua script of the creates benchmark: POST /projects/:id/tickets round-robin over the projects. */
import { WRK_DONE_LUA } from '../wrk.ts';

/** Each request a different title, priority and label, over `projectIds` in turn (per wrk thread). */
export const createsLua = (projectIds: string[]) => `
local ids = { ${projectIds.map((id) => `"${id}"`).join(', ')} }
local priorities = { "LOW", "MEDIUM", "HIGH", "URGENT" }
local threads = {}
local n = 0
function setup(thread)
  n = n + 1
  thread:set("tid", n)
  table.insert(threads, thread)
end
local counter = 0
function request()
  counter = counter + 1
  local i = counter * 2 + tid
  local body = string.format('{"title":"Bench ticket %d-%d: drag and drop on the board","priority":"%s","labels":["bench","l%d"]}',
    tid, counter, priorities[(i % 4) + 1], i % 7)
  return wrk.format("POST", "/projects/" .. ids[(i % #ids) + 1] .. "/tickets", nil, body)
end
${WRK_DONE_LUA}`;
