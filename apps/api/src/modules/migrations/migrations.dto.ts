import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../events/events.dto';

export class RebalanceDto {
  @ApiProperty({ description: 'true: return the plan only; false: start a job' })
  @IsBoolean()
  dryRun: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  maxMoves?: number;
}

export class MigrateUserDto {
  @ApiProperty()
  @IsInt()
  @Min(1)
  nodeId: number;
}

export class UserQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'telegram id, user id or part of the username' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  search?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  nodeId?: number;
}
