/**
 * Every Redis key of the user service, in one place (the token revocation keys, shared with the
 * gateway, live in libs/auth).
 */
export const RedisKeys = {
  /** A pending e-mail verification: the latest code and the digest of its sign-up ticket (a hash). */
  emailAuth: (email: string) => `email-auths:${email.trim().toLowerCase()}`,
  /**
   * Verification mails asked for, per rule (sorted sets of request times): per address (keyed by
   * its index) and per client. One hash slot for all (`{email-auth-limits}`): a request's address
   * and client rules are checked and counted in one script, and mails are few.
   */
  mailLimit: (subject: 'address' | 'client', id: string, window: 'interval' | 'hour') =>
    `{email-auth-limits}:${subject}:${id}:${window}`,
} as const;
