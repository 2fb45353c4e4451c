import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Ids of Kafka events already applied, written in the same transaction as their effect. */
@Entity({ name: 'processed_events' })
export class ProcessedEvent {
  @PrimaryColumn({ name: 'event_id', length: 191 })
  eventId!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
