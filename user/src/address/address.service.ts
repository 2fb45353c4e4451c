import { Injectable } from '@nestjs/common';
import { transaction } from '@runrun/mysql';
import { DataSource, EntityManager } from 'typeorm';
import { PiiCipher } from '../crypto/pii-cipher';
import { UserErrors } from '../errors';
import { User } from '../user/user.entity';
import { Address } from './address.entity';

export interface NewAddress {
  isDefault: boolean;
  receiverName: string;
  address: string;
  zipCode: string;
  phone: string;
}

export interface AddressItem extends NewAddress {
  id: number;
}

/**
 * A user's addresses. Every change first locks the user's row (a primary-key lock: unrelated
 * users never block or deadlock each other), so concurrent changes cannot leave a user with no
 * address, no default, or two defaults.
 */
@Injectable()
export class AddressService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
  ) {}

  /** Default first, then in the order they were added. */
  async list(userId: number): Promise<AddressItem[]> {
    const rows = await this.dataSource
      .getRepository(Address)
      .find({ where: { userId: String(userId) }, order: { isDefault: 'DESC', id: 'ASC' } });
    return rows.map((row) => this.toItem(row));
  }

  async getDefault(userId: number): Promise<AddressItem> {
    const row = await this.dataSource.getRepository(Address).findOneBy({ userId: String(userId), isDefault: true });
    if (!row) throw UserErrors.addressNotFound();
    return this.toItem(row);
  }

  /** The first address of a user being created in `tx`: the default, nothing to lock. */
  async addFirst(tx: EntityManager, userId: number, address: Omit<NewAddress, 'isDefault'>): Promise<void> {
    await tx.insert(Address, this.row(userId, { ...address, isDefault: true }));
  }

  /** Adds an address; a default one (or the user's first) turns the previous default off. */
  async add(tx: EntityManager, userId: number, address: NewAddress): Promise<void> {
    const current = await this.lockAll(tx, userId);
    const isDefault = address.isDefault || !current.some((a) => a.isDefault);
    if (isDefault) await this.clearDefault(tx, userId);
    await tx.insert(Address, this.row(userId, { ...address, isDefault }));
  }

  private row(userId: number, address: NewAddress): Partial<Address> {
    return {
      userId: String(userId),
      isDefault: address.isDefault,
      receiverName: this.cipher.encrypt(address.receiverName),
      address: this.cipher.encrypt(address.address),
      zipCode: address.zipCode,
      phone: this.cipher.encrypt(address.phone),
    };
  }

  async makeDefault(userId: number, addressId: number): Promise<void> {
    await transaction(this.dataSource, async (tx) => {
      const target = this.owned(await this.lockAll(tx, userId), addressId);
      if (target.isDefault) throw UserErrors.alreadyDefaultAddress();
      await this.clearDefault(tx, userId);
      await tx.update(Address, { id: target.id }, { isDefault: true });
    });
  }

  /** The only address cannot go; deleting the default hands it to the next address in the list. */
  async delete(userId: number, addressId: number): Promise<void> {
    await transaction(this.dataSource, async (tx) => {
      const all = await this.lockAll(tx, userId);
      const target = this.owned(all, addressId);
      if (all.length === 1) throw UserErrors.onlyAddress();
      await tx.delete(Address, { id: target.id });
      if (target.isDefault) {
        const next = all.find((a) => a.id !== target.id)!;
        await tx.update(Address, { id: next.id }, { isDefault: true });
      }
    });
  }

  /**
   * The user's addresses, with the user's row locked. For an id without a user row (an event about
   * an unknown user) the address rows themselves are locked instead.
   */
  private async lockAll(tx: EntityManager, userId: number): Promise<Address[]> {
    const user = await tx
      .getRepository(User)
      .findOne({ where: { id: String(userId) }, lock: { mode: 'pessimistic_write' } });
    return tx.getRepository(Address).find({
      where: { userId: String(userId) },
      order: { isDefault: 'DESC', id: 'ASC' },
      ...(user ? {} : { lock: { mode: 'pessimistic_write' as const } }),
    });
  }

  /** Another user's address is answered as not found: its existence is not revealed. */
  private owned(addresses: Address[], addressId: number): Address {
    const target = addresses.find((a) => a.id === String(addressId));
    if (!target) throw UserErrors.addressNotFound();
    return target;
  }

  private clearDefault(tx: EntityManager, userId: number) {
    return tx.update(Address, { userId: String(userId), isDefault: true }, { isDefault: false });
  }

  private toItem(row: Address): AddressItem {
    return {
      id: Number(row.id),
      isDefault: row.isDefault,
      receiverName: this.cipher.decrypt(row.receiverName),
      address: this.cipher.decrypt(row.address),
      zipCode: row.zipCode,
      phone: this.cipher.decrypt(row.phone),
    };
  }
}
