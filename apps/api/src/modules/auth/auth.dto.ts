import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ROLES } from '@fleet/contract';
import type { Role } from '@fleet/contract';

/** argon2id takes any length; this only bounds the work one request can ask for. */
const PASSWORD_MAX_LENGTH = 1024;

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

  @ApiProperty({ format: 'password', minLength: 12, maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @Length(12, PASSWORD_MAX_LENGTH)
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

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}

export class ApiTokenViewDto {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ description: 'first characters of the token, to tell tokens apart' }) prefix: string;
  @ApiProperty() createdBy: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt: string | null;
}

export class CreatedApiTokenDto extends ApiTokenViewDto {
  @ApiProperty({ description: 'the token itself; shown only in this response' }) token: string;
}
