import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { KafkaBus, LOGGER } from '@runrun/common';
import { AddressSaveEvent, Topics } from '@runrun/contracts';
import type { Logger } from 'pino';
import { transaction } from '@runrun/mysql';
import { DataSource } from 'typeorm';
import { AddressService } from './address.service';
import { ProcessedEvent } from './processed-event.entity';

/**
 * `address-events` from order: save the receiver as the shopper's address. The event id is
 * recorded in the same transaction, so a re-delivered event saves nothing twice. An event that can
 * never be saved (malformed, a value too long for its column) is parked on `address-events.dlq` by
 * the bus rather than holding the shopper's later events.
 */
@Injectable()
export class AddressEventsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly kafka: KafkaBus,
    private readonly dataSource: DataSource,
    private readonly addresses: AddressService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.kafka.subscribe<AddressSaveEvent>('user-group', [Topics.ADDRESS], (event, meta) =>
      this.handle(event, meta.eventId),
    );
  }

  async handle(event: AddressSaveEvent, eventId: string): Promise<void> {
    await transaction(this.dataSource, async (tx) => {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(ProcessedEvent)
        .orIgnore()
        .values({ eventId })
        .execute();
      if (inserted.raw.affectedRows === 0) {
        this.logger.info({ eventId }, 'address event already applied');
        return;
      }
      await this.addresses.add(tx, event.userId, {
        isDefault: event.isDefault,
        receiverName: event.name,
        address: event.address,
        zipCode: event.zipCode,
        phone: event.phone,
      });
    });
  }
}
