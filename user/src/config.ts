import { authConfig } from '@runrun/auth';
import {
  ConfigError,
  envInt,
  envPort,
  envString,
  envUrl,
  httpConfig,
  kafkaConfig,
  mysqlConfig,
  redisConfig,
} from '@runrun/common';

/** Used only when PII_KEY is unset outside production: never a production key. */
const LOCAL_DEVELOPMENT_PII_KEY = 'bG9jYWwtZGV2ZWxvcG1lbnQtcGlpLWtleS0zMmJ5dGU='; // 32 bytes, base64

function piiKey(): Buffer {
  const value = envString('PII_KEY', process.env.NODE_ENV === 'production' ? undefined : LOCAL_DEVELOPMENT_PII_KEY);
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) throw new ConfigError('PII_KEY must be 32 bytes, base64-encoded');
  return key;
}

export const loadConfig = () => ({
  name: 'user',
  http: httpConfig(8081),
  db: mysqlConfig('runrun_user'),
  redis: redisConfig(),
  kafka: kafkaConfig('user-service'),
  auth: authConfig(),
  piiKey: piiKey(),
  mail: {
    host: envString('SMTP_HOST', '127.0.0.1'),
    port: envPort('SMTP_PORT', 1025),
    user: process.env.SMTP_USER,
    password: process.env.SMTP_PASSWORD,
    from: envString('MAIL_FROM', 'RUNRUN <no-reply@runrun.local>'),
  },
  /** Where shoppers reach the gateway; the verification link in the e-mail points there. */
  publicBaseUrl: envUrl('PUBLIC_BASE_URL', 'http://127.0.0.1:8080'),
  /** How long a verification link works, and how long the sign-up ticket it hands out lives. */
  emailAuthTtlSeconds: envInt('EMAIL_AUTH_TTL_SECONDS', 30 * 3600, process.env, 1),
  /** How often verification mails may be asked for (counted in Redis, shared by replicas); 0 = off. */
  mailLimits: {
    /** per address: at most one mail in this many seconds */
    addressIntervalSeconds: envInt('EMAIL_AUTH_ADDRESS_INTERVAL_SECONDS', 60),
    /** per address: at most this many mails in any hour */
    addressPerHour: envInt('EMAIL_AUTH_ADDRESS_PER_HOUR', 5),
    /** per client address: at most this many requests in any hour */
    clientPerHour: envInt('EMAIL_AUTH_CLIENT_PER_HOUR', 20),
  },
});
export type UserConfig = ReturnType<typeof loadConfig>;
