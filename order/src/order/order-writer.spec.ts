import { QueryFailedError } from 'typeorm';
import { OrderWriter } from './order-writer';
import type { NewOrder, OrderRepository } from './order.repository';

/** A repository in memory whose statements finish when the test says so. */
class SlowRepository {
  readonly statements: string[][] = [];
  readonly rows = new Set<string>();
  private readonly pending: (() => void)[] = [];
  refuse = (_orderId: string) => false;
  /** The next statement commits, but its answer does not arrive (the connection was cut). */
  loseNextAnswer = false;

  insertMany(orders: NewOrder[]): Promise<void> {
    return this.statement(orders.map((o) => o.orderId));
  }

  insert(order: NewOrder): Promise<void> {
    return this.statement([order.orderId]);
  }

  private statement(ids: string[]): Promise<void> {
    this.statements.push(ids);
    return new Promise((resolve, reject) =>
      this.pending.push(() => {
        // one statement writes all its rows or none; order ids are a unique key
        if (ids.some((id) => this.rows.has(id))) return reject(duplicateKey(ids));
        if (ids.some((id) => this.refuse(id))) return reject(new Error(`refused: ${ids.join(',')}`));
        ids.forEach((id) => this.rows.add(id));
        if (this.loseNextAnswer) {
          this.loseNextAnswer = false;
          return reject(new Error('Connection lost: The server closed the connection.'));
        }
        resolve();
      }),
    );
  }

  /** Finishes the statements sent so far. */
  async finish(): Promise<void> {
    for (const done of this.pending.splice(0)) done();
    await new Promise((r) => setImmediate(r));
  }
}

const order = (orderId: string) => ({ orderId }) as NewOrder;
const duplicateKey = (ids: string[]) =>
  new QueryFailedError(
    'INSERT INTO orders …',
    ids,
    Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY' }),
  );

describe('OrderWriter', () => {
  let repository: SlowRepository;
  let writer: OrderWriter;
  beforeEach(() => {
    repository = new SlowRepository();
    writer = new OrderWriter(repository as unknown as OrderRepository);
  });

  it('writes a lone order at once', async () => {
    const written = writer.write(order('a'));
    expect(repository.statements).toEqual([['a']]);
    await repository.finish();
    await written;
    expect(repository.rows).toEqual(new Set(['a']));
  });

  it('gathers the orders that come while INSERTs are under way into the next one', async () => {
    const answers: string[] = [];
    const all = ['a', 'b', 'c', 'd', 'e'].map((id) => writer.write(order(id)).then(() => answers.push(id)));
    // two go at once; the other three wait for one of them
    expect(repository.statements).toEqual([['a'], ['b']]);
    expect(answers).toEqual([]);
    await repository.finish();
    expect(answers.sort()).toEqual(['a', 'b']); // answered once their rows are written, not before
    expect(repository.statements).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    await repository.finish();
    await Promise.all(all);
    expect(repository.rows).toEqual(new Set(['a', 'b', 'c', 'd', 'e']));
  });

  it('writes at most 100 rows per INSERT', async () => {
    const all = Array.from({ length: 252 }, (_, i) => writer.write(order(`o${i}`)));
    while (repository.rows.size < 252) await repository.finish();
    await Promise.all(all);
    expect(Math.max(...repository.statements.map((s) => s.length))).toBe(100);
    expect(repository.statements.flat().sort()).toEqual(Array.from({ length: 252 }, (_, i) => `o${i}`).sort());
  });

  it('a refused batch is written again row by row: only the bad row fails, with its own error', async () => {
    repository.refuse = (id) => id === 'bad';
    void writer.write(order('a'));
    void writer.write(order('b'));
    const outcomes = ['c', 'bad', 'd'].map((id) =>
      writer.write(order(id)).then(
        () => `${id} written`,
        (error: Error) => `${id} failed: ${error.message}`,
      ),
    );
    await repository.finish(); // a and b; c, bad, d go together and are refused
    await repository.finish(); // row by row
    await repository.finish();
    expect(await Promise.all(outcomes)).toEqual(['c written', 'bad failed: refused: bad', 'd written']);
    expect(repository.rows).toEqual(new Set(['a', 'b', 'c', 'd']));
  });

  it('a lone order that fails is tried once more, then gets its error', async () => {
    repository.refuse = () => true;
    const outcome = writer.write(order('a')).catch((error: Error) => error.message);
    await repository.finish();
    await repository.finish();
    expect(await outcome).toBe('refused: a');
    expect(repository.statements).toEqual([['a'], ['a']]);
    expect(repository.rows).toEqual(new Set());
  });

  it('a batch committed whose answer was lost: its orders are answered as written, each row once', async () => {
    void writer.write(order('a'));
    void writer.write(order('b'));
    const outcomes = ['c', 'd'].map((id) =>
      writer.write(order(id)).then(
        () => `${id} written`,
        (error: Error) => `${id} failed: ${error.message}`,
      ),
    );
    await repository.finish(); // a and b; c and d go together
    repository.loseNextAnswer = true;
    await repository.finish(); // committed, answer lost
    await repository.finish(); // row by row: both there already
    expect(await Promise.all(outcomes)).toEqual(['c written', 'd written']);
    expect(repository.statements).toEqual([['a'], ['b'], ['c', 'd'], ['c'], ['d']]);
    expect(repository.rows).toEqual(new Set(['a', 'b', 'c', 'd']));
  });

  it('a lone order whose answer was lost is answered as written', async () => {
    repository.loseNextAnswer = true;
    const outcome = writer.write(order('a')).then(() => 'written');
    await repository.finish();
    await repository.finish();
    expect(await outcome).toBe('written');
  });
});
