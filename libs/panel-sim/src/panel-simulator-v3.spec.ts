import { PanelSimulator } from './panel-simulator';

/** Conformance of the v3 modes (spec §1, §3.3, §3.4, §10) and the subscription listener (§11). */
describe('PanelSimulator v3 modes and subscription listener (spec section in each title)', () => {
  const panels: PanelSimulator[] = [];
  const start = async (options: ConstructorParameters<typeof PanelSimulator>[0]) => {
    const panel = await new PanelSimulator({ basePath: 'v3base', ...options }).start();
    panels.push(panel);
    return panel;
  };
  afterEach(async () => {
    await Promise.all(panels.splice(0).map((panel) => panel.stop()));
  });

  /** A browser-like session: one cookie, the CSRF header once a token is known. */
  function session(panel: PanelSimulator) {
    let cookie = '';
    let csrf = '';
    const request = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${panel.url}${path}`, {
        redirect: 'manual',
        ...init,
        headers: {
          'X-Requested-With': 'XMLHttpRequest',
          ...(cookie ? { Cookie: cookie } : {}),
          ...(csrf && init.method === 'POST' ? { 'X-CSRF-Token': csrf } : {}),
          ...(init.headers as object),
        },
      });
      const set = response.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0];
      return response;
    };
    return {
      request,
      postJson: (path: string, body: unknown) =>
        request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
      fetchToken: async () => {
        csrf = (await (await request('csrf-token')).json()).obj;
        return csrf;
      },
      dropToken: () => (csrf = ''),
      login: () =>
        request('login', {
          method: 'POST',
          body: new URLSearchParams({ username: panel.username, password: panel.password }),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        }),
    };
  }

  it('§3.4 v3.0 cookie clients: csrf-token, login and every non-GET call need the token, else 403 empty', async () => {
    const panel = await start({ version: '3.0.1' });
    const browser = session(panel);
    const withoutToken = await browser.login();
    expect([withoutToken.status, await withoutToken.text()]).toEqual([403, '']);

    const token = await browser.fetchToken();
    expect(token).toMatch(/^[\w-]{20,}$/);
    expect(await (await browser.login()).json()).toMatchObject({ success: true });
    expect((await browser.request('panel/api/inbounds/list')).status).toBe(200);
    const status = await (await browser.request('panel/api/server/status')).json();
    expect(status.obj.panelVersion).toBe('3.0.1');

    const add = () =>
      browser.postJson('panel/api/inbounds/addClient', {
        id: 1,
        settings: JSON.stringify({ clients: [{ id: 'u-1', email: 'csrf-user' }] }),
      });
    browser.dropToken();
    const refused = await add();
    expect([refused.status, await refused.text()]).toEqual([403, '']);
    expect(panel.state.allEmails()).not.toContain('csrf-user');
    await browser.fetchToken();
    expect(await (await add()).json()).toMatchObject({ success: true });
  });

  it('§3.3 v3.0.2+ unauthenticated: 401 empty with the XHR header, 404 empty without', async () => {
    const panel = await start({ version: '3.0.2' });
    const xhr = await fetch(`${panel.url}panel/api/inbounds/list`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    expect([xhr.status, await xhr.text()]).toEqual([401, '']);
    const plain = await fetch(`${panel.url}panel/api/inbounds/list`);
    expect([plain.status, await plain.text()]).toEqual([404, '']);
    const v301 = await start({ version: '3.0.1' });
    const old = await fetch(`${v301.url}panel/api/inbounds/list`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    expect(old.status).toBe(404);
  });

  it('§7.1 v3.0.2 addClient refuses an empty email', async () => {
    const panel = await start({ version: '3.0.2' });
    const browser = session(panel);
    await browser.fetchToken();
    await browser.login();
    const reply = await browser.postJson('panel/api/inbounds/addClient', {
      id: 1,
      settings: JSON.stringify({ clients: [{ id: 'u-2', email: '' }] }),
    });
    expect((await reply.json()).msg).toBe('Something went wrong (client email is required\n)');
  });

  it('§3.4 Bearer tokens bypass session and CSRF; a monitor token may only read status', async () => {
    const panel = await start({
      version: '3.0.2',
      apiTokens: [
        { token: 'admin-token', scope: 'admin' },
        { token: 'monitor-token', scope: 'monitor' },
      ],
    });
    const bearer = (token: string, path: string, init: RequestInit = {}) =>
      fetch(`${panel.url}${path}`, {
        ...init,
        headers: {
          Authorization: `Bearer ${token}`,
          'X-Requested-With': 'XMLHttpRequest',
          ...(init.headers as object),
        },
      });
    const added = await bearer('admin-token', 'panel/api/inbounds/addClient', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 1, settings: JSON.stringify({ clients: [{ id: 'u-3', email: 'bearer-user' }] }) }),
    });
    expect(await added.json()).toMatchObject({ success: true });
    expect((await bearer('monitor-token', 'panel/api/server/status')).status).toBe(200);
    const denied = await bearer('monitor-token', 'panel/api/inbounds/list');
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ success: false, msg: expect.stringContaining('not permitted') });
    const unknown = await bearer('nope', 'panel/api/inbounds/list');
    expect([unknown.status, await unknown.text()]).toEqual([401, '']);
    // v2 panels do not know API tokens at all
    const v2 = await start({ apiTokens: [{ token: 'admin-token', scope: 'admin' }] });
    expect(
      (await fetch(`${v2.url}panel/api/inbounds/list`, { headers: { Authorization: 'Bearer admin-token' } })).status,
    ).toBe(404);
  });

  it('§3.2 v3.0.2 logout is a POST with the token', async () => {
    const panel = await start({ version: '3.0.2' });
    const browser = session(panel);
    await browser.fetchToken();
    await browser.login();
    expect((await browser.request('logout')).status).toBe(404);
    expect(await (await browser.request('logout', { method: 'POST' })).json()).toMatchObject({ success: true });
    expect((await browser.request('panel/api/inbounds/list')).status).toBe(401);
  });

  it('§10 v3.1: classic client routes are gone; the email-keyed clients API replaces them', async () => {
    const panel = await start({ version: '3.1.0' });
    const browser = session(panel);
    await browser.fetchToken();
    await browser.login();
    const classic = await browser.postJson('panel/api/inbounds/addClient', { id: 1, settings: '{"clients":[]}' });
    expect([classic.status, await classic.text()]).toEqual([404, '']);
    expect((await browser.request('panel/api/clients/list')).status).toBe(200);

    const add = (client: Record<string, unknown>, inboundIds: number[] = [1, 3]) =>
      browser.postJson('panel/api/clients/add', { client, inboundIds }).then((r) => r.json());
    expect(await add({ id: 'uuid-a', email: 'alice', enable: false })).toMatchObject({ success: true });
    const got = (await (await browser.request('panel/api/clients/get/alice')).json()).obj;
    expect(got.inboundIds).toEqual([1, 3]);
    expect(got.client).toMatchObject({ email: 'alice', enable: true, subId: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    expect((await add({ id: 'uuid-b', email: 'ALICE' })).msg).toBe(
      'Something went wrong (email already in use: ALICE\n)',
    );
    expect((await add({ id: 'uuid-b', email: 'bob' }, [])).msg).toBe(
      'Something went wrong (at least one inbound is required\n)',
    );
    expect((await add({ id: 'uuid-b', email: 'has space' })).success).toBe(false);
    expect((await add({ id: 'uuid-b', email: '' })).msg).toBe('Something went wrong (client email is required\n)');
    expect((await add({ id: 'uuid-b', email: 'bob', subId: got.client.subId })).msg).toBe(
      `Something went wrong (subId already in use: ${got.client.subId}\n)`,
    );

    const updated = await browser.postJson('panel/api/clients/update/alice', { email: 'alice2', limitIp: 2 });
    expect(await updated.json()).toMatchObject({ success: true });
    expect((await (await browser.request('panel/api/clients/traffic/alice2')).json()).obj).toMatchObject({
      email: 'alice2',
    });
    expect(await (await browser.request('panel/api/clients/del/alice2', { method: 'POST' })).json()).toMatchObject({
      success: true,
    });
    expect(panel.state.allEmails()).not.toContain('alice2');
    expect((await (await browser.request('panel/api/clients/del/ghost', { method: 'POST' })).json()).msg).toBe(
      'Something went wrong (client "ghost" not found in any inbound or client record\n)',
    );
  });

  it('§11 subscription listener: base64 links for a subId, headers, 400 Error! otherwise', async () => {
    const panel = await start({
      subscription: {
        shareLink: (inbound, client, host) => `${inbound.protocol}://${client['id']}@${host}:${inbound.port}`,
      },
    });
    const seeded = panel.state.clientsOf(panel.state.findInbound(1)!)![0];
    const response = await fetch(panel.subscription!.url(String(seeded['subId'])));
    expect(response.status).toBe(200);
    expect(response.headers.get('profile-update-interval')).toBe('12');
    expect(response.headers.get('subscription-userinfo')).toBe('upload=0; download=0; total=0; expire=0');
    const links = Buffer.from(await response.text(), 'base64').toString();
    expect(links).toBe(`vless://${seeded['id']}@127.0.0.1:${panel.state.findInbound(1)!.port}\n`);

    const unknown = await fetch(panel.subscription!.url('no-such-sub'));
    expect([unknown.status, await unknown.text()]).toEqual([400, 'Error!']);
  });
});
