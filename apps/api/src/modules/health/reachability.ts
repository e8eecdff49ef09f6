import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * The quick first step of a check: does the panel's web server answer at all (any HTTP status) within a short
 * timeout? A refused port, a dead host and a hung server fail here in at most `timeoutMs`, so dead nodes do not
 * hold a sweep's slots for the whole check timeout. Answers null when it answered, else why not.
 */
export function probeHttp(
  panelUrl: string,
  timeoutMs: number,
  tlsVerify: boolean,
): Promise<{ reason: 'timeout' | 'refused' | 'unreachable'; detail: string } | null> {
  const url = new URL(panelUrl);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const request = send(url, { method: 'GET', rejectUnauthorized: tlsVerify, agent: false }, (response) => {
      response.resume();
      request.destroy();
      resolve(null);
    });
    request.setTimeout(timeoutMs, () => {
      request.destroy();
      resolve({ reason: 'timeout', detail: `no answer within ${timeoutMs} ms` });
    });
    request.once('error', (error: NodeJS.ErrnoException) =>
      resolve({
        reason: error.code === 'ECONNREFUSED' ? 'refused' : 'unreachable',
        detail: `connect failed: ${error.code ?? error.message}`,
      }),
    );
    request.end();
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
