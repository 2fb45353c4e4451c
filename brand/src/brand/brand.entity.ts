import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Audited } from '@runrun/mysql';

/** A seller's brand (store), table `brands` as the original. */
@Entity({ name: 'brands' })
@Index('idx_user_id', ['userId'])
export class Brand extends Audited {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ length: 50 })
  name!: string;

  @Column({ name: 'legal_name', length: 50 })
  legalName!: string;

  /** Storage key of the thumbnail image, not a URL. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  thumbnail!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  introduction!: string | null;

  @Column({ name: 'registration_number', type: 'varchar', length: 12, nullable: true })
  registrationNumber!: string | null;

  @Column({ name: 'delivery_fee', type: 'int', default: 0 })
  deliveryFee!: number;

  /** Order subtotal from which delivery is free. */
  @Column({ name: 'free_delivery_infimum', type: 'int', default: 0 })
  freeDeliveryInfimum!: number;

  @Column({ name: 'user_id', type: 'bigint' })
  userId!: string;
}
