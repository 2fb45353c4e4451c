-- The shopper's part of a reservation, first of its steps (then reserve-product.lua per product),
-- in the slot of the shopper's bucket: the shopper's unpaid orders (expired ones dropped first)
-- must stay under the cap; then the order joins the unpaid set and the reservation is recorded
-- (time and what it holds), so the reconciler finds it if the process dies before its order row.
-- KEYS: unpaid set, records zset, records hash
-- ARGV: now, deadline, cap (0 = none), orderId, record (JSON: userId, items)
-- Returns 1 taken, 0 at the cap.
local unpaid = KEYS[1]
redis.call('ZREMRANGEBYSCORE', unpaid, '-inf', ARGV[1])
local cap = tonumber(ARGV[3])
if cap > 0 and redis.call('ZCARD', unpaid) >= cap then return 0 end
redis.call('ZADD', unpaid, ARGV[2], ARGV[4])
local last = redis.call('ZRANGE', unpaid, -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', unpaid, last[2])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
return 1
