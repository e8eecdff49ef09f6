import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { GROUP_LIMITS, TRAFFIC_RESETS } from '@fleet/contract';
import { INT4_MAX } from '../../common/http/strict-input';
import { DateInput } from '../../common/http/date-input';
import { unlessAbsent, unlessNull } from '../../common/http/validation';
import type { AccessPatch, TrafficReset } from '@fleet/contract';

/** A group named by its id (a positive integer) or its name. */
@ValidatorConstraint({ name: 'groupRef' })
class GroupRef implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= INT4_MAX;
    return typeof value === 'string' && value.trim().length > 0 && value.length <= GROUP_LIMITS.nameMaxLength;
  }

  defaultMessage(): string {
    return `each entry of $property must be a group id (1–${INT4_MAX}) or a group name (1–${GROUP_LIMITS.nameMaxLength} characters)`;
  }
}

/** `PATCH …/access`: any subset; nullable fields take null to clear (`expiresAt` arrives parsed to a Date). */
export class AccessPatchDto implements Omit<AccessPatch, 'expiresAt'> {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2027-01-01T00:00:00Z',
    description: 'RFC 3339 date-time in the years 2000–9999; null = never',
  })
  @unlessNull()
  @DateInput()
  expiresAt?: Date | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 3650,
    description: 'the plan starts on first traffic',
  })
  @unlessNull()
  @IsInt()
  @Min(1)
  @Max(3650)
  holdDays?: number | null;

  @ApiPropertyOptional({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: '0 = unlimited' })
  @unlessAbsent()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  trafficLimitBytes?: number;

  @ApiPropertyOptional({ enum: TRAFFIC_RESETS })
  @unlessAbsent()
  @IsIn(TRAFFIC_RESETS)
  trafficReset?: TrafficReset;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: "the panel's limitIp; 0 = off" })
  @unlessAbsent()
  @IsInt()
  @Min(0)
  @Max(100)
  deviceLimit?: number;

  @ApiPropertyOptional()
  @unlessAbsent()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500 })
  @unlessNull()
  @IsString()
  @MaxLength(500)
  note?: string | null;

  @ApiPropertyOptional({
    type: 'array',
    items: {
      oneOf: [
        { type: 'integer', minimum: 1, maximum: INT4_MAX },
        { type: 'string', maxLength: 64 },
      ],
    },
    minItems: 1,
    maxItems: GROUP_LIMITS.maxGroups,
    example: ['Germany', 3],
    description: 'the node groups of the plan, by id or name: one server in each',
  })
  @unlessAbsent()
  @IsArray()
  @ArrayMaxSize(GROUP_LIMITS.maxGroups)
  @Validate(GroupRef, { each: true })
  groups?: Array<number | string>;
}

export const ROTATE_SCOPES = ['key', 'all'] as const;
export type RotateScope = (typeof ROTATE_SCOPES)[number];

/** `POST …/rotate`: `key` changes the client's key only (the subscription URL stays); `all` changes both. */
export class RotateDto {
  @ApiPropertyOptional({ enum: ROTATE_SCOPES, default: 'all' })
  @unlessAbsent()
  @IsIn(ROTATE_SCOPES)
  scope?: RotateScope;
}

export class ExtendDto {
  @ApiProperty({ minimum: 1, maximum: 3650 })
  @IsInt()
  @Min(1)
  @Max(3650)
  days: number;
}
