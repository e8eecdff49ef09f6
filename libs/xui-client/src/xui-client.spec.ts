import { ControlServer, PanelSimulator } from '@fleet/panel-sim';
import { PanelDuplicateEmailError, PanelError } from './errors';
import { XuiClient } from './xui-client';
import { panelFailure } from './panel-error.testing';

const vless = (email: string) => ({
  id: crypto.randomUUID(),
  email,
  enable: true,
  flow: '',
  limitIp: 0,
  totalGB: 0,
  expiryTime: 0,
  tgId: 0,
  subId: email,
  comment: '',
  reset: 0,
});

describe('XuiClient against the panel simulator over real sockets', () => {
  let panel: PanelSimulator;
  let client: XuiClient;

  beforeEach(async () => {
    panel = await new PanelSimulator({ tag: 't' }).start();
    client = new XuiClient({ baseUrl: panel.url, username: panel.username, password: panel.password, timeoutMs: 1000 });
  });
  afterEach(async () => {
    client.close();
    await panel.stop();
  });

  it('logs in lazily, once, and detects the classic API', async () => {
    const inbounds = await client.listInbounds();
    await client.getInbound(1);
    expect(inbounds.map((inbound) => inbound.protocol)).toEqual(['vless', 'vless', 'vmess', 'trojan', 'shadowsocks']);
    expect(panel.calls.get('login')).toBe(1);
    expect(client.generation).toBe('classic');
  });

  it('adds several clients in one call, then updates, reads and deletes them', async () => {
    await client.addClients(1, [vless('alice'), vless('bob'), vless('carol')]);
    expect(panel.calls.get('addClient')).toBe(1);
    const emails = (panel.state.clientsOf(panel.state.findInbound(1)!) ?? []).map((c) => c.email);
    expect(emails).toEqual(expect.arrayContaining(['alice', 'bob', 'carol']));

    const bob = panel.state.clientsOf(panel.state.findInbound(1)!)!.find((c) => c.email === 'bob')!;
    await client.updateClient(1, String(bob['id']), { ...(bob as { email: string }), email: 'bobby', enable: false });
    expect((await client.clientTraffic('bobby')).enable).toBe(false);

    await client.deleteClient(1, String(bob['id']));
    await client.deleteClientByEmail(1, 'carol');
    await panelFailure(client.clientTraffic('carol'), 'not-found');
    expect(panel.state.allEmails()).toContain('alice');
    expect(panel.state.allEmails()).not.toContain('bobby');
  });

  it('adds all or nothing: a duplicate email (any case, any inbound) rejects the whole batch', async () => {
    await client.addClients(1, [vless('Dave')]);
    const before = panel.state.clientCount();
    const error = await panelFailure(client.addClients(2, [vless('erin'), vless('dave')]), 'duplicate-email');
    expect((error as PanelDuplicateEmailError).email).toBe('dave');
    expect(error.reason).toBe('panel said: duplicate email');
    await panelFailure(client.addClients(2, [vless('frank'), vless('FRANK')]), 'duplicate-email');
    expect(panel.state.clientCount()).toBe(before);
  });

  it('reports the panel’s refusals with its message', async () => {
    const ghost = await panelFailure(client.addClients(99, [vless('ghost')]), 'not-found');
    expect([ghost.reason, ghost.panelText]).toEqual([
      'panel said: record not found',
      'Something went wrong (record not found)',
    ]);
    const seedEmail = panel.state.clientsOf(panel.state.findInbound(3)!)![0].email!;
    const error = await panelFailure(client.deleteClientByEmail(3, seedEmail), 'rejected');
    expect(error.reason).toBe('panel said: no client remained in inbound');
    expect(error.message).toContain('panel said: no client remained in inbound');
    expect(error.panelText).toBe('Failed to delete client by email (no client remained in Inbound )');
    const nobody = await panelFailure(client.deleteClientByEmail(1, 'nobody'), 'not-found');
    expect(nobody.reason).toBe('panel said: client not found');
  });

  it('never overlaps two writes on one panel, so concurrent adds all survive', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => client.addClients(2, [vless(`burst-${i}`)])));
    const emails = panel.state.allEmails();
    for (let i = 0; i < 25; i++) expect(emails).toContain(`burst-${i}`);
    expect(panel.overlappingWrites).toBe(0);
  });

  it('reads an add back and sends again what the panel lost (a write that overlapped it saved the old inbound)', async () => {
    await panel.setFault({ kind: 'none', lostWrites: 1 });
    await client.addClients(1, [vless('lost-once'), vless('lost-too')]);
    expect(panel.state.allEmails()).toEqual(expect.arrayContaining(['lost-once', 'lost-too']));
    expect(panel.calls.get('addClient')).toBe(2);
    // One traffic read answers for a batch; the inbound is read only to find what was lost.
    expect(panel.calls.get('get')).toBe(1);
    await client.addClients(1, [vless('kept-1'), vless('kept-2')]);
    expect(panel.calls.get('get')).toBe(1);
  });

  it('reads the whole inbound back on panels whose traffic reads do not follow the settings (≤ v2.8.0)', async () => {
    const old = await new PanelSimulator({ version: '2.8.0' }).start();
    const oldClient = new XuiClient({ baseUrl: old.url, username: old.username, password: old.password });
    try {
      await old.setFault({ kind: 'none', lostWrites: 1 });
      await oldClient.addClients(1, [vless('old-lost')]);
      expect(old.state.allEmails()).toContain('old-lost');
      expect([old.calls.get('addClient'), old.calls.get('get')]).toEqual([2, 2]);
    } finally {
      oldClient.close();
      await old.stop();
    }
  });

  it('an add the panel never keeps fails as unconfirmed after three sends', async () => {
    await panel.setFault({ kind: 'none', lostWrites: 3 });
    const error = await panelFailure(client.addClients(1, [vless('never-kept')]), 'unconfirmed');
    expect(error.message).toContain('kept 0 of 1 clients after 3 sends');
    expect(panel.calls.get('addClient')).toBe(3);
  });

  it('holds the write lock it is given around each write, an add with its read-back included', async () => {
    const held: string[] = [];
    let holding = false;
    const locked = new XuiClient({
      baseUrl: panel.url,
      username: panel.username,
      password: panel.password,
      writeLock: async (work) => {
        expect(holding).toBe(false);
        holding = true;
        const before = new Map(panel.calls);
        try {
          return await work();
        } finally {
          holding = false;
          held.push(
            [...panel.calls]
              .filter(([route, count]) => count !== (before.get(route) ?? 0))
              .map(([route]) => route)
              .join('+'),
          );
        }
      },
    });
    try {
      await locked.listInbounds();
      await Promise.all([locked.addClients(1, [vless('held-1')]), locked.addClients(1, [vless('held-2')])]);
      const carol = vless('held-3');
      await locked.addClients(1, [carol]);
      await locked.updateClient(1, carol.id, { ...carol, enable: false });
      await locked.deleteClientByEmail(1, 'held-3');
      expect(held).toEqual([
        'addClient+getClientTraffics',
        'addClient+getClientTraffics',
        'addClient+getClientTraffics',
        'updateClient',
        'delClientByEmail',
      ]);
    } finally {
      locked.close();
    }
  });

  it('logs in again, once, when the session expires', async () => {
    await client.listInbounds();
    await panel.setFault({ kind: 'expire-sessions' });
    await client.listInbounds();
    expect(panel.calls.get('login')).toBe(2);
  });

  it('keeps each panel’s session in its own cookie jar, even on one host', async () => {
    const other = await new PanelSimulator({ tag: 'o' }).start();
    const otherClient = new XuiClient({ baseUrl: other.url, username: other.username, password: other.password });
    try {
      for (let i = 0; i < 3; i++) {
        await client.listInbounds();
        await otherClient.listInbounds();
      }
      expect(panel.calls.get('login')).toBe(1);
      expect(other.calls.get('login')).toBe(1);
    } finally {
      otherClient.close();
      await other.stop();
    }
  });

  it('reads server status with the xray state', async () => {
    expect((await client.serverStatus()).xray.state).toBe('running');
    await panel.setFault({ kind: 'xray-error' });
    expect((await client.serverStatus()).xray).toMatchObject({
      state: 'error',
      errorMsg: expect.stringContaining('Failed'),
    });
    expect(await client.onlineEmails()).toEqual([]);
  });

  describe('faults', () => {
    it('wrong credentials: auth-failed', async () => {
      await panel.setFault({ kind: 'bad-credentials' });
      const error = await panelFailure(client.listInbounds(), 'auth-failed');
      expect(error.reason).toBe('auth failed');
      expect(error.message).toMatch(/ login: login refused$/);
      expect(error.panelText).toBe('Invalid username or password or two-factor code.');
    });

    it('refused connections: unreachable', async () => {
      await panel.setFault({ kind: 'refuse' });
      const error = await panelFailure(client.listInbounds(), 'unreachable');
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.reason).toBe('refused');
      await panel.setFault({ kind: 'none' });
      await expect(client.listInbounds()).resolves.toHaveLength(5);
    });

    it('a hanging panel: unreachable after the timeout', async () => {
      await client.listInbounds();
      await panel.setFault({ kind: 'hang' });
      const started = Date.now();
      const error = await panelFailure(client.serverStatus(300), 'unreachable');
      expect(error.message).toContain('timed out after 300 ms');
      expect(error.reason).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('HTTP 500 with an empty body: protocol', async () => {
      await client.listInbounds();
      await panel.setFault({ kind: 'http500' });
      const error = await panelFailure(client.listInbounds(), 'protocol');
      expect(error.message).toContain('HTTP 500 with an empty body');
      expect(error.reason).toBe('bad response');
    });

    it('added latency is survived within the timeout', async () => {
      await panel.setFault({ kind: 'none', latencyMs: 150 });
      await expect(client.listInbounds()).resolves.toHaveLength(5);
    });

    it('unknown host: unreachable', async () => {
      const nowhere = new XuiClient({
        baseUrl: 'http://panel.invalid:2053/x/',
        username: 'a',
        password: 'b',
        timeoutMs: 2000,
      });
      await panelFailure(nowhere.listInbounds(), 'unreachable');
      nowhere.close();
    });

    it('is driven the same way over the control server', async () => {
      const control = await new ControlServer(panel).start();
      try {
        const post = (body: unknown) => fetch(`${control.url}/fault`, { method: 'POST', body: JSON.stringify(body) });
        expect((await post({ kind: 'refuse' })).status).toBe(200);
        await panelFailure(client.listInbounds(), 'unreachable');
        expect((await fetch(`${control.url}/state`)).status).toBe(200);
        expect((await post({ kind: 'melt' })).status).toBe(400);
        await post({ kind: 'none' });
        await expect(client.listInbounds()).resolves.toHaveLength(5);
      } finally {
        await control.stop();
      }
    });
  });

  describe('other panel versions', () => {
    it('≤ v2.6: status through POST BASE server/status', async () => {
      const old = await new PanelSimulator({ version: '2.6.5' }).start();
      const oldClient = new XuiClient({ baseUrl: old.url, username: old.username, password: old.password });
      try {
        expect((await oldClient.serverStatus()).xray.state).toBe('running');
        expect(oldClient.generation).toBe('legacy');
      } finally {
        oldClient.close();
        await old.stop();
      }
    });

    it('≤ v2.8.3: a 401 JSON for an expired session also leads to one re-login', async () => {
      const old = await new PanelSimulator({ version: '2.8.0' }).start();
      const oldClient = new XuiClient({ baseUrl: old.url, username: old.username, password: old.password });
      try {
        await oldClient.listInbounds();
        await old.setFault({ kind: 'expire-sessions' });
        await oldClient.listInbounds();
        expect(old.calls.get('login')).toBe(2);
      } finally {
        oldClient.close();
        await old.stop();
      }
    });
  });
});

