import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { PanelDuplicateEmailError, PanelError } from './errors';
import { XuiClient } from './xui-client';
import { panelFailure } from './panel-error.testing';
import fixtures from './fixtures/panel-responses.json';

type FixtureName = keyof typeof fixtures;

/**
 * The client against recorded panel answers (fixtures written from the panel reference), served over a real
 * socket: shapes and quirks the simulator does not produce (localised messages, pre-2.8.1 nulls, just-started nulls).
 */
describe('XuiClient against recorded panel responses', () => {
  let server: Server;
  let routes: Map<string, FixtureName[]>;
  let seen: string[];
  let client: XuiClient;

  /** A route answers its fixtures in turn; the last one repeats. */
  const answer = (route: string, ...names: FixtureName[]) => routes.set(route, names);

  beforeEach(async () => {
    seen = [];
    routes = new Map();
    answer('POST /base/login', 'login-ok');
    answer('GET /base/panel/api/server/status', 'status-v2.8');
    server = createServer((request, response) => {
      const route = `${request.method} ${request.url}`;
      seen.push(route);
      const queue = routes.get(route);
      const name = queue && (queue.length > 1 ? queue.shift()! : queue[0]);
      const fixture = name ? fixtures[name] : { status: 404, headers: { 'Content-Length': '0' }, body: '' };
      response.writeHead(fixture.status, fixture.headers);
      response.end(fixture.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    client = new XuiClient({ baseUrl: `http://127.0.0.1:${port}/base/`, username: 'admin', password: 'pw' });
  });
  afterEach(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('parses a v2.8 inbound list: settings as text, clientStats rows', async () => {
    answer('GET /base/panel/api/inbounds/list', 'inbounds-list');
    const [inbound] = await client.listInbounds();
    expect(inbound).toMatchObject({ id: 1, protocol: 'vless', port: 443, tag: 'inbound-443' });
    expect(JSON.parse(inbound.settings).clients[0].email).toBe('alice');
    expect(inbound.clientStats![0]).toMatchObject({ email: 'alice', down: 52428800 });
    expect(seen.slice(0, 3)).toEqual(['GET /base/csrf-token', 'POST /base/login', 'GET /base/panel/api/server/status']);
    expect(client.generation).toBe('classic');
  });

  it('classifies by the untranslated text in parentheses, whatever the language of the prefix', async () => {
    answer('POST /base/panel/api/inbounds/addClient', 'add-duplicate-localised');
    const error = await panelFailure(client.addClients(1, [{ id: 'u', email: 'alice' }]));
    expect(error).toBeInstanceOf(PanelDuplicateEmailError);
    expect((error as PanelDuplicateEmailError).email).toBe('alice');
  });

  it('v3.1 "email already in use" is a duplicate email too', async () => {
    answer('POST /base/panel/api/inbounds/addClient', 'add-email-in-use-v3.1');
    expect((await panelFailure(client.addClients(1, [{ id: 'u', email: 'alice' }]))).kind).toBe('duplicate-email');
  });

  it('an unknown email’s traffic is not-found on ≤ v2.8.0 (null obj) and on v2.8.1+ (failure)', async () => {
    answer('GET /base/panel/api/inbounds/getClientTraffics/ghost', 'traffic-unknown-v2.8.0', 'traffic-unknown-v2.8.1');
    expect((await panelFailure(client.clientTraffic('ghost'))).kind).toBe('not-found');
    expect((await panelFailure(client.clientTraffic('ghost'))).kind).toBe('not-found');
  });

  it('delete answers: unknown client (v2.9.4+) not-found, last client and bad id rejected with the message', async () => {
    const route = 'POST /base/panel/api/inbounds/1/delClient/00000000-0000-0000-0000-000000000000';
    answer(route, 'delete-unknown-v2.9.4', 'delete-last-client', 'delete-bad-id');
    expect((await panelFailure(client.deleteClient(1, '00000000-0000-0000-0000-000000000000'))).kind).toBe('not-found');
    const last = await panelFailure(client.deleteClient(1, '00000000-0000-0000-0000-000000000000'));
    expect([last.kind, last.reason]).toEqual(['rejected', 'panel said: no client remained in inbound']);
    expect(last.panelText).toContain('no client remained in Inbound');
    const bad = await panelFailure(client.deleteClient(1, '00000000-0000-0000-0000-000000000000'));
    expect([bad.kind, bad.reason]).toEqual(['rejected', 'panel said: invalid request']);
    expect(bad.panelText).toContain('strconv.Atoi');
  });

  it('a just-started panel: null status is a protocol error, null onlines are none', async () => {
    answer('GET /base/panel/api/server/status', 'status-v2.8', 'status-starting');
    answer('POST /base/panel/api/inbounds/onlines', 'onlines-starting');
    expect(await client.onlineEmails()).toEqual([]);
    const error = await panelFailure(client.serverStatus());
    expect([error.kind, error.message]).toEqual(['protocol', expect.stringContaining('no status yet')]);
  });

  it('a panic (HTTP 500, empty body) is a protocol error', async () => {
    answer('POST /base/panel/api/inbounds/addClient', 'panic');
    const error = await panelFailure(client.addClients(1, [{ id: 'u', email: 'x' }]));
    expect([error.kind, error.message]).toEqual(['protocol', expect.stringContaining('HTTP 500 with an empty body')]);
  });

  it.each([
    ['an empty 404 (v2.8.4+)', 'unauthenticated-v2.8.4'],
    ['a 401 JSON (≤ v2.8.3)', 'unauthenticated-v2.8.3'],
    ['the login page where JSON was expected', 'login-page'],
  ] as const)('%s: logs in once more, then reports session-rejected', async (_, fixture) => {
    answer('GET /base/panel/api/inbounds/list', fixture);
    expect((await panelFailure(client.listInbounds())).kind).toBe('session-rejected');
    expect(seen.filter((route) => route === 'POST /base/login')).toHaveLength(2);
  });

  it('refused credentials: auth-failed, the panel’s message kept apart for admins, no password in either', async () => {
    answer('POST /base/login', 'login-bad');
    const error = await panelFailure(client.listInbounds());
    expect([error.kind, error.reason, error.message]).toEqual([
      'auth-failed',
      'auth failed',
      expect.stringMatching(/ login: login refused$/),
    ]);
    expect(error.panelText).toContain('Invalid username');
    expect(`${error.message} ${error.panelText}`).not.toContain('pw');
  });
});
