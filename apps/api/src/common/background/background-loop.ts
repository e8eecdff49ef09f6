import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

/**
 * Runs `work` every `intervalMs`, never overlapping itself; failures are logged and the loop goes on.
 * Registered with the scheduler so it stops with the application. `kick()` runs it as soon as possible.
 */
export class BackgroundLoop {
  private running: Promise<void> | null = null;
  private again = false;
  private readonly logger: Logger;

  constructor(
    private readonly name: string,
    private readonly work: () => Promise<unknown>,
  ) {
    this.logger = new Logger(name);
  }

  start(scheduler: SchedulerRegistry, intervalMs: number): void {
    scheduler.addInterval(
      this.name,
      setInterval(() => void this.kick(), intervalMs),
    );
  }

  /** Runs now, or once more right after the run in progress. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.work();
        } catch (error) {
          this.logger.error(`${this.name} failed: ${(error as Error).message}`);
        }
      } while (this.again);
    })().finally(() => (this.running = null));
    return this.running;
  }

  /** Waits for a run in progress (used at shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }
}
