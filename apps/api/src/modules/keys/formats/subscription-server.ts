import type { ProxyEndpoint } from '@fleet/xui-client';

/** One of the user's servers as every format renders it: its name, its share link and what the link says. */
export interface SubscriptionServer {
  name: string;
  link: string;
  /** Worked out when a format reads it (base64, links and the page need only the link). */
  readonly endpoint: ProxyEndpoint;
}

/** Transports each client family can dial; a server on another transport is left out of that family's config. */
export const CLASH_NETWORKS = new Set(['tcp', 'ws', 'grpc', 'httpupgrade']);
export const SING_BOX_NETWORKS = new Set(['tcp', 'ws', 'grpc', 'httpupgrade']);

/** Names made unique (apps key their lists by name): a repeated name gets " 2", " 3", …. */
export function uniqueNames(servers: SubscriptionServer[]): SubscriptionServer[] {
  const seen = new Map<string, number>();
  return servers.map((server) => {
    const count = (seen.get(server.name) ?? 0) + 1;
    seen.set(server.name, count);
    return count === 1 ? server : { ...server, name: `${server.name} ${count}` };
  });
}

/** The test URL of the automatic groups (Clash `url-test`, sing-box `urltest`). */
export const PROBE_URL = 'https://www.gstatic.com/generate_204';
