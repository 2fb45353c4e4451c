-- Counts a client's request in its one-second window (KEYS[1]), starting the window on the
-- first request. Returns the count so far.
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], 1000) end
return count
