import { ApiParam, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ErrorCode } from '@fleet/contract';
import type { KeyNodeView, KeySeatView, KeyView, UserKeysView } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { INT4_MAX } from '../../common/http/strict-input';
import { AccessPatchDto } from '../access/access.dto';
import { PageQueryDto } from '../events/events.dto';
import { AccessViewDto, SeatGroupDto, SeatNodeDto } from '../users/users.dto';
import { PageOf } from '../../common/http/page.dto';

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

export class KeyServerDto {
  @ApiProperty({ type: SeatGroupDto }) group: SeatGroupDto;
  @ApiProperty({ type: SeatNodeDto }) node: SeatNodeDto;
  @ApiProperty({ format: 'date-time' }) assignedAt: string;
}

export class KeySeatDto extends KeyServerDto implements KeySeatView {
  @ApiProperty({ example: 'vless://…', description: 'the share link, named after the group' }) key: string;
}

export class KeyNodeViewDto implements KeyNodeView {
  @ApiProperty({ type: SeatNodeDto, description: 'the first server’s node' }) node: SeatNodeDto;
  @ApiProperty({ format: 'date-time' }) assignedAt: string;
  @ApiProperty({ type: [KeyServerDto], description: 'every server of the user, in group order' })
  servers: KeyServerDto[];
}

export class KeyViewDto implements KeyView {
  @ApiProperty() telegramId: number;
  @ApiProperty() userId: number;
  @ApiProperty({ example: 'vless://…', description: 'the first server’s share link' }) key: string;
  @ApiProperty() subscriptionUrl: string;
  @ApiProperty({ type: SeatNodeDto, description: 'the first server’s node' }) node: SeatNodeDto;
  @ApiProperty({ format: 'date-time' }) assignedAt: string;
  @ApiProperty({ type: [KeySeatDto], description: 'every server of the user, in group order' }) keys: KeySeatDto[];
  @ApiProperty({ type: AccessViewDto }) access: AccessViewDto;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'when the ledger last saw traffic' })
  onlineAt: string | null;
  @ApiProperty({ format: 'date-time', description: 'when the user last got a server' }) lastNodeChange: string;
  @ApiPropertyOptional({ description: 'on a PUT with a plan: whether the user was created with it' })
  planApplied?: boolean;
}

export class UserKeysViewDto implements UserKeysView {
  @ApiProperty() userId: number;
  @ApiProperty({ description: 'the user’s subscription URL (its token is the credential)' }) subscriptionUrl: string;
  @ApiProperty({
    type: [KeySeatDto],
    description: 'every server of the user, in group order; none while it holds none',
  })
  keys: KeySeatDto[];
}

/** A page of keys (the bot's lookup). */
export class KeyPageDto extends PageOf(KeyViewDto) {}

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
