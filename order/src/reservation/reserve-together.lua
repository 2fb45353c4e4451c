-- Both steps of a one-product order in one call, where every key lives on one server (a single
-- Redis, not a cluster): one round trip instead of two, with the same outcome as the two calls.
-- The scripts of the steps are defined above this text as functions `shopper(KEYS, ARGV)` and
-- `product(KEYS, ARGV)` (reservations.ts puts them there).
-- KEYS: the shopper step's 3, then the product step's 4
-- ARGV: the shopper step's 5, then the product step's 5
-- Returns {-1} at the unpaid cap (nothing taken), otherwise what the product step returns.
if shopper({KEYS[1], KEYS[2], KEYS[3]}, {ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]}) ~= 1 then return {-1} end
return product({KEYS[4], KEYS[5], KEYS[6], KEYS[7]}, {ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]})
