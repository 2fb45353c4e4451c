-- Replaces a key's value only if it is still the one the caller read: of several requests taking
-- over one abandoned claim, exactly one succeeds.
-- KEYS: the key
-- ARGV: the value read, the new value, its TTL in seconds
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
