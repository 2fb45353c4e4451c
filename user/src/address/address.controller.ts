import { Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { idPipe, UserId } from '@runrun/common';
import { AddressItem, AddressService } from './address.service';
import { ApiTags } from '@nestjs/swagger';

const addressIdPipe = idPipe('addressId');

@ApiTags('addresses')
@Controller('users/addresses')
export class AddressController {
  constructor(private readonly addresses: AddressService) {}

  @Get('default')
  getDefault(@UserId() userId: number): Promise<AddressItem> {
    return this.addresses.getDefault(userId);
  }

  @Get()
  list(@UserId() userId: number): Promise<AddressItem[]> {
    return this.addresses.list(userId);
  }

  /** Makes this address the default. */
  @Put(':addressId')
  async makeDefault(@UserId() userId: number, @Param('addressId', addressIdPipe) addressId: number): Promise<void> {
    await this.addresses.makeDefault(userId, addressId);
  }

  @Delete(':addressId')
  async delete(@UserId() userId: number, @Param('addressId', addressIdPipe) addressId: number): Promise<void> {
    await this.addresses.delete(userId, addressId);
  }
}
