import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ACCESS_STATUSES } from '@fleet/contract';
import type { AccessStatus } from '@fleet/contract';
import { OptionalIdQuery } from '../../common/http/validation';
import { IdKeysetQueryDto } from '../events/events.dto';

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
