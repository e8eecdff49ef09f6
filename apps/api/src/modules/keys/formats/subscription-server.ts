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

/** Profiles rendered without their secrets, by format and what they say: users on the same servers share one. */
const templates = new Map<string, string>();
const TEMPLATES_KEPT = 2000;
/** A secret goes into a template's place as it is when it needs no escaping in a double-quoted string. */
const PLAIN_SECRET = /^[\w+/=:.-]*$/;
const placeholder = (i: number) => `fleet-secret-${i}-placeholder`;

/**
 * Renders the servers once per format, title and set of servers with each user's secret (UUID or password) replaced
 * by a placeholder, and answers that text with this user's secrets put in their places. `render` must write every
 * secret as a double-quoted string (JSON does; the Clash profile forces it).
 */
export function withSecrets(
  format: string,
  title: string,
  servers: SubscriptionServer[],
  render: (servers: SubscriptionServer[]) => string,
): string {
  const secrets = servers.map(({ endpoint }) => endpoint.uuid ?? endpoint.password ?? '');
  if (!secrets.every((secret) => PLAIN_SECRET.test(secret))) return render(servers);
  const key = JSON.stringify([
    format,
    title,
    ...servers.map(({ name, endpoint }) => [name, { ...endpoint, uuid: 0, password: 0 }]),
  ]);
  let template = templates.get(key);
  if (template === undefined) {
    template = render(
      servers.map(({ name, endpoint }, i) => {
        const secret = endpoint.uuid !== undefined ? { uuid: placeholder(i) } : { password: placeholder(i) };
        return { name, link: '', endpoint: { ...endpoint, ...secret } };
      }),
    );
    if (templates.size >= TEMPLATES_KEPT) templates.delete(templates.keys().next().value!);
    templates.set(key, template);
  }
  return template.replace(/"fleet-secret-(\d+)-placeholder"/g, (_, i: string) => `"${secrets[Number(i)]}"`);
}
