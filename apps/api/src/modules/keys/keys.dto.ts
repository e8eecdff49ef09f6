import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';

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
}

export class KeyViewDto {
  @ApiProperty() telegramId: number;
  @ApiProperty() userId: number;
  @ApiProperty({ example: 'vless://…' }) key: string;
  @ApiProperty() subscriptionUrl: string;
  @ApiProperty() node: { id: number; name: string; location: string | null };
  @ApiProperty() assignedAt: string;
}

/** `telegramId`: a positive integer up to 2^53-1, in decimal. */
@Injectable()
export class ParseTelegramIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const id = /^[1-9]\d{0,15}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(id)) {
      throw new DomainError(ErrorCode.ValidationFailed, [
        `${metadata.data ?? 'telegramId'} must be a positive integer up to 9007199254740991`,
      ]);
    }
    return id;
  }
}
