-- A seller's stock change, applied once per event as a difference (so reservations made meanwhile
-- stay counted). A counter not created yet is left alone: it starts from the product's stock,
-- which already holds the change. A reduction below what is unreserved clamps the counter at zero
-- and keeps the rest as the product's debt (orders still pending hold those units; releases pay
-- the debt first, a later restock too), so counter - debt stays stock minus pending reservations.
-- KEYS (one product's slot): counter, debt, applied marker. ARGV: delta, marker TTL.
-- Returns 0 already applied, 1 applied.
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[2]) then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
local d = tonumber(ARGV[1])
local debt = tonumber(redis.call('GET', KEYS[2]) or '0')
if d > 0 and debt > 0 then
  local paid = math.min(debt, d)
  debt = debt - paid
  d = d - paid
end
local left = tonumber(redis.call('GET', KEYS[1])) + d
if left < 0 then
  debt = debt - left
  left = 0
end
redis.call('SET', KEYS[1], left)
if debt > 0 then redis.call('SET', KEYS[2], debt) else redis.call('DEL', KEYS[2]) end
return 1
