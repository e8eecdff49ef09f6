import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ACCESS_STATUSES, TRAFFIC_RESETS, USER_SORTS } from '@fleet/contract';
import type { AccessStatus, AccessView, TrafficReset, UserServerView, UserSort, UserView } from '@fleet/contract';
import { OptionalIdQuery } from '../../common/http/validation';
import { IdKeysetQueryDto } from '../events/events.dto';
import { PageOf } from '../../common/http/page.dto';

/** Which users: the users table's filters. */
export class UserExportQueryDto {
  @ApiPropertyOptional({ description: 'telegram id, user id or part of the username' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  search?: string;

  @OptionalIdQuery()
  nodeId?: number;

  @ApiPropertyOptional({ enum: ACCESS_STATUSES })
  @IsOptional()
  @IsIn(ACCESS_STATUSES)
  status?: AccessStatus;
}

export class UserQueryDto extends IntersectionType(IdKeysetQueryDto, UserExportQueryDto) {
  @ApiPropertyOptional({
    enum: USER_SORTS,
    default: 'id',
    description: 'the order: by id (creation), expiry or name; a leading - reverses it (`after` pages only by id)',
  })
  @IsOptional()
  @IsIn(USER_SORTS)
  sort?: UserSort;
}

/** The group a server stands for. */
export class SeatGroupDto {
  @ApiProperty() id: number;
  @ApiProperty({ example: 'Germany' }) name: string;
  @ApiProperty({ type: String, nullable: true, example: 'DE', description: 'ISO 3166-1 alpha-2' })
  countryCode: string | null;
}

/** The node serving a server. */
export class SeatNodeDto {
  @ApiProperty() id: number;
  @ApiProperty({ example: 'fra-1' }) name: string;
  @ApiProperty({ type: String, nullable: true, example: 'Frankfurt, DE' }) location: string | null;
}

/** What a user may use, as key and user bodies show it. */
export class AccessViewDto implements AccessView {
  @ApiProperty({ enum: ACCESS_STATUSES }) status: AccessStatus;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null: never' })
  expiresAt: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'the plan starts on first traffic and lasts this long' })
  holdDays: number | null;
  @ApiProperty({ description: '0: unlimited' }) trafficLimitBytes: number;
  @ApiProperty({ enum: TRAFFIC_RESETS }) trafficReset: TrafficReset;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) periodStart: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextResetAt: string | null;
  @ApiProperty({ description: 'traffic of the current period, × each node’s usage multiplier' }) usedBytes: number;
  @ApiProperty({ description: "the panel's limitIp; 0: off" }) deviceLimit: number;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ type: [Number], description: 'the node groups of the plan, in group order' }) groups: number[];
}

/** One of a user's servers, as the users API shows it. */
export class UserServerDto implements UserServerView {
  @ApiProperty({ type: SeatGroupDto }) group: SeatGroupDto;
  @ApiProperty({ type: SeatNodeDto }) node: SeatNodeDto;
  @ApiProperty() clientEmail: string;
  @ApiProperty({ format: 'date-time' }) assignedAt: string;
}

/** A server of the plan that no node of its group could take yet. */
export class UserWaitingDto {
  @ApiProperty({ type: SeatGroupDto }) group: SeatGroupDto;
  @ApiProperty({ format: 'date-time' }) since: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
}

export class UserViewDto implements UserView {
  @ApiProperty() id: number;
  @ApiProperty({ type: Number, nullable: true }) telegramId: number | null;
  @ApiProperty({ type: String, nullable: true }) username: string | null;
  @ApiPropertyOptional({ description: 'the client UUID (a credential): admins only' }) uuid?: string;
  @ApiProperty({ enum: ['bot', 'adopted'] }) source: 'bot' | 'adopted';
  @ApiProperty({ type: SeatNodeDto, nullable: true, description: 'the first server’s node' }) node: SeatNodeDto | null;
  @ApiProperty({ type: String, nullable: true }) clientEmail: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) assignedAt: string | null;
  @ApiProperty({ type: [UserServerDto], description: 'every server, in group order' }) servers: UserServerDto[];
  @ApiProperty({ type: [UserWaitingDto] }) waiting: UserWaitingDto[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: AccessViewDto }) access: AccessViewDto;
}

export class UserPageDto extends PageOf(UserViewDto) {}
