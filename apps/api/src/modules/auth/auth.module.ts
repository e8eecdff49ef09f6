import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SecretBox } from '../../common/crypto/secret-box';
import { Admin } from './admin.entity';
import { ApiToken } from './api-token.entity';
import { ApiTokensService } from './api-tokens.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { TokensController } from './tokens.controller';

@Module({
  imports: [
    TypeOrmModule.forFeature([Admin, ApiToken]),
    JwtModule.registerAsync({
      inject: [SecretBox],
      useFactory: (secrets: SecretBox) => ({ secret: secrets.jwtSigningKey, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController, TokensController],
  providers: [AuthService, ApiTokensService, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
