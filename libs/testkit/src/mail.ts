/** Reads what the services sent through the local SMTP sink (Mailpit's HTTP API), as a user reads mail. */
const MAILPIT = process.env.MAILPIT_URL ?? 'http://127.0.0.1:8025';

interface MailSummary {
  ID: string;
  Created: string;
}

export async function latestMailTo(address: string, timeoutMs = 10_000): Promise<{ subject: string; text: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${MAILPIT}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`);
    const { messages } = (await res.json()) as { messages: MailSummary[] };
    if (messages.length > 0) {
      const newest = [...messages].sort((a, b) => b.Created.localeCompare(a.Created))[0];
      const message = (await (await fetch(`${MAILPIT}/api/v1/message/${newest.ID}`)).json()) as {
        Subject: string;
        Text: string;
      };
      return { subject: message.Subject, text: message.Text };
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${address} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** How many mails the address has received so far. */
export async function mailCountTo(address: string): Promise<number> {
  const res = await fetch(`${MAILPIT}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`);
  return ((await res.json()) as { messages: unknown[] }).messages.length;
}

/** The verification link in a mail body. */
export const verificationLink = (text: string): string => {
  const match = /https?:\/\/\S+\/users\/email-auths\/verify\?\S+/.exec(text);
  if (!match) throw new Error(`no verification link in: ${text}`);
  return match[0];
};
