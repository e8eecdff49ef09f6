import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ACCESS_STATUSES } from '@fleet/contract';
import type { AccessStatus } from '@fleet/contract';
import { INT4_MAX } from '../../common/http/strict-input';
import { OptionalIdQuery } from '../../common/http/validation';
import { IdKeysetQueryDto } from '../events/events.dto';

export class MigrateUserDto {
  @ApiProperty({ minimum: 1, maximum: INT4_MAX })
  @IsInt()
  @Min(1)
  @Max(INT4_MAX)
  nodeId: number;
}

export class UserQueryDto extends IdKeysetQueryDto {
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
