import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, Socket } from 'node:net';

export interface HttpDrain {
  /**
   * Stops accepting connections, lets the requests in flight finish and closes keep-alive connections as they fall
   * idle; resolves when no connection is left, or after `timeoutMs`, when those left are cut (answers how many requests
   * were).
   */
  drain(timeoutMs: number): Promise<{ cut: number }>;
}

/** A kept-alive connection idle this long while draining is closed (its client is not about to send on it). */
const IDLE_GRACE_MS = 1000;
const SWEEP_EVERY_MS = 100;

/**
 * Keeps track of the server's connections so that a stop can drain it. Once draining, every answer still to be sent —
 * for a request in flight, or one that arrives on a keep-alive connection opened before — carries `Connection: close`,
 * so the client takes its next request elsewhere and Node closes the connection after it; connections that sit idle
 * are closed once idle for IDLE_GRACE_MS, not at once, because a client may be writing its next request on one right
 * then, and closing it under that request would cut it. Install before the server listens.
 */
export function drainable(server: Server): HttpDrain {
  /** Open connections: requests under way on each, and since when it has had none. */
  const connections = new Map<Socket, { active: number; idleSince: number }>();
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  const closeAfter = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader('Connection', 'close');
  };
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { active: 0, idleSince: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.prependListener('request', (request, response: ServerResponse) => {
    const connection = connections.get(request.socket);
    if (connection) connection.active++;
    inFlight.add(response);
    if (draining) closeAfter(response);
    response.once('close', () => {
      inFlight.delete(response);
      if (connection && --connection.active === 0) connection.idleSince = Date.now();
    });
  });
  const closeIdle = (now: number) => {
    for (const [socket, { active, idleSince }] of connections) {
      if (active === 0 && now - idleSince >= IDLE_GRACE_MS) socket.destroy();
    }
  };
  return {
    async drain(timeoutMs) {
      draining = true;
      for (const response of inFlight) closeAfter(response);
      // The listener closes now; `http.Server.close` would also shut every idle connection at once (see above).
      const closed = new Promise<'closed'>((resolve) =>
        NetServer.prototype.close.call(server, () => resolve('closed')),
      );
      const sweep = setInterval(() => closeIdle(Date.now()), SWEEP_EVERY_MS);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      const outcome = await Promise.race([closed, late]);
      clearInterval(sweep);
      clearTimeout(timer);
      if (outcome === 'closed') return { cut: 0 };
      const cut = inFlight.size;
      for (const socket of connections.keys()) socket.destroy();
      return { cut };
    },
  };
}
