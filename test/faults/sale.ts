import { orderForm } from '@runrun/testkit';
import { randomUUID } from 'node:crypto';
import { FaultStack } from './stack';

/** One answer a shopper got, or `network` when the request got none. */
interface Answer {
  kind: 'order' | 'pay';
  startedAt: number;
  status: number | 'network';
  code?: string;
}

export interface SaleOptions {
  stock: number;
  shoppers: number;
  /** Shoppers arrive one every `arrivalMs`, so the sale lasts shoppers × arrivalMs. */
  arrivalMs: number;
  /** The fault starts once this many orders were accepted: mid-sale, units left, payments under way. */
  faultAfterAccepted: number;
  /** Injects the fault, calls `inEffect` once it holds (the process gone), ends it (a restart); resolves once over. */
  fault: (inEffect: () => void) => Promise<void>;
}

export interface Figures {
  scenario: string;
  accepted: number;
  refused: Record<string, number>;
  failed: Record<string, number>;
  paid: number;
  payRefused: Record<string, number>;
  /** From the fault taking effect to the first 200 (order or payment) of a request sent after it. */
  recoverS: number | null;
  /** From the fault taking effect until the audit held. */
  auditS: number;
  audit: Audit;
}

export interface Audit {
  initial: number;
  remaining: number;
  sold: number;
  cancelled: number;
  /** Units held by orders still awaiting payment. */
  live: number;
  /** The reservation counter: stock − units held by live orders (read as counter − debt). */
  counter: number | null;
  debt: number;
  /** Accepted orders (200 with an orderId) without a row, or whose row is not final. */
  lost: string[];
  notFinal: string[];
  /** PAID payments whose order is not ORDER_PLACED, and ORDER_PLACED orders without one. */
  unmatchedPayments: string[];
  unmatchedOrders: string[];
  /** Orders whose payment was answered 200 but that did not end ORDER_PLACED (refunded). */
  paidNotPlaced: string[];
  /** Payments of the sale still PENDING or TRYING: their order's end (order-cancelled) did not reach them. */
  paymentsNotFinal: string[];
}

/**
 * True when everything adds up: the invariant of the whole system after a fault. With
 * `refundsAllowed`, a payment answered 200 may end refunded (its order cancelled before the paid
 * event arrived) instead of placed: still matched, nothing sold twice or lost.
 */
export const auditHolds = (a: Audit, refundsAllowed = false): boolean =>
  a.initial === a.remaining + a.sold &&
  a.remaining >= 0 &&
  a.live === 0 &&
  a.counter !== null &&
  a.counter >= 0 &&
  a.counter - a.debt === a.remaining - a.live &&
  !a.lost.length &&
  !a.notFinal.length &&
  !a.unmatchedPayments.length &&
  !a.unmatchedOrders.length &&
  (refundsAllowed || !a.paidNotPlaced.length);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const as = (userId: number) => ({ 'x-user-id': String(userId), 'content-type': 'application/json' });

/** A request's answer; a connection refused or reset (a process gone) is `network`. */
async function call(
  url: string,
  init: RequestInit,
): Promise<{ status: number | 'network'; body: Record<string, unknown> }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { html: text };
    }
    return { status: res.status, body };
  } catch {
    return { status: 'network', body: {} };
  }
}

const retryable = (status: number | 'network') => status === 'network' || status >= 500;

