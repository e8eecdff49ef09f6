import { ApiProperty } from '@nestjs/swagger';
import type { DeviceView } from '@fleet/contract';
import { pathId } from '../../common/http/id-param';

/** `@DeviceId()`: the `:deviceId` path parameter. */
export const DeviceId = pathId('deviceId');

export class DeviceViewDto implements DeviceView {
  @ApiProperty() id: number;
  @ApiProperty({ description: 'the hardware id the app sent (`x-hwid`)' }) hwid: string;
  @ApiProperty({ type: String, nullable: true, example: 'iOS' }) os: string | null;
  @ApiProperty({ type: String, nullable: true, example: '18.1' }) osVersion: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'iPhone15,2' }) model: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent: string | null;
  @ApiProperty({ format: 'date-time' }) firstSeenAt: string;
  @ApiProperty({ format: 'date-time', description: 'updated at most once a minute' }) lastSeenAt: string;
}
