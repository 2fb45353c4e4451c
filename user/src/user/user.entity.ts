import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { UserRole } from '@runrun/common';
import { Audited } from '@runrun/mysql';

/** Table `users`. E-mail, phone and name are stored encrypted; `emailIndex` finds a user by e-mail. */
@Entity({ name: 'users' })
export class User extends Audited {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'email_index', length: 64, unique: true })
  emailIndex!: string;

  @Column({ length: 255 })
  email!: string;

  @Column({ length: 255 })
  phone!: string;

  @Column({ length: 255 })
  name!: string;

  /** argon2id hash */
  @Column({ length: 255 })
  password!: string;

  @Column({ type: 'varchar', length: 8 })
  type!: UserRole;
}
