import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { GROUP_LIMITS } from '@fleet/contract';
import type { GroupView } from '@fleet/contract';
import { unlessAbsent, unlessNull } from '../../common/http/validation';

const trim = Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
const upper = Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value));

class GroupFields {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'DE',
    description: 'ISO 3166-1 alpha-2 country code (any case; stored upper case), null when not a country',
  })
  @unlessNull()
  @upper
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be two letters (ISO 3166-1 alpha-2), e.g. DE' })
  countryCode?: string | null;

  @ApiPropertyOptional({ minimum: GROUP_LIMITS.sortOrderMin, maximum: GROUP_LIMITS.sortOrderMax, default: 0 })
  @unlessAbsent()
  @IsInt()
  @Min(GROUP_LIMITS.sortOrderMin)
  @Max(GROUP_LIMITS.sortOrderMax)
  sortOrder?: number;

  @ApiPropertyOptional({ description: "new users' plans include this group unless they name their groups" })
  @unlessAbsent()
  @IsBoolean()
  defaultForNewUsers?: boolean;
}

export class CreateGroupDto extends GroupFields {
  @ApiProperty({ example: 'Germany', maxLength: GROUP_LIMITS.nameMaxLength })
  @trim
  @IsString()
  @Length(1, GROUP_LIMITS.nameMaxLength)
  name: string;
}

/** Every field optional; `countryCode: null` clears it. */
export class UpdateGroupDto extends GroupFields {
  @ApiPropertyOptional({ example: 'Germany', maxLength: GROUP_LIMITS.nameMaxLength })
  @unlessAbsent()
  @trim
  @IsString()
  @Length(1, GROUP_LIMITS.nameMaxLength)
  name?: string;
}

export class GroupViewDto implements GroupView {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String, example: 'DE' }) countryCode: string | null;
  @ApiProperty() sortOrder: number;
  @ApiProperty() defaultForNewUsers: boolean;
  @ApiProperty() nodeCount: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
