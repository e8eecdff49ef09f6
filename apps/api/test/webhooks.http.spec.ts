import Ajv2020 from 'ajv/dist/2020';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PanelSimulator } from '@fleet/panel-sim';
import { parseWebhook, verifyWebhook } from '@fleet/sdk/webhooks';
import { dataSourceOptions } from '../src/common/database/data-source.options';
import { MetricsService } from '../src/modules/metrics/metrics.service';
import { eventually, placeUsers, startFleet } from './support/fleet';
import { addPanelsAsNodes, bootBuiltApp, Started, stopped } from './support/process';
import { prng, seedFrom } from './support/prng';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-database';
import { Attempt, checkSubjectOrder, startWebhookReceiver } from './support/webhook-receiver';

const WEBHOOK_SECRET = 'webhook-secret-for-tests';
type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/** What a receiver does with the documented headers (the SDK's check: HMAC-SHA256 over "<timestamp>.<raw body>"). */
function verifies(attempt: Attempt): boolean {
  const { headers } = attempt;
  const genuine = verifyWebhook(attempt.raw, headers, WEBHOOK_SECRET);
  // The same check refuses a changed body, another secret and a replay an hour later.
  expect(verifyWebhook(`${attempt.raw} `, headers, WEBHOOK_SECRET)).toBe(false);
  expect(verifyWebhook(attempt.raw, headers, `${WEBHOOK_SECRET}x`)).toBe(false);
  expect(verifyWebhook(attempt.raw, headers, WEBHOOK_SECRET, Date.now() / 1000 + 3600)).toBe(false);
  return genuine;
}

/** Checks a delivered body against the API document's description of its webhook (`webhooks.<type>`). */
async function documentedWebhooks(t: TestApp): Promise<(attempt: Attempt) => string[]> {
  const { body: document } = await t.http().get('/api/docs-json').expect(200);
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  return (attempt) => {
    const schema = document.webhooks[attempt.type]?.post.requestBody.content['application/json'].schema;
    if (!schema) return [`${attempt.type} is not in the document`];
    const validate = ajv.compile(schema);
    return validate(JSON.parse(attempt.raw))
      ? []
      : validate.errors!.map((e) => `${attempt.type}${e.instancePath} ${e.message}`);
  };
}

/** `<user or node id> <type>`, from what the receiver got. */
const about = (attempt: Attempt) => `${attempt.data['userId'] ?? attempt.data['nodeId']} ${attempt.type}`;

