-- Gives a taken ticket back, unless the verification is gone or a newer ticket was handed out since.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'ticket', ARGV[1])
