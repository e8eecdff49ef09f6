import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { ADMIN_ROLES, SCOPES, TOKEN_PRESETS } from '@fleet/contract';
import type { AdminRole, AdminView, ApiTokenView, Scope, TokenPreset, WhoAmI } from '@fleet/contract';
import { DateInput } from '../../common/http/date-input';
import { unlessAbsent, unlessNull } from '../../common/http/validation';

/** argon2id takes any length; this only bounds the work one request can ask for. */
const PASSWORD_MAX_LENGTH = 1024;
const NEW_PASSWORD_MIN_LENGTH = 12;
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  username: string;

  @ApiProperty({ format: 'password', maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password', maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword: string;

  @ApiProperty({ format: 'password', minLength: NEW_PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @Length(NEW_PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH)
  newPassword: string;
}

export class LoginResponseDto {
  @ApiProperty() accessToken: string;
  @ApiProperty({ description: 'seconds until the access token expires' }) expiresIn: number;
}

export class CreateTokenDto {
  @ApiProperty({ example: 'telegram-bot', maxLength: 64 })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(64)
  name: string;

  @ApiPropertyOptional({
    enum: TOKEN_PRESETS,
    description:
      'a preset of scopes (`bot`: the /keys routes; `admin` is the former name of `owner`); or give `scopes`',
  })
  @unlessAbsent()
  @IsIn(TOKEN_PRESETS)
  role?: TokenPreset;

  @ApiPropertyOptional({ enum: SCOPES, isArray: true, description: 'the scopes one by one; or give `role`' })
  @unlessAbsent()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @IsIn(SCOPES, { each: true })
  scopes?: Scope[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'refused from then on (RFC 3339, in the future); absent or null: never expires',
  })
  @unlessNull()
  @DateInput()
  expiresAt?: Date | null;
}

export class ApiTokenViewDto implements ApiTokenView {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty({ enum: TOKEN_PRESETS, nullable: true, description: 'the preset it was made from' })
  role: TokenPreset | null;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: Scope[];
  @ApiProperty({ description: 'first characters of the token, to tell tokens apart' }) prefix: string;
  @ApiProperty() createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastUsedAt: string | null;
}

export class CreatedApiTokenDto extends ApiTokenViewDto {
  @ApiProperty({ description: 'the token itself; shown only in this response' }) token: string;
}

export class AdminViewDto implements AdminView {
  @ApiProperty() id: number;
  @ApiProperty() username: string;
  @ApiProperty({ enum: ADMIN_ROLES }) role: AdminRole;
  @ApiProperty({ description: 'cannot log in; their sessions have ended' }) disabled: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class CreateAdminDto {
  @ApiProperty({ example: 'alice', pattern: USERNAME.source })
  @IsString()
  @Matches(USERNAME, { message: 'username must be 1–64 letters, digits or . _ @ -' })
  username: string;

  @ApiProperty({ format: 'password', minLength: NEW_PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @Length(NEW_PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH)
  password: string;

  @ApiProperty({ enum: ADMIN_ROLES })
  @IsIn(ADMIN_ROLES)
  role: AdminRole;
}

export class UpdateAdminDto {
  @ApiPropertyOptional({ enum: ADMIN_ROLES })
  @unlessAbsent()
  @IsIn(ADMIN_ROLES)
  role?: AdminRole;

  @ApiPropertyOptional({ description: 'a disabled admin cannot log in and their sessions end at once' })
  @unlessAbsent()
  @IsBoolean()
  disabled?: boolean;
}

export class WhoAmIDto implements WhoAmI {
  @ApiProperty({ enum: ['admin', 'token'] }) kind: 'admin' | 'token';
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty({ enum: [...ADMIN_ROLES, ...TOKEN_PRESETS.filter((preset) => preset !== 'admin')], nullable: true })
  role: AdminRole | TokenPreset | null;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: Scope[];
}
