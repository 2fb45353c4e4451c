-- Hands out the sign-up ticket only while the code still is the latest one (a new mail may have replaced it).
if redis.call('HGET', KEYS[1], 'code') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'ticket', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