describe('webhooks: in order per subject, signed as documented', () => {
  let t: TestApp;
  let fleet: Awaited<ReturnType<typeof startFleet>>;
  let receiver: Receiver;
  let holding: Set<string>;

  beforeEach(async () => {
    holding = new Set();
    // Refuses the held events (500) until they are let through.
    receiver = await startWebhookReceiver((attempt) => (holding.has(about(attempt)) ? 500 : 204));
    t = await startTestApp({ env: { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET, BACKGROUND_TICK_MS: '50' } });
    fleet = await startFleet(t, [{ node: { maxUsers: 50 } }]);
  });
  afterEach(async () => {
    await t.close();
    await fleet.stop();
    await receiver.stop();
  });

  it('a later event waits while an earlier one of the same user is retried; other users flow on', async () => {
    const bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    const [first, second] = await placeUsers(t, bot, 41, 2);
    holding.add(`${first.userId} user.disabled`);
    await t.http().patch('/api/v1/keys/41/access').set(bot).send({ enabled: false }).expect(200);
    await t.http().delete('/api/v1/keys/41').set(bot).expect(204);
    await t.http().patch('/api/v1/keys/42/access').set(bot).send({ enabled: false }).expect(200);

    // The second user's webhook goes while the first user's first one is being retried…
    const seen = await eventually(
      async () => receiver.attempts.map((a) => `${about(a)} ${a.status}`),
      (list) =>
        list.filter((a) => a === `${first.userId} user.disabled 500`).length >= 2 &&
        list.includes(`${second.userId} user.disabled 204`),
    );
    expect(seen.filter((a) => a === `${first.userId} user.disabled 500`).length).toBeGreaterThanOrEqual(2);
    expect(seen).toContain(`${second.userId} user.disabled 204`);
    // … and the first user's deletion is not sent before their disabling is through.
    expect(seen.filter((a) => a.startsWith(`${first.userId} user.deleted`))).toEqual([]);

    holding.clear();
    const accepted = await eventually(
      async () => receiver.accepted().filter((a) => a.data['userId'] === first.userId),
      (list) => list.length === 2,
    );
    expect(accepted.map((a) => [a.type, a.sequence])).toEqual([
      ['user.disabled', 1],
      ['user.deleted', 2],
    ]);
    // Typed by the SDK from the document: `data` is known once `type` is.
    const deleted = parseWebhook(accepted[1].raw);
    expect(deleted.type === 'user.deleted' && deleted.data.status).toBe('deleted');
    checkSubjectOrder(receiver.attempts);

    // Every attempt is signed as documented; retries keep their delivery id.
    for (const attempt of receiver.attempts) {
      expect(verifies(attempt)).toBe(true);
      expect(attempt.headers['x-event-type']).toBe(attempt.type);
      expect(attempt.headers['x-delivery-id']).toBe(attempt.id);
      expect(JSON.parse(attempt.raw)).toEqual({
        id: expect.stringMatching(/^\d+$/),
        type: attempt.type,
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        subject: attempt.subject,
        sequence: attempt.sequence,
        data: expect.objectContaining({ userId: expect.any(Number), telegramId: expect.any(Number) }),
      });
    }
    const undocumented = await documentedWebhooks(t);
    expect(receiver.attempts.flatMap(undocumented)).toEqual([]);
    const retried = receiver.attempts.filter((a) => a.type === 'user.disabled' && a.subject === `user:${first.userId}`);
    expect(new Set(retried.map((a) => a.id)).size).toBe(1);

    // Figures: failures counted, nothing left waiting.
    const metrics = (await t.http().get('/metrics').set(fleet.auth).expect(200)).text;
    expect(metrics).toMatch(/fleet_webhook_deliveries_total\{type="user.disabled",result="failed"\} [2-9]/);
    expect(metrics).toMatch(/^fleet_webhook_backlog_messages 0$/m);
    expect(metrics).toMatch(/^fleet_webhook_retrying_subjects 0$/m);
  });

  it('a node’s webhooks have their own sequence; a retried one shows in the backlog figures', async () => {
    const [nodeId] = fleet.nodeIds;
    holding.add(`${nodeId} node.down`);
    await fleet.panels[0].setFault({ kind: 'refuse' });
    for (let i = 0; i < 3; i++) await t.http().post(`/api/v1/nodes/${nodeId}/check-health`).set(fleet.auth);
    await fleet.panels[0].setFault({ kind: 'none' });
    for (let i = 0; i < 2; i++) await t.http().post(`/api/v1/nodes/${nodeId}/check-health`).set(fleet.auth);
    await eventually(
      async () => receiver.attempts.filter((a) => a.type === 'node.down').length,
      (n) => n >= 1,
    );
    const metrics = await eventually(
      async () => (await t.http().get('/metrics').set(fleet.auth).expect(200)).text,
      (text) => /^fleet_webhook_retrying_subjects 1$/m.test(text),
    );
    expect(metrics).toMatch(/^fleet_webhook_retrying_subjects 1$/m);
    expect(Number(/^fleet_webhook_backlog_messages (\d+)$/m.exec(metrics)![1])).toBeGreaterThanOrEqual(2);
    expect(receiver.attempts.some((a) => a.type === 'node.up')).toBe(false);
    holding.clear();
    const accepted = await eventually(
      async () => receiver.accepted().filter((a) => a.data['nodeId'] === nodeId),
      (list) => list.some((a) => a.type === 'node.up'),
    );
    // node.down first, then whatever followed it for this node (the failover's end), node.up last.
    const types = accepted.map((a) => a.type);
    expect(types[0]).toBe('node.down');
    expect(types[types.length - 1]).toBe('node.up');
    expect(accepted.map((a) => a.sequence)).toEqual(types.map((_, i) => i + 1));
    checkSubjectOrder(receiver.attempts);
    expect(receiver.attempts.flatMap(await documentedWebhooks(t))).toEqual([]);
  });
});

