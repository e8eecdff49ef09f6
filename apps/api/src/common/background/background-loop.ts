import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

/** Every loop started in this process, so a shutdown can stop them all at once. */
const started = new Set<BackgroundLoop>();

/**
 * Runs `work` every `intervalMs`, never overlapping itself; failures are logged and the loop goes on.
 * Registered with the scheduler so it stops with the application. `kick()` runs it as soon as possible.
 */
export class BackgroundLoop {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  private readonly wakers = new Set<() => void>();
  private readonly logger: Logger;

  constructor(
    private readonly name: string,
    private readonly work: () => Promise<unknown>,
  ) {
    this.logger = new Logger(name);
    started.add(this);
  }

  /** Stops every loop of the process (graceful shutdown): no new run starts; resolves when the runs under way end. */
  static stopAll(): Promise<void> {
    return Promise.all([...started].map((loop) => loop.stop())).then(() => undefined);
  }

  start(scheduler: SchedulerRegistry, intervalMs: number): void {
    this.timer = setInterval(() => void this.kick(), intervalMs);
    scheduler.addInterval(this.name, this.timer);
  }

  /** True once the loop is stopping: long work checks it between steps and returns early. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Runs now, or once more right after the run in progress; nothing once stopped. */
  kick(): Promise<void> {
    if (this.stopped) return this.running ?? Promise.resolve();
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
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = null));
    return this.running;
  }

  /** Waits `ms`, or less when the loop is stopped meanwhile (a pause inside work never holds up a shutdown). */
  pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timeout);
        this.wakers.delete(wake);
        resolve();
      };
      const timeout = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  /** No new run starts; resolves when the run under way (told by `stopping`) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const wake of [...this.wakers]) wake();
    started.delete(this);
    await this.running;
  }

  /** At shutdown: stops the loop and waits for the run in progress. */
  idle(): Promise<void> {
    return this.stop();
  }
}
