import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFleetClient, type FleetClient } from '@fleet/sdk';
import { PanelSimulator } from '@fleet/panel-sim';
import { clientOn } from './support/fleet';
import { addPanelsAsNodes, bootBuiltApp, Started, stopped } from './support/process';
import { createTestDatabase } from './support/test-database';

const DAY = 86_400_000;

/** The answer's body, or a failure naming its status and error: no assertion needed to read it. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) throw new Error(`${result.response.status}: ${JSON.stringify(result.error)}`);
  return result.data;
}

/**
 * A shop bot's whole flow written against the typed SDK (types from the committed OpenAPI document), with no casts and
 * no `any` (type-checked as part of the test run), against the built control plane in its own process, on
 * PostgreSQL and simulated panels.
 */
describe('a shop bot through the SDK', () => {
  let database: { url: string; drop(): Promise<void> };
  let panels: PanelSimulator[];
  let running: Started;
  let bot: FleetClient;
  const workDir = mkdtempSync(join(tmpdir(), 'fleet-bot-'));

  beforeAll(async () => {
    database = await createTestDatabase();
    panels = await Promise.all(['ams', 'waw'].map((tag) => new PanelSimulator({ tag }).start()));
    const booted = await bootBuiltApp({ cwd: workDir, databaseUrl: database.url });
    running = booted.running;
    const [amsterdam, warsaw] = panels;
    await addPanelsAsNodes(booted.api, booted.auth, [amsterdam], 'ams', { location: 'Amsterdam' });
    await addPanelsAsNodes(booted.api, booted.auth, [warsaw], 'waw', { location: 'Warsaw' });
    const admin = createFleetClient({ baseUrl: running.url, token: booted.auth.Authorization.slice('Bearer '.length) });
    const created = await admin.POST('/api/v1/tokens', { body: { name: 'shop-bot', role: 'bot' } });
    bot = createFleetClient({ baseUrl: running.url, token: ok(created).token });
  });
  afterAll(async () => {
    running?.child.kill('SIGTERM');
    if (running) await stopped(running.child);
    await Promise.all((panels ?? []).map((panel) => panel.stop()));
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  const telegramId = 424242;
  const path = { telegramId };

  it('sells, reads, extends once, relocates, switches, rotates and revokes', async () => {
    const expiresAt = new Date(Date.now() + 30 * DAY).toISOString();
    const sold = await bot.PUT('/api/v1/keys/{telegramId}', {
      params: { path },
      body: { username: 'alice', location: 'Warsaw', plan: { expiresAt, trafficLimitBytes: 50e9, deviceLimit: 2 } },
    });
    expect(sold.response.status).toBe(201);
    const key = ok(sold);
    expect(key.planApplied).toBe(true);
    expect(key.access).toMatchObject({ status: 'active', expiresAt, trafficLimitBytes: 50e9, deviceLimit: 2 });
    expect(key.node.location).toBe('Warsaw');
    expect(key.subscriptionUrl).toContain('/sub/');

    const read = ok(await bot.GET('/api/v1/keys/{telegramId}', { params: { path } }));
    expect(read.access.usedBytes).toBe(0);
    expect(read.onlineAt).toBeNull();
    const found = ok(await bot.GET('/api/v1/keys', { params: { query: { username: 'ALICE' } } }));
    expect(found.items.map((item) => item.telegramId)).toEqual([telegramId]);

    // The same extension sent twice (a retry after a lost answer) extends once.
    const once = { params: { path, header: { 'Idempotency-Key': 'order-7' } }, body: { days: 10 } };
    const first = await bot.POST('/api/v1/keys/{telegramId}/extend', once);
    const again = await bot.POST('/api/v1/keys/{telegramId}/extend', once);
    expect(again.response.headers.get('Idempotent-Replayed')).toBe('true');
    expect(ok(again).access.expiresAt).toBe(ok(first).access.expiresAt);
    expect(Date.parse(ok(first).access.expiresAt ?? '')).toBe(Date.parse(expiresAt) + 10 * DAY);
    // Without a key of its own, each call gets one from the SDK: two calls extend twice.
    await bot.POST('/api/v1/keys/{telegramId}/extend', { params: { path }, body: { days: 1 } });
    const twice = await bot.POST('/api/v1/keys/{telegramId}/extend', { params: { path }, body: { days: 1 } });
    expect(Date.parse(ok(twice).access.expiresAt ?? '')).toBe(Date.parse(expiresAt) + 12 * DAY);

    const moved = await bot.POST('/api/v1/keys/{telegramId}/relocate', {
      params: { path },
      body: { location: 'Amsterdam' },
    });
    expect(ok(moved).node.location).toBe('Amsterdam');
    const nowhere = await bot.POST('/api/v1/keys/{telegramId}/relocate', {
      params: { path },
      body: { location: 'Tokyo' },
    });
    expect(nowhere.error).toMatchObject({ code: 'NODE_NOT_ELIGIBLE' });

    const off = await bot.PATCH('/api/v1/keys/{telegramId}/access', { params: { path }, body: { enabled: false } });
    expect(ok(off).access.status).toBe('disabled');
    const email = `u${key.userId}-n${ok(moved).node.id}`;
    expect(clientOn(panels[0], email)).toMatchObject({ enable: false });
    const on = await bot.PATCH('/api/v1/keys/{telegramId}/access', { params: { path }, body: { enabled: true } });
    expect(ok(on).access.status).toBe('active');

    const newKey = await bot.POST('/api/v1/keys/{telegramId}/rotate', { params: { path }, body: { scope: 'key' } });
    expect(ok(newKey).key).not.toBe(ok(on).key);
    expect(ok(newKey).subscriptionUrl).toBe(key.subscriptionUrl);
    const everything = await bot.POST('/api/v1/keys/{telegramId}/rotate', { params: { path }, body: { scope: 'all' } });
    expect(ok(everything).subscriptionUrl).not.toBe(key.subscriptionUrl);

    const revoked = await bot.DELETE('/api/v1/keys/{telegramId}', { params: { path } });
    expect(revoked.response.status).toBe(204);
    const gone = await bot.GET('/api/v1/keys/{telegramId}', { params: { path } });
    expect(gone.error).toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('answers a bad request with the error body, typed', async () => {
    const refused = await bot.PUT('/api/v1/keys/{telegramId}', {
      params: { path: { telegramId: 5 } },
      body: { plan: { deviceLimit: 500 } },
    });
    expect(refused.response.status).toBe(400);
    expect(refused.error?.code).toBe('VALIDATION_FAILED');
    expect(refused.error?.message).toEqual(['plan.deviceLimit must not be greater than 100']);
  });
});
