-- All or nothing in one round trip, so concurrent orders (one shopper's included) cannot slip
-- between a check and its change:
-- 1. each stock counter is created from the product's stock on first use (never expiring: D19)
--    and must cover the quantity;
-- 2. for a product with a purchase limit, the shopper's units of it plus the quantity must stay
--    within the limit;
-- 3. the shopper's unpaid orders (expired ones dropped first) must stay under the cap;
-- then every counter changes and the order joins the shopper's unpaid set; otherwise nothing
-- changes and {reason, index} comes back: 1 stock (with the units left: 0 is sold out), 2 limit
-- (1-based item), 3 unpaid cap.
-- The reservation is recorded (time and what it holds) for the reconciler.
-- KEYS: n stock counters, n shopper counters, the shopper's unpaid set, records zset, records hash
-- ARGV: n, quantities…, initial stocks…, limits… (0 = none), now, deadline, cap, orderId, units TTL,
--       record (JSON: userId, items)
local n = tonumber(ARGV[1])
local now = ARGV[2 + 3 * n]
local deadline = ARGV[3 + 3 * n]
local cap = tonumber(ARGV[4 + 3 * n])
local orderId = ARGV[5 + 3 * n]
local unitsTtl = ARGV[6 + 3 * n]
for i = 1, n do
  local want = tonumber(ARGV[1 + i])
  local left = redis.call('GET', KEYS[i])
  if not left then
    left = ARGV[1 + n + i]
    redis.call('SET', KEYS[i], left)
  end
  if tonumber(left) < want then return {1, i, tonumber(left)} end
  local limit = tonumber(ARGV[1 + 2 * n + i])
  if limit > 0 and tonumber(redis.call('GET', KEYS[n + i]) or '0') + want > limit then return {2, i} end
end
local unpaid = KEYS[2 * n + 1]
redis.call('ZREMRANGEBYSCORE', unpaid, '-inf', now)
if cap > 0 and redis.call('ZCARD', unpaid) >= cap then return {3, 0} end
for i = 1, n do
  redis.call('DECRBY', KEYS[i], ARGV[1 + i])
  if tonumber(ARGV[1 + 2 * n + i]) > 0 then
    redis.call('INCRBY', KEYS[n + i], ARGV[1 + i])
    redis.call('EXPIRE', KEYS[n + i], unitsTtl)
  end
end
redis.call('ZADD', unpaid, deadline, orderId)
local last = redis.call('ZRANGE', unpaid, -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', unpaid, last[2])
redis.call('ZADD', KEYS[2 * n + 2], now, orderId)
redis.call('HSET', KEYS[2 * n + 3], orderId, ARGV[7 + 3 * n])
return {0, 0}
