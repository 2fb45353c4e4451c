/**
 * The sign-up ticket as a browser keeps it: HttpOnly (no script reads it), sent only to
 * POST /users/signup, SameSite=Lax (opening the link from a mail is a top-level navigation),
 * Secure when the public address is https, for as long as the ticket lives.
 */
export const SIGNUP_TICKET_COOKIE = 'signupTicket';
const SIGNUP_PATH = '/users/signup';

const attributes = (maxAgeSeconds: number, secure: boolean) =>
  `Path=${SIGNUP_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;

export const signupTicketCookie = (ticket: string, maxAgeSeconds: number, secure: boolean): string =>
  `${SIGNUP_TICKET_COOKIE}=${ticket}; ${attributes(maxAgeSeconds, secure)}`;

/** Removes the cookie once its ticket is used. */
export const clearedSignupTicketCookie = (secure: boolean): string =>
  `${SIGNUP_TICKET_COOKIE}=; ${attributes(0, secure)}`;
