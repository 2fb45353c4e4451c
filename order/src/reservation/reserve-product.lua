-- One product of an order, in the product's slot, so concurrent orders (one shopper's included)
-- cannot slip between a check and its change:
-- 1. the stock counter is created from the product's stock on first use (never expiring: D19)
--    and must cover the quantity;
-- 2. for a product with a purchase limit, the shopper's units of it plus the quantity must stay
--    within the limit;
-- then the counter (and the shopper's units) change and the order's hold is set: which products
-- an order took, for a release that does not know (a reconciled or compensated reservation).
-- An order whose units of the product were given back already takes nothing any more.
-- KEYS: counter, shopper units, hold, released marker
-- ARGV: quantity, initial stock, limit (0 = none), units TTL, hold TTL
-- Returns {0} taken (or taken before), {1, units left} stock short, {2} limit, {3} released before.
if redis.call('EXISTS', KEYS[4]) == 1 then return {3} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {0} end
local want = tonumber(ARGV[1])
local left = redis.call('GET', KEYS[1])
if not left then
  left = ARGV[2]
  redis.call('SET', KEYS[1], left)
end
if tonumber(left) < want then return {1, tonumber(left)} end
local limit = tonumber(ARGV[3])
if limit > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') + want > limit then return {2} end
redis.call('DECRBY', KEYS[1], want)
if limit > 0 then
  redis.call('INCRBY', KEYS[2], want)
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
redis.call('SET', KEYS[3], want, 'EX', ARGV[5])
return {0}
