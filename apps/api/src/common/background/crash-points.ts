import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

/**
 * Named points between the steps of work that moves users. With `CRASH_POINT=<name>` (tests only) the process
 * kills itself there with SIGKILL, so crash recovery is tested against a real crash, not a thrown error.
 */
@Injectable()
export class CrashPoints {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  reach(name: string): void {
    if (this.config.crashPoint === name) process.kill(process.pid, 'SIGKILL');
  }
}
