-- Uses the ticket up: of any number of callers with one ticket, exactly one gets 1.
if redis.call('HGET', KEYS[1], 'ticket') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'ticket')
return 1
