-- Gives one product of an order's reservation back exactly once, in the product's slot: the
-- released marker is set first, so a second release (another replica, a replayed event, the cron
-- twice) changes nothing. With "only held" (a reservation that may not have reached this product:
-- reconciled, or compensated after a failure) only a hold set by reserve-product.lua is given
-- back. A counter that does not exist is left alone (it starts from the product's stock when next
-- used); the product's debt (a seller's reduction below what was reserved) is paid off before
-- the counter grows; the shopper's units are given back when they counted, deleted at zero.
-- KEYS: released marker, hold, counter, debt, [shopper units] (when they counted)
-- ARGV: quantity, only held (1/0), marker TTL (s)
-- Returns 1 given back, 0 given back before (or never taken).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local held = redis.call('EXISTS', KEYS[2]) == 1
redis.call('SET', KEYS[1], '1', 'EX', ARGV[3])
if ARGV[2] == '1' and not held then return 0 end
redis.call('DEL', KEYS[2])
local q = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[3]) == 1 then
  local debt = tonumber(redis.call('GET', KEYS[4]) or '0')
  local paid = math.min(debt, q)
  if paid > 0 then
    if debt - paid > 0 then redis.call('SET', KEYS[4], debt - paid) else redis.call('DEL', KEYS[4]) end
  end
  if q - paid > 0 then redis.call('INCRBY', KEYS[3], q - paid) end
end
if KEYS[5] and redis.call('EXISTS', KEYS[5]) == 1 then
  if redis.call('DECRBY', KEYS[5], q) <= 0 then redis.call('DEL', KEYS[5]) end
end
return 1
