import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Audited } from '@runrun/mysql';

/** A shopper's delivery address (table `addresses`). Receiver name, phone and address are encrypted. */
@Entity({ name: 'addresses' })
@Index('idx_user_id_is_default', ['userId', 'isDefault'])
export class Address extends Audited {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'receiver_name', length: 255 })
  receiverName!: string;

  @Column({ name: 'is_default', default: false })
  isDefault!: boolean;

  @Column({ length: 255 })
  phone!: string;

  @Column({ name: 'zip_code', length: 5 })
  zipCode!: string;

  @Column({ length: 255 })
  address!: string;

  @Column({ name: 'user_id', type: 'bigint' })
  userId!: string;
}
