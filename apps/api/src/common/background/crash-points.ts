/**
 * Named points between the steps of work that moves users. With `CRASH_POINT=<name>` (tests only) the process
 * kills itself there with SIGKILL, so crash recovery is tested against a real crash, not a thrown error.
 */
export class CrashPoints {
  constructor(private readonly armed: string | null) {}

  reach(name: string): void {
    if (this.armed === name) process.kill(process.pid, 'SIGKILL');
  }
}
