import { ConfigError, envInt, envString } from '@runrun/common';

type Env = Record<string, string | undefined>;

/** Used only when JWT_SECRET is unset outside production: never a production secret. */
const LOCAL_DEVELOPMENT_SECRET = 'runrun-local-development-jwt-secret-not-for-production';

export interface AuthConfig {
  jwtSecret: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

export function authConfig(env: Env = process.env): AuthConfig {
  const production = env.NODE_ENV === 'production';
  const jwtSecret = envString('JWT_SECRET', production ? undefined : LOCAL_DEVELOPMENT_SECRET, env);
  if (Buffer.byteLength(jwtSecret) < 32) throw new ConfigError('JWT_SECRET must be at least 32 bytes');
  return {
    jwtSecret,
    accessTtlSeconds: envInt('ACCESS_TOKEN_TTL_SECONDS', 24 * 3600, env, 1),
    refreshTtlSeconds: envInt('REFRESH_TOKEN_TTL_SECONDS', 14 * 24 * 3600, env, 1),
  };
}
