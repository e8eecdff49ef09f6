import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;
}

export class EventQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'node.created' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z_.]+$/, { message: 'type must be an event type such as node.created' })
  type?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  nodeId?: number;
}

export class EventViewDto {
  @ApiPropertyOptional() id: number;
  @ApiPropertyOptional() type: string;
  @ApiPropertyOptional({ nullable: true, type: Number }) nodeId: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) userId: number | null;
  @ApiPropertyOptional({ example: 'admin:alice' }) actor: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) payload: Record<string, unknown>;
  @ApiPropertyOptional() createdAt: string;
}

export class EventPageDto {
  @ApiPropertyOptional({ type: [EventViewDto] }) items: EventViewDto[];
  @ApiPropertyOptional() total: number;
  @ApiPropertyOptional() page: number;
  @ApiPropertyOptional() limit: number;
}
