import { Controller, Delete, Get, HttpCode } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DeviceView, ErrorCode } from '@fleet/contract';
import { ApiErrors } from '../../common/http/openapi';
import { Requires } from '../../common/http/roles.decorator';
import { DeviceId, DeviceViewDto } from '../devices/devices.dto';
import { DevicesService } from '../devices/devices.service';
import { TelegramId } from './keys.dto';
import { KeysService } from './keys.service';

/** The devices a user's apps fetched the subscription from, as the bot sees them. */
@ApiTags('keys')
@ApiBearerAuth()
@Controller('keys/:telegramId/devices')
export class KeyDevicesController {
  constructor(
    private readonly keys: KeysService,
    private readonly devices: DevicesService,
  ) {}

  @Get()
  @Requires('keys:read')
  @ApiOkResponse({ type: [DeviceViewDto], description: 'most recently seen first' })
  async list(@TelegramId() telegramId: number): Promise<DeviceView[]> {
    return this.devices.list(await this.keys.userIdOf(telegramId));
  }

  @Delete(':deviceId')
  @Requires('keys:write')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'forgotten: its next fetch counts as a new device' })
  @ApiErrors(ErrorCode.DeviceNotFound)
  async remove(@TelegramId() telegramId: number, @DeviceId() deviceId: number): Promise<void> {
    await this.devices.remove(await this.keys.userIdOf(telegramId), deviceId);
  }
}
