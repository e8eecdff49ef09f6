import { connect } from 'node:net';

/** The quick first step of a check: can a TCP connection to the panel's port be opened at all? */
export function probeTcp(panelUrl: string, timeoutMs: number): Promise<string | null> {
  const url = new URL(panelUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port });
    const done = (error: string | null) => {
      socket.destroy();
      resolve(error);
    };
    socket.setTimeout(timeoutMs, () => done(`connect timed out after ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`connect failed: ${error.code ?? error.message}`));
  });
}

/** Rejects with a timeout error when `work` takes longer than `ms` (its own requests end on their own timeouts). */
export async function withinTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
