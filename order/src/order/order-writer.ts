import { Injectable } from '@nestjs/common';
import { isDuplicateKey } from '@runrun/mysql';
import { NewOrder, OrderRepository } from './order.repository';

/** Rows of one INSERT at most. */
const MAX_ROWS = 100;
/** INSERTs of this process in flight at once; the orders that come meanwhile wait for the next. */
const MAX_IN_FLIGHT = 2;

interface Waiting {
  order: NewOrder;
  written: () => void;
  failed: (error: unknown) => void;
}

/**
 * New orders written together: an order goes at once when fewer than MAX_IN_FLIGHT INSERTs are
 * under way; otherwise it waits with the others that come meanwhile, and they go in one INSERT
 * when one finishes. In a rush that is one statement, one round trip and one commit for many
 * orders; a lone order waits for nothing. Each caller is answered once its row is committed (a
 * multi-row INSERT commits all its rows or none). A batch that fails (a lone order too) is written
 * again row by row, so a bad row fails alone and each caller gets its own outcome; a row that is
 * there already was committed by the batch whose answer was lost (a connection cut at that
 * instant), and its order is answered as written.
 */
@Injectable()
export class OrderWriter {
  private waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly orders: OrderRepository) {}

  write(order: NewOrder): Promise<void> {
    return new Promise((written, failed) => {
      this.waiting.push({ order, written, failed });
      this.next();
    });
  }

  private next(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length) {
      const batch = this.waiting.splice(0, MAX_ROWS);
      this.inFlight++;
      void this.writeBatch(batch).finally(() => {
        this.inFlight--;
        this.next();
      });
    }
  }

  private async writeBatch(batch: Waiting[]): Promise<void> {
    try {
      await this.orders.insertMany(batch.map((w) => w.order));
      for (const w of batch) w.written();
    } catch {
      await Promise.all(
        batch.map((w) =>
          this.orders.insert(w.order).then(
            () => w.written(),
            // its order id is taken: the batch committed it and only its answer was lost
            (rowError: unknown) => (isDuplicateKey(rowError) ? w.written() : w.failed(rowError)),
          ),
        ),
      );
    }
  }
}
