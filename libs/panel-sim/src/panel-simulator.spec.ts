import { PanelSimulator } from './panel-simulator';

/** Conformance of the simulator to the panel reference, item by item, with plain HTTP. */
describe('PanelSimulator conformance (spec section in each title)', () => {
  let panel: PanelSimulator;
  let cookie: string;

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${panel.url}${path}`, {
      redirect: 'manual',
      ...init,
      headers: {
        'X-Requested-With': 'XMLHttpRequest',
        ...(cookie ? { Cookie: cookie } : {}),
        ...(init.headers as object),
      },
    });
  const postJson = (path: string, body: unknown) =>
    call(path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  const addClient = (id: unknown, clients: unknown) =>
    postJson('panel/api/inbounds/addClient', { id, settings: JSON.stringify({ clients }) });

  beforeEach(async () => {
    panel = await new PanelSimulator({ basePath: 'base-path-x', tag: 'c' }).start();
    const login = await call('login', {
      method: 'POST',
      body: new URLSearchParams({ username: panel.username, password: panel.password }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    cookie = login.headers.get('set-cookie')!.split(';')[0];
  });
  afterEach(() => panel.stop());

  it('§2 normalises the base path and answers requests without it with an empty 404', async () => {
    expect(panel.url).toMatch(/\/base-path-x\/$/);
    const response = await fetch(panel.url.replace('/base-path-x/', '/panel/api/inbounds/list'));
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('');
  });

  it('§2 wrong method: empty 404', async () => {
    const response = await call('panel/api/inbounds/list', { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('');
  });

  it('§3.1 login: always 200, exact messages, the 3x-ui cookie', async () => {
    cookie = '';
    const login = (body: Record<string, string>) =>
      call('login', {
        method: 'POST',
        body: new URLSearchParams(body),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    const bad = await login({ username: panel.username, password: 'wrong' });
    expect(bad.status).toBe(200);
    expect(await bad.text()).toBe(
      '{"success":false,"msg":"Invalid username or password or two-factor code.","obj":null}',
    );
    expect(await (await login({ username: '', password: 'x' })).json()).toMatchObject({ msg: 'Username is required' });
    expect(await (await login({ username: 'a', password: '' })).json()).toMatchObject({ msg: 'Password is required' });
    const good = await login({ username: panel.username, password: panel.password });
    expect(await good.json()).toEqual({
      success: true,
      msg: ' You have successfully logged into your account.',
      obj: null,
    });
    expect(good.headers.get('set-cookie')).toMatch(/^3x-ui=[^;]+; Path=\/; Max-Age=21600; HttpOnly; SameSite=Lax$/);
  });

  it('§3.3 unauthenticated API calls per version', async () => {
    cookie = '';
    const current = await call('panel/api/inbounds/list');
    expect([current.status, await current.text()]).toEqual([404, '']);
    const old = await new PanelSimulator({ version: '2.8.3' }).start();
    try {
      const withXhr = await fetch(`${old.url}panel/api/inbounds/list`, {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      });
      expect(withXhr.status).toBe(401);
      expect(await withXhr.json()).toEqual({
        success: false,
        msg: 'Your session has expired, please log in again',
        obj: null,
      });
      const without = await fetch(`${old.url}panel/api/inbounds/list`, { redirect: 'manual' });
      expect(without.status).toBe(307);
    } finally {
      await old.stop();
    }
  });

  it('§3.2 sessions do not survive a secret change and are not renewed', async () => {
    expect((await call('panel/api/inbounds/list')).status).toBe(200);
    await panel.setFault({ kind: 'expire-sessions' });
    expect((await call('panel/api/inbounds/list')).status).toBe(404);
  });

  it('§4 envelope key order and §6.1 list/get shapes', async () => {
    const text = await (await call('panel/api/inbounds/list')).text();
    expect(text.startsWith('{"success":true,"msg":"","obj":[{"id":1,')).toBe(true);
    const list = JSON.parse(text).obj;
    expect(typeof list[0].settings).toBe('string');
    expect(Array.isArray(list[0].clientStats)).toBe(true);
    const one = await (await call('panel/api/inbounds/get/1')).json();
    expect(one.obj.clientStats).toBeNull();
    expect(await (await call('panel/api/inbounds/get/77')).json()).toEqual({
      success: false,
      msg: 'Obtain (record not found)',
      obj: null,
    });
  });

  it('§5 type-strict JSON bodies', async () => {
    const asString = await (
      await postJson('panel/api/inbounds/addClient', { id: '1', settings: '{"clients":[]}' })
    ).json();
    expect(asString.msg).toBe(
      'Inbound client(s) have been added. (json: cannot unmarshal string into Go struct field Inbound.id of type int)',
    );
    const asObject = await (
      await postJson('panel/api/inbounds/addClient', { id: 1, settings: { clients: [] } })
    ).json();
    expect(asObject.msg).toContain('cannot unmarshal object into Go struct field Inbound.settings of type string');
  });

  it('§7.1 addClient: checks in order, all-or-nothing, sorted pretty settings', async () => {
    const noClients = await postJson('panel/api/inbounds/addClient', { id: 1, settings: '{}' });
    expect([noClients.status, await noClients.text()]).toEqual([500, '']);
    expect((await (await postJson('panel/api/inbounds/addClient', { id: 1, settings: '' })).json()).msg).toBe(
      'Something went wrong (unexpected end of JSON input)',
    );
    // duplicate check runs before the inbound lookup
    const dupOnBadInbound = await (
      await addClient(42, [
        { id: 'u1', email: 'x' },
        { id: 'u2', email: 'X' },
      ])
    ).json();
    expect(dupOnBadInbound.msg).toBe('Something went wrong (Duplicate email: X\n)');
    expect((await (await addClient(42, [{ id: 'u1', email: 'solo' }])).json()).msg).toBe(
      'Something went wrong (record not found)',
    );
    expect((await (await addClient(1, [{ email: 'nokey' }])).json()).msg).toBe(
      'Something went wrong (empty client ID\n)',
    );

    const before = panel.state.clientCount();
    expect(
      (
        await (
          await addClient(1, [
            { id: 'a', email: 'new-1' },
            { id: 'b', email: panel.state.allEmails()[3].toUpperCase() },
          ])
        ).json()
      ).success,
    ).toBe(false);
    expect(panel.state.clientCount()).toBe(before);

    expect(
      await (
        await addClient(1, [
          { id: 'a', email: 'new-1' },
          { id: 'b', email: 'new-2' },
        ])
      ).json(),
    ).toEqual({
      success: true,
      msg: 'Inbound client(s) have been added.',
      obj: null,
    });
    const settings = panel.state.findInbound(1)!.settings;
    expect(settings).toContain('\n  "clients": [');
    expect(Object.keys(JSON.parse(settings))).toEqual([...Object.keys(JSON.parse(settings))].sort());
    expect(JSON.parse(settings).clients.at(-1)).toMatchObject({ email: 'new-2', created_at: expect.any(Number) });
  });

  it('§6.1 inbounds/update/:id: the whole inbound replaced, the tag follows the port, traffic rows follow emails', async () => {
    const [before, other] = (await (await call('panel/api/inbounds/list')).json()).obj;
    const { clientStats: _stats, id: _id, tag: _tag, ...fields } = before;
    const update = (id: unknown, body: unknown) => postJson(`panel/api/inbounds/update/${id}`, body);
    const clients = JSON.parse(before.settings).clients;
    const settings = JSON.stringify({
      ...JSON.parse(before.settings),
      clients: [...clients.slice(1), { id: 'u-new', email: 'new' }],
    });
    expect(await (await update(1, { ...fields, port: other.port })).json()).toMatchObject({
      success: false,
      msg: `Something went wrong (Port already exists: ${other.port}\n)`,
    });
    const moved = await (await update(1, { ...fields, port: 20443, settings })).json();
    expect(moved).toMatchObject({ success: true, msg: 'Inbound has been successfully updated.' });
    const [after] = (await (await call('panel/api/inbounds/list')).json()).obj;
    expect(after).toMatchObject({
      port: 20443,
      tag: 'inbound-20443',
      enable: before.enable,
      protocol: before.protocol,
    });
    const emails = after.clientStats.map((row: { email: string }) => row.email);
    expect(emails).toContain('new');
    if (clients.length) expect(emails).not.toContain(clients[0].email);
    // Go binds what was sent: an update without `enable` disables the inbound.
    const { enable: _enable, ...withoutEnable } = fields;
    expect(await (await update(1, { ...withoutEnable, port: 20443, settings })).json()).toMatchObject({
      success: true,
    });
    expect((await (await call('panel/api/inbounds/get/1')).json()).obj).toMatchObject({ enable: false });
    expect(await (await update(1, { ...fields, port: 'x' })).json()).toMatchObject({
      success: false,
      msg: 'Inbound has been successfully updated. (json: cannot unmarshal string into Go struct field Inbound.port of type int)',
    });
    expect(await (await update(99, { ...fields, port: 9999 })).json()).toMatchObject({
      success: false,
      msg: 'Something went wrong (record not found)',
    });
    expect(await (await update('a', fields)).json()).toMatchObject({ success: false });
  });

  it('§7.3 delete: last-client refusal, unknown key succeeds (v2.8), by-email messages', async () => {
    const inbound = panel.state.findInbound(3)!;
    const only = panel.state.clientsOf(inbound)![0];
    expect((await (await call(`panel/api/inbounds/3/delClient/${only['id']}`, { method: 'POST' })).json()).msg).toBe(
      'Something went wrong (no client remained in Inbound\n)',
    );
    expect(await (await call('panel/api/inbounds/3/delClient/unknown', { method: 'POST' })).json()).toEqual({
      success: true,
      msg: 'Inbound client has been deleted.',
      obj: null,
    });
    expect((await (await call('panel/api/inbounds/3/delClientByEmail/nobody', { method: 'POST' })).json()).msg).toBe(
      'Failed to delete client by email (client with email nobody not found\n)',
    );
    expect((await (await call('panel/api/inbounds/x/delClientByEmail/a', { method: 'POST' })).json()).msg).toContain(
      'Invalid inbound ID',
    );
  });

  it('§7 getClientTraffics: exact email, v2.8.1+ failure text', async () => {
    await addClient(1, [{ id: 'a', email: 'Mixed' }]);
    expect((await (await call('panel/api/inbounds/getClientTraffics/Mixed')).json()).obj).toMatchObject({
      email: 'Mixed',
      inboundId: 1,
      up: 0,
    });
    expect((await (await call('panel/api/inbounds/getClientTraffics/mixed')).json()).msg).toBe(
      'Error getting traffics. (Inbound Not Found For Email: mixed\n)',
    );
  });

  it('§7 getClientTraffics from v2.8.1 follows the settings: a client a write lost fails, its row kept', async () => {
    await panel.setFault({ kind: 'none', lostWrites: 1 });
    await addClient(1, [{ id: 'lost-1', email: 'lost' }]);
    expect(panel.state.traffics.has('lost')).toBe(true);
    expect((await (await call('panel/api/inbounds/getClientTraffics/lost')).json()).msg).toBe(
      'Error getting traffics. (Client Not Found In Inbound For Email: lost\n)',
    );
  });

  it('§7 getClientTraffics up to v2.8.0: the stored row whatever the settings, null for an unknown email', async () => {
    const old = await new PanelSimulator({ version: '2.8.0' }).start();
    try {
      const login = await fetch(`${old.url}login`, {
        method: 'POST',
        body: new URLSearchParams({ username: old.username, password: old.password }),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      const session = { Cookie: login.headers.get('set-cookie')!.split(';')[0], 'Content-Type': 'application/json' };
      await old.setFault({ kind: 'none', lostWrites: 1 });
      await fetch(`${old.url}panel/api/inbounds/addClient`, {
        method: 'POST',
        headers: session,
        body: JSON.stringify({ id: 1, settings: JSON.stringify({ clients: [{ id: 'lost-1', email: 'lost' }] }) }),
      });
      const traffic = (email: string) =>
        fetch(`${old.url}panel/api/inbounds/getClientTraffics/${email}`, { headers: session }).then((r) => r.json());
      expect(await traffic('lost')).toMatchObject({ success: true, obj: { email: 'lost' } });
      expect(await traffic('ghost')).toEqual({ success: true, msg: '', obj: null });
    } finally {
      await old.stop();
    }
  });

  it('the echo fault answers every request, login included, with the request itself, as sent or encoded', async () => {
    const login = () =>
      call('login', {
        method: 'POST',
        body: new URLSearchParams({ username: panel.username, password: panel.password }),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }).then((r) => r.json());
    const inner = (msg: string) => /^Something went wrong \(([\s\S]*)\)$/.exec(msg)![1];
    await panel.setFault({ kind: 'echo', echo: 'base64' });
    const encoded = await login();
    expect(encoded.success).toBe(false);
    expect(Buffer.from(inner(encoded.msg), 'base64').toString()).toContain(`password=${panel.password}`);
    await panel.setFault({ kind: 'echo', echo: 'upper' });
    expect(inner((await login()).msg)).toContain(`PASSWORD=${panel.password.toUpperCase()}`);
    await panel.setFault({ kind: 'echo' });
    expect(inner((await (await call('panel/api/inbounds/list')).json()).msg)).toMatch(/^GET \/base-path-x\/panel/);
  });

  it('§8 server status carries xray.state', async () => {
    expect((await (await call('panel/api/server/status')).json()).obj.xray.state).toBe('running');
  });

  describe('§14 overlapping writes', () => {
    /** Two addClient calls sent at once, each on its own session; answers the racers the panel kept. */
    async function race(options: { version?: string; inbounds: [number, number] }) {
      const slow = await new PanelSimulator({
        version: options.version,
        apiTokens: [{ token: 'racer-token', scope: 'admin' }],
        writeCost: { fixedMs: 30, perStoredClientMs: 0, perBatchClientMs: 0 },
      }).start();
      try {
        const headers = { Authorization: 'Bearer racer-token', Cookie: '', 'Content-Type': 'application/json' };
        if (!slow.isV3) {
          const login = await fetch(`${slow.url}login`, {
            method: 'POST',
            body: new URLSearchParams({ username: slow.username, password: slow.password }),
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          });
          headers.Cookie = login.headers.get('set-cookie')!.split(';')[0];
        }
        const add = (inbound: number, email: string) =>
          fetch(`${slow.url}panel/api/inbounds/addClient`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ id: inbound, settings: JSON.stringify({ clients: [{ id: email, email }] }) }),
          }).then((r) => r.json());
        const results = await Promise.all(options.inbounds.map((inbound, i) => add(inbound, `racer-${i + 1}`)));
        expect(results.every((r) => r.success)).toBe(true);
        return {
          kept: slow.state.allEmails().filter((email) => email.startsWith('racer-')),
          overlapping: slow.overlappingWrites,
          rows: [...slow.state.traffics.keys()].filter((email) => email.startsWith('racer-')),
        };
      } finally {
        await slow.stop();
      }
    }

    it('v2.8: two writes to one inbound both answer success and one is lost (its traffic row stays)', async () => {
      const { kept, overlapping, rows } = await race({ inbounds: [1, 1] });
      expect(kept).toHaveLength(1);
      expect(overlapping).toBe(1);
      expect(rows).toHaveLength(2);
    });

    it('v2.8: writes to two inbounds each save their own inbound, so both are kept', async () => {
      expect((await race({ inbounds: [1, 2] })).kept.sort()).toEqual(['racer-1', 'racer-2']);
    });

    it('v3.0: writes queue behind one writer, nothing is lost', async () => {
      const { kept, overlapping } = await race({ version: '3.0.2', inbounds: [1, 1] });
      expect(kept.sort()).toEqual(['racer-1', 'racer-2']);
      expect(overlapping).toBe(0);
    });

    it('the lostWrites fault: the next writes answer success and are lost', async () => {
      await panel.setFault({ kind: 'none', lostWrites: 1 });
      expect(await (await addClient(1, [{ id: 'lost-1', email: 'lost' }])).json()).toMatchObject({ success: true });
      expect(panel.state.allEmails()).not.toContain('lost');
      expect(panel.currentFault().lostWrites).toBe(0);
      await addClient(1, [{ id: 'kept-1', email: 'kept' }]);
      expect(panel.state.allEmails()).toContain('kept');
    });
  });

  it('§6.3/§7 the traffic job: first use starts a held plan, depletion and expiry disable the row only, updateClient re-enables', async () => {
    const day = 86_400_000;
    const clients = [
      { id: 'held-1', email: 'held', enable: true, expiryTime: -30 * day },
      { id: 'capped-1', email: 'capped', enable: true, totalGB: 1000 },
      { id: 'late-1', email: 'late', enable: true, expiryTime: Date.now() + 50 },
    ];
    expect((await (await addClient(1, clients)).json()).success).toBe(true);
    const started = Date.now();
    panel.state.recordTraffic([
      { email: 'held', up: 10, down: 20 },
      { email: 'capped', up: 400, down: 600 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    panel.state.recordTraffic([]);
    const list = (await (await call('panel/api/inbounds/list')).json()).obj;
    const inbound = list.find((candidate: { id: number }) => candidate.id === 1);
    const row = (email: string) => inbound.clientStats.find((stat: { email: string }) => stat.email === email);
    const stored = (email: string) =>
      JSON.parse(inbound.settings).clients.find((client: { email: string }) => client.email === email);
    expect(row('held')).toMatchObject({ up: 10, down: 20, enable: true });
    expect(row('held').expiryTime).toBeGreaterThanOrEqual(started + 30 * day);
    expect(stored('held').expiryTime).toBe(row('held').expiryTime);
    expect(row('capped')).toMatchObject({ up: 400, down: 600, enable: false });
    expect(stored('capped').enable).toBe(true); // depletion disables only the traffic row
    expect(row('late').enable).toBe(false);
    // updateClient re-enables the row (and keeps up/down).
    const updated = await postJson('panel/api/inbounds/updateClient/capped-1', {
      id: 1,
      settings: JSON.stringify({ clients: [{ ...stored('capped'), totalGB: 5000 }] }),
    });
    expect((await updated.json()).success).toBe(true);
    const after = (await (await call('panel/api/inbounds/list')).json()).obj.find((c: { id: number }) => c.id === 1);
    const capped = after.clientStats.find((stat: { email: string }) => stat.email === 'capped');
    expect(capped).toMatchObject({ enable: true, up: 400, down: 600, total: 5000 });
  });
  it('§7 traffic resets: one client or a whole inbound back to 0 and enabled; traffic of disabled clients is not carried', async () => {
    const clients = [
      { id: 'a-1', email: 'a', enable: true, totalGB: 100 },
      { id: 'b-1', email: 'b', enable: true },
      { id: 'c-1', email: 'c', enable: false },
    ];
    expect((await (await addClient(1, clients)).json()).success).toBe(true);
    expect(
      panel.state.recordTraffic([
        { email: 'a', up: 60, down: 60 },
        { email: 'b', up: 5, down: 5 },
        { email: 'c', up: 7, down: 7 },
      ]),
    ).toBe(130);
    expect(panel.state.recordTraffic([{ email: 'a', up: 1, down: 1 }])).toBe(0); // depleted: Xray dropped it
    type Row = { email: string; up: number; down: number; allTime: number; enable: boolean; id: number };
    const rows = async (): Promise<Record<string, Row>> =>
      Object.fromEntries(
        (await (await call('panel/api/inbounds/list')).json()).obj
          .find((c: { id: number }) => c.id === 1)
          .clientStats.map((row: Row) => [row.email, row]),
      );
    const before = await rows();
    expect(before['a']).toMatchObject({ up: 60, down: 60, enable: false });
    const reset = await (await call('panel/api/inbounds/1/resetClientTraffic/a', { method: 'POST' })).json();
    expect(reset.success).toBe(true);
    // The lifetime counter survives the reset (it is what lets a reader tell how much was forgotten).
    expect((await rows())['a']).toMatchObject({ up: 0, down: 0, allTime: 120, enable: true, id: before['a'].id });
    const unknown = await (await call('panel/api/inbounds/1/resetClientTraffic/nobody', { method: 'POST' })).json();
    expect(unknown).toMatchObject({
      success: false,
      msg: expect.stringContaining('Inbound Not Found For Email: nobody'),
    });
    expect((await (await call('panel/api/inbounds/resetAllClientTraffics/1', { method: 'POST' })).json()).success).toBe(
      true,
    );
    expect((await rows())['b']).toMatchObject({ up: 0, down: 0, enable: true, id: before['b'].id });
  });
});
