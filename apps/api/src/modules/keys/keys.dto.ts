import { ApiParam, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { INT4_MAX } from '../../common/http/strict-input';
import { AccessPatchDto } from '../access/access.dto';
import { PageQueryDto } from '../events/events.dto';

export class GetOrCreateKeyDto {
  @ApiPropertyOptional({ maxLength: 255, description: 'Telegram username, shown to admins' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  username?: string;

  @ApiPropertyOptional({ maxLength: 64, description: 'preferred node location; any node when none matches' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/\S/, { message: 'location must not be blank' })
  location?: string;

  @ApiPropertyOptional({
    type: AccessPatchDto,
    description:
      'the plan a new user is created with, in the same transaction (their first panel clients carry it); ignored ' +
      'for an existing user (`planApplied: false`)',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AccessPatchDto)
  plan?: AccessPatchDto;
}

/** `GET /keys?username=`: the bot finds its users by Telegram username (exact, case-insensitive). */
export class KeyLookupQueryDto extends PageQueryDto {
  @ApiProperty({ maxLength: 255, example: 'alice' })
  @IsString()
  @MaxLength(255)
  @Matches(/\S/, { message: 'username must not be blank' })
  username: string;
}

/** `POST …/relocate`: a node in another location, within the group of the seat it moves. */
export class RelocateDto {
  @ApiProperty({ maxLength: 64, example: 'Frankfurt, DE', description: 'the location to move to (case-insensitive)' })
  @IsString()
  @MaxLength(64)
  @Matches(/\S/, { message: 'location must not be blank' })
  location: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: INT4_MAX,
    description: 'the group whose server moves; required when the user holds several',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT4_MAX)
  groupId?: number;
}

export class KeySeatDto {
  @ApiProperty({ description: 'the group this server stands for: {id, name, countryCode}' })
  group: { id: number; name: string; countryCode: string | null };
  @ApiProperty({ description: 'the node serving it: {id, name, location}' })
  node: { id: number; name: string; location: string | null };
  @ApiProperty({ example: 'vless://…' }) key: string;
  @ApiProperty() assignedAt: string;
}

export class KeyServerDto {
  @ApiProperty({ description: 'the group this server stands for: {id, name, countryCode}' })
  group: { id: number; name: string; countryCode: string | null };
  @ApiProperty({ description: 'the node serving it: {id, name, location}' })
  node: { id: number; name: string; location: string | null };
  @ApiProperty() assignedAt: string;
}

export class KeyNodeViewDto {
  @ApiProperty({ description: 'the first server’s node' }) node: { id: number; name: string; location: string | null };
  @ApiProperty() assignedAt: string;
  @ApiProperty({ type: [KeyServerDto], description: 'every server of the user, in group order' })
  servers: KeyServerDto[];
}

export class KeyViewDto {
  @ApiProperty() telegramId: number;
  @ApiProperty() userId: number;
  @ApiProperty({ example: 'vless://…', description: 'the first server’s share link' }) key: string;
  @ApiProperty() subscriptionUrl: string;
  @ApiProperty({ description: 'the first server’s node' }) node: { id: number; name: string; location: string | null };
  @ApiProperty() assignedAt: string;
  @ApiProperty({ type: [KeySeatDto], description: 'every server of the user, in group order' }) keys: KeySeatDto[];
}

/**
 * The `:telegramId` path parameter: a positive integer up to 2^53-1 written in plain decimal digits, no leading zero.
 * Read from the raw path, so implicit conversions (`1e3`, `0x10`) never slip through.
 */
export const TelegramId = createParamDecorator(
  (_: unknown, context: ExecutionContext): number => {
    const raw = String(context.switchToHttp().getRequest<{ params: Record<string, string> }>().params['telegramId']);
    const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id) || id < 1) {
      throw new DomainError(ErrorCode.ValidationFailed, [
        'telegramId must be a positive integer up to 9007199254740991',
      ]);
    }
    return id;
  },
  // Declared in the OpenAPI document, which a custom decorator would otherwise leave out (typed clients need it).
  [
    (target, key) =>
      ApiParam({ name: 'telegramId', schema: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } })(
        target,
        key!,
        Object.getOwnPropertyDescriptor(target, key!)!,
      ),
  ],
);
