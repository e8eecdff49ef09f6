import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { EventView } from '@fleet/contract';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { OptionalIdQuery, ParsedInput, QueryInt } from '../../common/http/validation';
import { DateInput } from '../../common/http/date-input';
import { EventCursor, parseEventCursor } from './event-cursor';
import { PageOf } from '../../common/http/page.dto';

/** Pages past this are never useful and keep OFFSET within reason. */
export const MAX_PAGE = 100_000;

export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;
}

/** A page of a list in id order; `after` (the previous page's `nextCursor`, an id) pages by key instead of `page`. */
export class IdKeysetQueryDto extends PageQueryDto {
  @OptionalIdQuery()
  after?: number;
}

export class EventQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'node.created' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z_.]+$/, { message: 'type must be an event type such as node.created' })
  type?: string;

  @OptionalIdQuery()
  nodeId?: number;

  @OptionalIdQuery()
  userId?: number;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'events at or after this instant' })
  @IsOptional()
  @DateInput()
  since?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'events before this instant' })
  @IsOptional()
  @DateInput()
  until?: Date;

  @ApiPropertyOptional({ type: String, description: "the previous page's nextCursor: pages by key instead of `page`" })
  @IsOptional()
  @ParsedInput(parseEventCursor, (value) => value instanceof EventCursor, 'a nextCursor from an earlier page')
  after?: EventCursor;
}

export class EventViewDto implements EventView {
  @ApiProperty() id: number;
  @ApiProperty() type: string;
  @ApiProperty({ nullable: true, type: Number }) nodeId: number | null;
  @ApiProperty({ nullable: true, type: Number }) userId: number | null;
  @ApiProperty({ example: 'admin:alice' }) actor: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class EventPageDto extends PageOf(EventViewDto) {}
