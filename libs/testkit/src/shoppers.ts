import { randomUUID } from 'node:crypto';
import { latestMailTo, verificationLink } from './mail';

/**
 * Signs shoppers and sellers up and in through the gateway, the way a client does. The gateway's
 * address comes from GATEWAY_URL (the integration tests' global set-up and the benchmarks set it).
 */
export const gatewayUrl = (): string => process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
export const gateway = (path: string) => `${gatewayUrl()}${path}`;
export const PASSWORD = 'Runrun-pass1!';

export const uniqueEmail = (prefix = 'shopper') => `${prefix}-${randomUUID().slice(0, 12)}@runrun.test`;

export const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const signUpForm = (email: string, userType: 'CUSTOMER' | 'SELLER' = 'CUSTOMER') => ({
  email,
  password: PASSWORD,
  phone: '010-1234-5678',
  name: '송송이',
  address: '서울특별시 성북구 보문로 34로',
  zipCode: '11234',
  userType,
});

export const SIGNUP_TICKET_COOKIE = 'signupTicket';

/** Asks for the verification mail. */
export async function requestVerificationMail(email: string): Promise<void> {
  const res = await fetch(gateway('/users/email-auths'), json('POST', { email }));
  if (res.status !== 200) throw new Error(`email-auths ${res.status} ${await res.text()}`);
}

export interface SignUpTicket {
  /** the one-time ticket from the answer's body, as an API client keeps it */
  ticket: string;
  /** `signupTicket=…` as a Cookie header value, as a browser keeps it */
  cookie: string;
  /** the whole Set-Cookie value, attributes included */
  setCookie: string;
}

/** Opens a verification link, as the shopper clicking it does: the sign-up ticket it hands out. */
export async function openVerificationLink(link: string): Promise<SignUpTicket> {
  const res = await fetch(link);
  if (res.status !== 200) throw new Error(`verify ${res.status} ${await res.text()}`);
  const { signupTicket } = (await res.json()) as { signupTicket: string };
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SIGNUP_TICKET_COOKIE}=`));
  if (!setCookie) throw new Error('verify answered no signupTicket cookie');
  return { ticket: signupTicket, cookie: setCookie.split(';')[0], setCookie };
}

/** Reads the newest mail to `email` in the mail sink and opens the link in it. */
export async function openVerificationMail(email: string): Promise<SignUpTicket> {
  return openVerificationLink(verificationLink((await latestMailTo(email)).text));
}

/** E-mail request → mail → the link in it (which hands out the sign-up ticket) → sign-up with the ticket. */
export async function signUp(userType: 'CUSTOMER' | 'SELLER' = 'CUSTOMER', email = uniqueEmail()): Promise<string> {
  await requestVerificationMail(email);
  const { ticket } = await openVerificationMail(email);
  const signedUp = await fetch(
    gateway('/users/signup'),
    json('POST', { ...signUpForm(email, userType), signupTicket: ticket }),
  );
  if (signedUp.status !== 200) throw new Error(`signup ${signedUp.status} ${await signedUp.text()}`);
  return email;
}

export interface Session {
  accessToken: string;
  /** `refreshToken=…` as a Cookie header value */
  refreshCookie: string;
  userId: number;
  auth: Record<string, string>;
}

export async function login(email: string, password = PASSWORD): Promise<Session> {
  const res = await fetch(gateway('/users/login'), json('POST', { email, password }));
  if (res.status !== 200) throw new Error(`login ${res.status} ${await res.text()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  const refreshCookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('refreshToken='))!
    .split(';')[0];
  const auth = { authorization: `Bearer ${accessToken}` };
  const me = (await (await fetch(gateway('/users/whoami'), { headers: auth })).json()) as { userId: number };
  return { accessToken, refreshCookie, userId: me.userId, auth };
}

export async function newShopper(userType: 'CUSTOMER' | 'SELLER' = 'CUSTOMER'): Promise<Session & { email: string }> {
  const email = await signUp(userType);
  return { email, ...(await login(email)) };
}
