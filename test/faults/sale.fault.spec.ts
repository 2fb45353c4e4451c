import { FaultStack } from './stack';
import { auditHolds, Audit, Figures, line, Sale } from './sale';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The fault suite: a small flash sale (40 units, 400 shoppers over 12 s, seven in ten paying) on
 * two order replicas of a whole RUNRUN of its own, with one fault injected once 10 orders were
 * accepted (units left, payments under way). Afterwards, whatever failed: initial stock =
 * remaining + sold, nothing below zero, every accepted order ended (paid or cancelled), every
 * payment matched to its order and no reservation leaked.
 */
describe('flash sale under faults', () => {
  const stack = new FaultStack();
  const table: Figures[] = [];
  const STOCK = 40;

  beforeAll(() => stack.start(), 240_000);
  afterAll(async () => {
    await stack.stop();
    process.stdout.write(`\nfault suite (stock ${STOCK}, 400 shoppers each):\n${table.map(line).join('\n')}\n\n`);
  }, 120_000);

  /** The sale with its fault, then the audit until it holds and still holds after the reconciliation grace. */
  async function scenario(
    name: string,
    fault: (inEffect: () => void) => Promise<void>,
    refundsAllowed = false,
  ): Promise<void> {
    const sale = new Sale(stack, await stack.newProduct(STOCK));
    const faultAt = await sale.run({ stock: STOCK, shoppers: 400, arrivalMs: 30, faultAfterAccepted: 10, fault });
    let audit: Audit = await sale.audit(STOCK);
    const deadline = Date.now() + 90_000;
    while (!auditHolds(audit, refundsAllowed) && Date.now() < deadline) {
      await sleep(500);
      audit = await sale.audit(STOCK);
    }
    const auditAt = Date.now();
    // the reservation grace (3 s) and a few reconciler rounds later, nothing more moved
    await sleep(5000);
    const after = await sale.audit(STOCK);
    const figures = sale.figures(name, faultAt, after, auditAt);
    table.push(figures);
    process.stdout.write(`${line(figures)}\n`);

    expect(sale.defects()).toEqual([]);
    expect(after.lost).toEqual([]);
    expect(after.notFinal).toEqual([]);
    expect(after.unmatchedPayments).toEqual([]);
    expect(after.unmatchedOrders).toEqual([]);
    if (!refundsAllowed) expect(after.paidNotPlaced).toEqual([]);
    expect(after.live).toBe(0);
    expect(after.remaining).toBeGreaterThanOrEqual(0);
    expect(after.remaining + after.sold).toBe(STOCK);
    expect(after.counter).not.toBeNull();
    expect(after.counter! - after.debt).toBe(after.remaining);
    expect(after.counter).toBeGreaterThanOrEqual(0);
    // the sale went on: units sold (after the Kafka crash they may all have been refunded)
    if (!refundsAllowed) expect(after.sold).toBeGreaterThan(0);
  }

  it('kill -9 of one order replica: the other keeps accepting, its reservations come back', async () => {
    await scenario('order replica kill -9', async (inEffect) => {
      await stack.crash('order-2');
      inEffect();
      await sleep(5000);
      await stack.startService('order-2');
    });
  }, 240_000);

  it('kill -9 of the product service mid-decrease: recovery completes or rolls back what it left', async () => {
    await scenario('product kill -9', async (inEffect) => {
      await stack.crash('product');
      inEffect();
      await sleep(1000);
      await stack.startService('product');
    });
  }, 240_000);

  it('MariaDB restarted mid-sale', async () => {
    await scenario('MariaDB restart', async (inEffect) => {
      await stack.mariadb.halt();
      inEffect();
      await sleep(2000);
      await stack.mariadb.start();
    });
  }, 240_000);

  it('FerretDB restarted mid-sale', async () => {
    await scenario('FerretDB restart', async (inEffect) => {
      await stack.ferretdb.halt();
      inEffect();
      await sleep(2000);
      await stack.ferretdb.start();
    });
  }, 240_000);

  it('one of the three lock servers stopped mid-sale (the quorum holds)', async () => {
    await scenario('1 of 3 Redis stopped', async (inEffect) => {
      await stack.redis[2].stop();
      inEffect();
      await sleep(12_000); // away for the rest of the sale
      await stack.redis[2].start();
    });
  }, 240_000);

  // the consumer groups resume only once the members from before the crash expire (their 10 s
  // session): a paid event may then come after its order's payment window closed, and the
  // payment is refunded; matched all the same
  it('the Kafka broker killed (-9) and restarted mid-sale', async () => {
    await scenario(
      'Kafka kill -9 + restart',
      async (inEffect) => {
        await stack.kafka[0].halt('SIGKILL');
        inEffect();
        await sleep(2000);
        await stack.kafka[0].start();
      },
      true,
    );
  }, 240_000);
});
