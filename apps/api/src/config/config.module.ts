import { Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { SecretBox } from '../common/crypto/secret-box';
import { CrashPoints } from '../common/background/crash-points';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Makes the configuration parsed at boot, and the secret box built from it, injectable. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, secretBox: SecretBox) {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: SecretBox, useValue: secretBox },
        { provide: CrashPoints, useValue: new CrashPoints(config.crashPoint) },
      ],
      exports: [APP_CONFIG, SecretBox, CrashPoints],
    };
  }
}