describe('webhooks from two replicas on one database', () => {
  it('each user’s webhooks arrive in the order of their changes, each once, both replicas delivering', async () => {
    const seed = seedFrom('WEBHOOK_SEED');
    const random = prng(seed);
    // A flaky receiver: every fourth delivery fails at its first attempt; answers take 0–20 ms.
    const receiver = await startWebhookReceiver(async (attempt) => {
      await new Promise((resolve) => setTimeout(resolve, Number(attempt.id) % 20));
      const earlier = receiver.attempts.filter((a) => a.id === attempt.id).length;
      return Number(attempt.id) % 4 === 0 && earlier === 1 ? 503 : 204;
    });
    const env = { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET, BACKGROUND_TICK_MS: '50' };
    const secretKey = randomBytes(32);
    const a = await startTestApp({ env, secretKey });
    const b = await startTestApp({ databaseUrl: a.databaseUrl, env, secretKey });
    const fleet = await startFleet(a, [{ node: { maxUsers: 50 } }]);
    try {
      const botA = { Authorization: `Bearer ${await a.tokenFor('bot')}` };
      const keys = await placeUsers(a, botA, 500, 8);
      const replicas = [a, b];
      // Each user's access toggled 6 times, through either replica, users concurrently; some toggles overlap.
      await Promise.all(
        keys.map(async (_key, i) => {
          for (let step = 0; step < 3; step++) {
            const toggles = [false, true].map((enabled) =>
              random
                .pick(replicas)
                .http()
                .patch(`/api/v1/keys/${500 + i}/access`)
                .set(botA)
                .send({ enabled }),
            );
            if (random.next() < 0.5) await Promise.all(toggles);
            else for (const toggle of toggles) await toggle;
          }
        }),
      );
      const announced: Array<{ user_id: number; type: string }> = await a.dataSource.query(
        `SELECT user_id, type FROM events WHERE type IN ('user.enabled', 'user.disabled') ORDER BY id`,
      );
      expect(announced.length).toBeGreaterThanOrEqual(keys.length * 2);
      const accepted = await eventually(
        async () => checkSubjectOrder(receiver.attempts),
        (bySubject) => [...bySubject.values()].flat().length === announced.length,
        40_000,
      );
      // Per user, the receiver got exactly the changes in the order they were made.
      for (const key of keys) {
        const made = announced.filter((e) => e.user_id === key.userId).map((e) => e.type);
        expect({ seed, user: key.userId, got: (accepted.get(`user:${key.userId}`) ?? []).map((x) => x.type) }).toEqual({
          seed,
          user: key.userId,
          got: made,
        });
      }
      expect(receiver.attempts.some((x) => x.status === 503)).toBe(true);
      for (const replica of replicas) {
        const counted = await replica.app.get(MetricsService).webhookDeliveries.get();
        const delivered = counted.values.filter((v) => v.labels['result'] === 'delivered');
        expect(delivered.reduce((sum, v) => sum + v.value, 0)).toBeGreaterThan(0);
      }
      const [{ left }] = await a.dataSource.query(`SELECT count(*)::int AS left FROM outbox`);
      expect(left).toBe(0);
    } finally {
      await b.stop();
      await a.close();
      await fleet.stop();
      await receiver.stop();
    }
  });
});

describe('webhooks across a crash (built app, SIGKILL)', () => {
  let database: { url: string; drop(): Promise<void> };
  let panel: PanelSimulator;
  let running: Started | null = null;
  let dataSource: DataSource;
  const workDir = mkdtempSync(join(tmpdir(), 'fleet-webhooks-'));

  beforeAll(async () => {
    database = await createTestDatabase();
    panel = await new PanelSimulator({ tag: 'wh' }).start();
  });
  afterAll(async () => {
    if (running) {
      running.child.kill('SIGKILL');
      await stopped(running.child);
    }
    if (dataSource?.isInitialized) await dataSource.destroy();
    await panel.stop();
    await database.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('a replica killed while delivering: another sends that message again (same id), then the next, in order', async () => {
    let arrived: () => void = () => undefined;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    // The first delivery hangs (the process is killed while waiting for it); the rest are accepted.
    const receiver = await startWebhookReceiver((attempt) => {
      if (attempt.arrivedAt > 1) return 204;
      arrived();
      return new Promise<number>(() => undefined);
    });
    const env = { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET, WEBHOOK_TIMEOUT_MS: '2000', BACKGROUND_TICK_MS: '100' };
    try {
      const first = await bootBuiltApp({ cwd: workDir, databaseUrl: database.url, env });
      running = first.running;
      await addPanelsAsNodes(first.api, first.auth, [panel], 'wh');
      const { body: key } = await first.api.put('/api/v1/keys/77').set(first.auth).send({}).expect(201);
      await first.api.patch('/api/v1/keys/77/access').set(first.auth).send({ enabled: false }).expect(200);
      await firstArrived;
      await first.api.patch('/api/v1/keys/77/access').set(first.auth).send({ enabled: true }).expect(200);
      running.child.kill('SIGKILL');
      await stopped(running.child);
      running = null;

      const second = await bootBuiltApp({ cwd: workDir, databaseUrl: database.url, env });
      running = second.running;
      const accepted = await eventually(
        async () => receiver.accepted(),
        (list) => list.length === 2,
        30_000,
      );
      expect(accepted.map((x) => [x.subject, x.type, x.sequence])).toEqual([
        [`user:${key.userId}`, 'user.disabled', 1],
        [`user:${key.userId}`, 'user.enabled', 2],
      ]);
      expect(accepted[0].id).toBe(receiver.attempts[0].id);
      checkSubjectOrder(receiver.attempts);
      dataSource = new DataSource(dataSourceOptions(database.url, 1));
      await dataSource.initialize();
      expect(await dataSource.query(`SELECT count(*)::int AS n FROM outbox`)).toEqual([{ n: 0 }]);
    } finally {
      await receiver.stop();
    }
  });
});
