import { Injectable } from '@nestjs/common';
import type { JobKind } from '@fleet/contract';
import { Job } from './job.entity';

/** How a job of one kind ends, registered by the module that starts such jobs. */
export interface JobEnding {
  /**
   * Once no item is pending, before the job is recorded finished: what is left to do (e.g. delete the emptied node).
   * Given the items' error, answers the job's error and whether it failed.
   */
  closing?(job: Job, error: string | null): Promise<{ error: string | null; failed: boolean }>;
  /** Once this replica has recorded the job finished. */
  closed?(job: Job): Promise<void>;
}

/** The endings of job kinds, so the runner ends every job the same way and knows none of their business. */
@Injectable()
export class JobEndings {
  private readonly endings = new Map<JobKind, JobEnding>();

  register(kind: JobKind, ending: JobEnding): void {
    if (this.endings.has(kind)) throw new Error(`the ending of ${kind} jobs is registered twice`);
    this.endings.set(kind, ending);
  }

  async closing(job: Job, error: string | null): Promise<{ error: string | null; failed: boolean }> {
    return (await this.endings.get(job.kind)?.closing?.(job, error)) ?? { error, failed: false };
  }

  async closed(job: Job): Promise<void> {
    await this.endings.get(job.kind)?.closed?.(job);
  }
}
