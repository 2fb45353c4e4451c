import { argon2id, hash, verify } from 'argon2';

/**
 * argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane): slow for an attacker, yet a burst of
 * logins (argon2 runs on libuv's 4 threads) stays well inside the service's memory budget.
 */
const OPTIONS = { type: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);
export const passwordMatches = (stored: string, password: string): Promise<boolean> => verify(stored, password);
