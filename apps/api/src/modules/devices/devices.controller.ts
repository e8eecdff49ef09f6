import { Controller, Delete, Get, HttpCode } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DeviceView, ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { IdParam } from '../../common/http/id-param';
import { ApiErrors } from '../../common/http/openapi';
import { Requires } from '../../common/http/roles.decorator';
import { UsersService } from '../users/users.service';

import { DeviceId, DeviceViewDto } from './devices.dto';
import { DevicesService } from './devices.service';

/** A user's devices, for admins (the bot's are under `/keys/:telegramId/devices`). */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users/:id/devices')
export class UserDevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @Requires('users:read')
  @ApiOkResponse({ type: [DeviceViewDto], description: 'most recently seen first' })
  async list(@IdParam() id: number): Promise<DeviceView[]> {
    await this.requireUser(id);
    return this.devices.list(id);
  }

  @Delete(':deviceId')
  @Requires('users:access')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'forgotten: its next fetch counts as a new device' })
  @ApiErrors(ErrorCode.DeviceNotFound)
  async remove(@IdParam() id: number, @DeviceId() deviceId: number): Promise<void> {
    await this.requireUser(id);
    await this.devices.remove(id, deviceId);
  }

  private async requireUser(id: number): Promise<void> {
    const user = await this.users.findById(id);
    if (!user || user.deletedAt) throw new DomainError(ErrorCode.UserNotFound, `user ${id} not found`);
  }
}