describe('XuiClient error texts never carry what it sent as credentials', () => {
  const password = 'pa ss/word&Secret=1';
  const apiToken = 'token-Secret-2';

  async function echoServer(json: boolean) {
    const { createServer } = await import('node:http');
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const echo = `${request.method} ${request.url} ${JSON.stringify(request.headers)} ${body}`;
        if (json) {
          response.writeHead(200, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify({ success: false, msg: `refused (${echo})`, obj: null }));
        } else response.writeHead(200, { 'Content-Type': 'text/plain' }).end(echo);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it.each([
    ['a plain-text echo', false, null],
    ['a JSON echo', true, null],
    ['a JSON echo, with an API token', true, apiToken],
  ])('%s', async (_label, json, token) => {
    const echo = await echoServer(json);
    const client = new XuiClient({ baseUrl: echo.url, username: 'admin', password, apiToken: token, timeoutMs: 1000 });
    try {
      const error = await client.listInbounds().then(
        () => null,
        (caught: PanelError) => caught,
      );
      expect(error).toBeInstanceOf(PanelError);
      const text = `${error!.message} ${error!.reason} ${error!.panelText ?? ''}`;
      for (const secret of [
        password,
        encodeURIComponent(password),
        new URLSearchParams({ p: password }).toString(),
        apiToken,
      ]) {
        expect(text).not.toContain(secret.replace(/^p=/, ''));
      }
      if (!json) expect(error!.message).toMatch(/HTTP 200 with \d+ bytes of text\/plain text/);
    } finally {
      client.close();
      await echo.close();
    }
  });
});