export class Sale {
  readonly answers: Answer[] = [];
  readonly acceptedIds: string[] = [];
  /** Orders whose payment was answered 200. */
  readonly paidIds: string[] = [];
  private readonly userBase = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);

  constructor(
    private readonly stack: FaultStack,
    readonly productId: string,
  ) {}

  private record(kind: Answer['kind'], startedAt: number, status: number | 'network', body: Record<string, unknown>) {
    this.answers.push({ kind, startedAt, status, code: typeof body.code === 'string' ? body.code : undefined });
  }

  /**
   * A shopper orders one unit; a request without an answer or a 5xx is sent again (same
   * Idempotency-Key) to the other replica, as a load balancer would, up to three times.
   */
  async shopper(index: number, pays: boolean): Promise<void> {
    const userId = this.userBase + index;
    const key = randomUUID();
    for (let attempt = 0; attempt < 3; attempt++) {
      const replica = (index + attempt) % 2 ? 'order-2' : 'order';
      const startedAt = Date.now();
      const { status, body } = await call(`${this.stack.url(replica)}/orders`, {
        method: 'POST',
        headers: { ...as(userId), 'idempotency-key': key },
        body: JSON.stringify(orderForm([[this.productId, 1]])),
      });
      this.record('order', startedAt, status, body);
      if (status === 200 && typeof body.orderId === 'string') {
        this.acceptedIds.push(body.orderId);
        if (pays) await this.pay(userId, body.orderId);
        return;
      }
      if (!retryable(status)) return;
      await sleep(300);
    }
  }

  /** Opens the checkout page and confirms with the mock PG, trying again while the answer is 5xx or none. */
  private async pay(userId: number, orderId: string): Promise<void> {
    const payment = this.stack.url('payment');
    const deadline = Date.now() + 30_000;
    let amount: string | undefined;
    while (Date.now() < deadline) {
      const startedAt = Date.now();
      const page = await call(`${payment}/checkout/${orderId}`, { headers: as(userId) });
      if (page.status === 200) {
        amount = /<strong id="amount">(\d+)<\/strong>/.exec(String(page.body.html))?.[1];
        break;
      }
      this.record('pay', startedAt, page.status, page.body);
      if (!retryable(page.status)) return;
      await sleep(500);
    }
    while (amount && Date.now() < deadline) {
      const startedAt = Date.now();
      const { status, body } = await call(`${payment}/payments`, {
        method: 'POST',
        headers: as(userId),
        body: JSON.stringify({ orderId, amount, paymentKey: `mock-${orderId}` }),
      });
      this.record('pay', startedAt, status, body);
      if (status === 200) this.paidIds.push(orderId);
      if (!retryable(status)) return;
      await sleep(500);
    }
  }

  /** Runs the sale with the fault in its middle; resolves when every shopper is done, with the fault's time. */
  async run(options: SaleOptions): Promise<number> {
    const started = Date.now();
    let faultAt = 0;
    const fault = (async () => {
      while (this.acceptedIds.length < options.faultAfterAccepted) await sleep(10);
      await options.fault(() => (faultAt = Date.now()));
    })();
    const shoppers: Promise<void>[] = [];
    for (let i = 0; i < options.shoppers; i++) {
      // seven in ten pay at once, the others walk away (cancelled after the payment window)
      shoppers.push(this.shopper(i, i % 10 < 7));
      await sleep(Math.max(0, started + (i + 1) * options.arrivalMs - Date.now()));
    }
    await Promise.all([...shoppers, fault]);
    return faultAt;
  }

  async audit(initial: number): Promise<Audit> {
    const orders = (await this.stack.query('runrun_order', 'SELECT order_id, status, products FROM orders')).filter(
      (o) => this.productId in (typeof o.products === 'string' ? JSON.parse(o.products) : (o.products as object)),
    );
    const status = new Map(orders.map((o) => [o.order_id as string, o.status as string]));
    const units = (o: Record<string, unknown>) =>
      ((typeof o.products === 'string' ? JSON.parse(o.products) : o.products) as Record<string, { quantity: number }>)[
        this.productId
      ].quantity;
    const sum = (filter: (s: string) => boolean) =>
      orders.filter((o) => filter(o.status as string)).reduce((n, o) => n + units(o), 0);
    const payments = (await this.stack.query('runrun_payment', 'SELECT order_id, status FROM payments')).filter((p) =>
      status.has(p.order_id as string),
    );
    const paymentsIn = (...states: string[]) =>
      payments.filter((p) => states.includes(p.status as string)).map((p) => p.order_id as string);
    const paidPayments = new Set(paymentsIn('COMPLETE'));
    const placed = orders.filter((o) => o.status === 'ORDER_PLACED').map((o) => o.order_id as string);
    const { counter, debt } = await this.stack.reservation(this.productId);
    const live = sum((s) => s === 'PAYMENT_PENDING');
    return {
      initial,
      remaining: await this.stack.stockOf(this.productId),
      sold: sum((s) => s === 'ORDER_PLACED'),
      cancelled: sum((s) => s === 'CANCEL' || s === 'PAYMENT_FAIL' || s === 'CHECK_FAIL'),
      live,
      counter,
      debt,
      lost: this.acceptedIds.filter((id) => !status.has(id)),
      notFinal: this.acceptedIds.filter((id) => status.get(id) === 'PAYMENT_PENDING'),
      unmatchedPayments: [...paidPayments].filter((id) => status.get(id) !== 'ORDER_PLACED'),
      unmatchedOrders: placed.filter((id) => !paidPayments.has(id)),
      paidNotPlaced: this.paidIds.filter((id) => status.get(id) !== 'ORDER_PLACED'),
      paymentsNotFinal: paymentsIn('PENDING', 'TRYING'),
    };
  }

  figures(scenario: string, faultAt: number, audit: Audit, auditAt: number): Figures {
    const count = (answers: Answer[]) =>
      answers.reduce<Record<string, number>>((m, a) => {
        const key = `${a.status}${a.code ? ` ${a.code}` : ''}`;
        return { ...m, [key]: (m[key] ?? 0) + 1 };
      }, {});
    const orders = this.answers.filter((a) => a.kind === 'order');
    const pays = this.answers.filter((a) => a.kind === 'pay');
    // a 503 is an answer (its code says why: the breaker, a server away); no answer or a 500 is a failure
    const failed = (a: Answer) => a.status === 'network' || (a.status >= 500 && a.status !== 503);
    const firstOk = this.answers
      .filter((a) => a.status === 200 && a.startedAt >= faultAt)
      .reduce((t, a) => Math.min(t, a.startedAt), Infinity);
    return {
      scenario,
      accepted: orders.filter((a) => a.status === 200).length,
      refused: count(orders.filter((a) => a.status !== 200 && !failed(a))),
      failed: count(this.answers.filter(failed)),
      paid: pays.filter((a) => a.status === 200).length,
      payRefused: count(pays.filter((a) => a.status !== 200 && !failed(a))),
      recoverS: firstOk === Infinity ? null : (firstOk - faultAt) / 1000,
      auditS: (auditAt - faultAt) / 1000,
      audit,
    };
  }

  /** Answers no client may get during a fault: a 500, or any 5xx but 503. */
  defects(): Answer[] {
    return this.answers.filter((a) => a.status !== 'network' && a.status >= 500 && a.status !== 503);
  }
}

export const line = (f: Figures): string => {
  const a = f.audit;
  const codes = (m: Record<string, number>) =>
    Object.entries(m)
      .map(([k, n]) => `${k}:${n}`)
      .join(' ') || '-';
  return (
    `${f.scenario.padEnd(24)} accepted ${String(f.accepted).padStart(3)}  refused ${codes(f.refused)}  ` +
    `failed ${codes(f.failed)}  paid ${f.paid}  pay-refused ${codes(f.payRefused)}  ` +
    `recovered ${f.recoverS === null ? '-' : `${f.recoverS.toFixed(1)}s`}  audit held ${f.auditS.toFixed(1)}s  ` +
    `| stock ${a.initial} = remaining ${a.remaining} + sold ${a.sold}; cancelled ${a.cancelled}, ` +
    `counter ${a.counter}, debt ${a.debt}, lost ${a.lost.length}, unmatched ${a.unmatchedPayments.length + a.unmatchedOrders.length}, ` +
    `refunded after a 200 ${a.paidNotPlaced.length}`
  );
};
