-- Gives an order's reservation back exactly once: the order's marker is set first, so a second
-- release (another replica, a replayed event, the cron running twice) changes nothing. Stock
-- counters that do not exist are left alone (they start from the product's stock when next used);
-- a product's debt (a seller's reduction below what was reserved) is paid off before its counter
-- grows; the shopper's counters are given back for the lines that counted on them, and deleted at
-- zero. Leaving the unpaid set is idempotent and happens on every call.
-- KEYS: marker, n stock counters, n debts, [n shopper counters, unpaid set] (when the shopper is known)
-- ARGV: n, shopper known (1/0), orderId, quantities…, per-shopper flags (1/0)…, marker TTL (s)
local n = tonumber(ARGV[1])
local shopper = ARGV[2] == '1'
if shopper then redis.call('ZREM', KEYS[2 + 3 * n], ARGV[3]) end
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[4 + 2 * n]) then return 0 end
for i = 1, n do
  local q = tonumber(ARGV[3 + i])
  if redis.call('EXISTS', KEYS[1 + i]) == 1 then
    local debt = tonumber(redis.call('GET', KEYS[1 + n + i]) or '0')
    local paid = math.min(debt, q)
    if paid > 0 then
      if debt - paid > 0 then redis.call('SET', KEYS[1 + n + i], debt - paid) else redis.call('DEL', KEYS[1 + n + i]) end
    end
    if q - paid > 0 then redis.call('INCRBY', KEYS[1 + i], q - paid) end
  end
  if shopper and ARGV[3 + n + i] == '1' and redis.call('EXISTS', KEYS[1 + 2 * n + i]) == 1 then
    if redis.call('DECRBY', KEYS[1 + 2 * n + i], q) <= 0 then redis.call('DEL', KEYS[1 + 2 * n + i]) end
  end
end
return 1
