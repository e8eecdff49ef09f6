import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SecretBox } from '../../common/crypto/secret-box';
import { Admin } from './admin.entity';
import { AdminsController } from './admins.controller';
import { AdminsRepository } from './admins.repository';
import { AdminsService } from './admins.service';
import { ApiToken } from './api-token.entity';
import { ApiTokensService } from './api-tokens.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { TokensController } from './tokens.controller';

@Module({
  imports: [
    TypeOrmModule.forFeature([Admin, ApiToken]),
    JwtModule.registerAsync({
      inject: [SecretBox],
      // A KeyObject, not a Buffer: jsonwebtoken would otherwise try (and fail) to parse it as a public key on every
      // verification, which costs more than the rest of a request.
      useFactory: (secrets: SecretBox) => ({
        secret: createSecretKey(secrets.jwtSigningKey) as unknown as Buffer,
        signOptions: { algorithm: 'HS256' },
      }),
    }),
  ],
  controllers: [AuthController, AdminsController, TokensController],
  providers: [
    AuthService,
    AdminsService,
    AdminsRepository,
    ApiTokensService,
    PasswordHasher,
    LoginThrottle,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
})
export class AuthModule {}
