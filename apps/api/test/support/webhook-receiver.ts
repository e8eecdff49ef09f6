import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One delivery attempt as the receiver saw it. */
export interface Attempt {
  id: string;
  type: string;
  subject: string;
  sequence: number;
  data: Record<string, unknown>;
  raw: string;
  headers: IncomingHttpHeaders;
  /** Order of arrival among every request and answer of this receiver. */
  arrivedAt: number;
  answeredAt: number | null;
  status: number | null;
}

/**
 * A webhook receiver on a real socket. `answer` picks each attempt's status; it may wait (a slow or hung receiver).
 */
export async function startWebhookReceiver(answer: (attempt: Attempt) => number | Promise<number> = () => 204) {
  const attempts: Attempt[] = [];
  let clock = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw);
      const attempt: Attempt = {
        id: body.id,
        type: body.type,
        subject: body.subject,
        sequence: body.sequence,
        data: body.data,
        raw,
        headers: request.headers,
        arrivedAt: ++clock,
        answeredAt: null,
        status: null,
      };
      attempts.push(attempt);
      const status = await answer(attempt);
      attempt.status = status;
      attempt.answeredAt = ++clock;
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    attempts,
    /** Attempts answered 2xx, in the order they were answered. */
    accepted: () =>
      attempts
        .filter((a) => a.status !== null && a.status < 300)
        .sort((a, b) => (a.answeredAt ?? 0) - (b.answeredAt ?? 0)),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The ordering promise, checked on what a receiver saw: per subject, the accepted messages are numbered 1, 2, 3, …
 * without gap or repeat, and no attempt of a message began before the previous message of its subject had been
 * accepted. Returns the accepted messages by subject.
 */
export function checkSubjectOrder(attempts: Attempt[]): Map<string, Attempt[]> {
  const bySubject = new Map<string, Attempt[]>();
  for (const attempt of attempts) bySubject.set(attempt.subject, [...(bySubject.get(attempt.subject) ?? []), attempt]);
  const accepted = new Map<string, Attempt[]>();
  for (const [subject, list] of bySubject) {
    const firstAccepted = new Map<number, Attempt>();
    for (const attempt of list) {
      if (attempt.status !== null && attempt.status < 300 && !firstAccepted.has(attempt.sequence)) {
        firstAccepted.set(attempt.sequence, attempt);
      }
    }
    const ordered = [...firstAccepted.values()].sort((a, b) => a.answeredAt! - b.answeredAt!);
    const sequences = ordered.map((a) => a.sequence);
    const expected = sequences.map((_, i) => i + 1);
    if (JSON.stringify(sequences) !== JSON.stringify(expected)) {
      throw new Error(`${subject}: accepted sequences ${sequences.join(',')}, expected ${expected.join(',')}`);
    }
    for (const attempt of list) {
      if (attempt.sequence === 1) continue;
      const previous = firstAccepted.get(attempt.sequence - 1);
      if (!previous || previous.answeredAt! > attempt.arrivedAt) {
        throw new Error(`${subject}: #${attempt.sequence} was sent before #${attempt.sequence - 1} was accepted`);
      }
    }
    accepted.set(subject, ordered);
  }
  return accepted;
}
