/** Reading an inbound's settings and stream settings as the panel's own link builder does (spec §12). */

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const parsedInbounds = new WeakMap<object, { settings: Json; stream: Json }>();

/**
 * An inbound's settings and stream settings, parsed once per inbound object (a node's cached snapshot serves every
 * user of the node). Read-only: the objects are shared.
 */
export function parsedInbound(inbound: { settings: string; streamSettings: string }): { settings: Json; stream: Json } {
  let found = parsedInbounds.get(inbound);
  if (!found) {
    found = { settings: parse(inbound.settings), stream: parse(inbound.streamSettings) };
    parsedInbounds.set(inbound, found);
  }
  return found;
}

export function parse(text: string): Json {
  try {
    return (JSON.parse(text || '{}') as Json) ?? {};
  } catch {
    return {};
  }
}

export function network(stream: Json): string {
  return String(stream['network'] ?? 'tcp');
}

export function security(stream: Json): string {
  const value = stream['security'];
  return value === 'tls' || value === 'reality' ? value : 'none';
}

export function flowApplies(stream: Json, securities: string[]): boolean {
  return network(stream) === 'tcp' && securities.includes(security(stream));
}

/** path/host/serviceName/… of the transport (spec §12.1 table). */
export function networkParams(stream: Json): Json {
  const params: Json = {};
  const net = network(stream);
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== '') params[key] = String(value);
  };
  if (net === 'tcp') {
    const header = stream['tcpSettings']?.['header'] ?? {};
    if (header['type'] === 'http') {
      set('path', header['request']?.['path']?.[0]);
      set('host', firstHost(header['request']?.['headers']?.['Host']));
      params['headerType'] = 'http';
    }
  } else if (net === 'ws' || net === 'httpupgrade' || net === 'xhttp') {
    const key = { ws: 'wsSettings', httpupgrade: 'httpupgradeSettings', xhttp: 'xhttpSettings' }[net];
    const transport = stream[key] ?? {};
    set('path', transport['path']);
    set('host', transport['host'] || firstHost(transport['headers']?.['Host']));
    if (net === 'xhttp') set('mode', transport['mode']);
  } else if (net === 'grpc') {
    const grpc = stream['grpcSettings'] ?? {};
    set('serviceName', grpc['serviceName']);
    set('authority', grpc['authority']);
    if (grpc['multiMode']) params['mode'] = 'multi';
  } else if (net === 'kcp') {
    const kcp = stream['kcpSettings'] ?? {};
    set('headerType', kcp['header']?.['type']);
    set('seed', kcp['seed']);
  }
  return params;
}

export function securityParams(stream: Json, allowReality: boolean): Json {
  const params: Json = { security: security(stream) };
  if (params['security'] === 'tls') {
    const tls = stream['tlsSettings'] ?? {};
    if (tls['serverName']) params['sni'] = tls['serverName'];
    if (tls['settings']?.['fingerprint']) params['fp'] = tls['settings']['fingerprint'];
    if (Array.isArray(tls['alpn']) && tls['alpn'].length) params['alpn'] = tls['alpn'].join(',');
  } else if (params['security'] === 'reality') {
    if (!allowReality) return { security: 'none' };
    const reality = stream['realitySettings'] ?? {};
    const inner = reality['settings'] ?? {};
    if (reality['serverNames']?.[0]) params['sni'] = reality['serverNames'][0];
    if (inner['fingerprint']) params['fp'] = inner['fingerprint'];
    if (inner['publicKey']) params['pbk'] = inner['publicKey'];
    if (reality['shortIds']?.[0] !== undefined) params['sid'] = reality['shortIds'][0];
    if (inner['spiderX']) params['spx'] = inner['spiderX'];
    if (inner['mldsa65Verify']) params['pqv'] = inner['mldsa65Verify'];
  }
  return params;
}

function firstHost(value: unknown): string | undefined {
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}
