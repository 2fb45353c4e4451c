import { Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiErrors, ApiIdParam, idPipe, UserId } from '@runrun/common';
import { AddressItem, AddressService } from './address.service';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';

/** An address as answered (receiver name, phone and address decrypted). */
class AddressAnswer {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty()
  isDefault!: boolean;
  @ApiProperty()
  receiverName!: string;
  @ApiProperty()
  address!: string;
  @ApiProperty({ example: '11234' })
  zipCode!: string;
  @ApiProperty({ example: '010-1234-5678' })
  phone!: string;
}

const addressIdPipe = idPipe('addressId');

@ApiTags('addresses')
@Controller('users/addresses')
export class AddressController {
  constructor(private readonly addresses: AddressService) {}

  @Get('default')
  @ApiOperation({ summary: "The shopper's default address" })
  @ApiOkResponse({ type: AddressAnswer })
  @ApiErrors({ 404: ['ADDRESS_NOT_FOUND'] })
  getDefault(@UserId() userId: number): Promise<AddressItem> {
    return this.addresses.getDefault(userId);
  }

  @Get()
  @ApiOperation({ summary: "The shopper's addresses" })
  @ApiOkResponse({ type: [AddressAnswer] })
  list(@UserId() userId: number): Promise<AddressItem[]> {
    return this.addresses.list(userId);
  }

  /** Makes this address the default. */
  @Put(':addressId')
  @ApiIdParam('addressId')
  @ApiOperation({ summary: 'Make an address the default' })
  @ApiOkResponse({ description: 'done (empty body)' })
  @ApiErrors({ 400: ['ALREADY_DEFAULT_ADDRESS'], 404: ['ADDRESS_NOT_FOUND'] })
  async makeDefault(@UserId() userId: number, @Param('addressId', addressIdPipe) addressId: number): Promise<void> {
    await this.addresses.makeDefault(userId, addressId);
  }

  @Delete(':addressId')
  @ApiIdParam('addressId')
  @ApiOperation({ summary: 'Delete an address (not the only one; the next becomes the default)' })
  @ApiOkResponse({ description: 'deleted (empty body)' })
  @ApiErrors({ 400: ['ONLY_ADDRESS'], 404: ['ADDRESS_NOT_FOUND'] })
  async delete(@UserId() userId: number, @Param('addressId', addressIdPipe) addressId: number): Promise<void> {
    await this.addresses.delete(userId, addressId);
  }
}
