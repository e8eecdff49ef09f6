import { randomBytes } from 'node:crypto';
import { DailyDigest } from '../src/modules/notifications/daily-digest.service';
import { TelegramSender } from '../src/modules/notifications/telegram-sender.service';
import { WebhookWatch } from '../src/modules/notifications/webhook-watch.service';
import { BotAnswer, BotApi, BotCall, startBotApi } from '@fleet/testing';
import { checkHealth, clientOn, eventually, placeUsers, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';
import { startWebhookReceiver } from './support/webhook-receiver';

const TOKEN = `123456:${randomBytes(24).toString('hex')}`;
const PRIVATE = 1001;
const GROUP = -2002;
type Fleet = Awaited<ReturnType<typeof startFleet>>;

function telegramEnv(bot: BotApi, env: Record<string, string> = {}): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_ADMIN_CHAT_IDS: `${PRIVATE},${GROUP}`,
    TELEGRAM_API_ROOT: bot.url,
    TELEGRAM_ALERTS: 'node,failover,reconcile,webhook',
    BACKGROUND_TICK_MS: '50',
    ...env,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const texts = (calls: BotCall[]) => calls.map((call) => call.text);

/** Alerts queued for Telegram and not sent yet. */
async function queued(t: TestApp): Promise<Array<{ type: string; subject: string }>> {
  return t.dataSource.query(
    `SELECT o.type, o.subject FROM outbox o JOIN outbox_subjects s USING (subject) WHERE s.channel = 'telegram'
      ORDER BY o.id`,
  );
}

/** Telegram's pace held: one message a second per private chat, one every 3 s in a group; every call as sent. */
function checkPace(bot: BotApi): void {
  for (const chatId of [PRIVATE, GROUP]) {
    const sent = bot.calls.filter((call) => call.chatId === chatId);
    for (let i = 1; i < sent.length; i++) {
      if (sent[i - 1].status !== 200) continue;
      expect(sent[i].at - sent[i - 1].at).toBeGreaterThanOrEqual((chatId < 0 ? 3000 : 1000) - 20);
    }
  }
  for (const call of bot.calls) expect(call).toMatchObject({ token: TOKEN, method: 'sendMessage', parseMode: 'HTML' });
}

/** Answers the chat's first message with 429 and `retry_after`; accepts everything else. */
function refusingFirst(chatId: number, retryAfter: number): (call: BotCall) => BotAnswer {
  let refused = false;
  return (call) => {
    if (call.chatId !== chatId || refused) return { ok: true };
    refused = true;
    return { retryAfter };
  };
}

/** Makes the node fall with checks on demand (HEALTH_FALL checks); answers when the fall is recorded. */
async function fell(t: TestApp, fleet: Fleet, index: number): Promise<void> {
  await fleet.panels[index].setFault({ kind: 'refuse' });
  expect(await checkHealth(t, fleet.auth, fleet.nodeIds[index], 3)).toBe('unhealthy');
}

describe('Telegram alerts through the outbox (real API, simulated panels, a stand-in Bot API)', () => {
  let bot: BotApi;
  let t: TestApp | null;
  let fleet: Fleet | null;

  beforeEach(async () => {
    bot = await startBotApi();
    t = null;
    fleet = null;
  });
  afterEach(async () => {
    await t?.close();
    await fleet?.stop();
    await bot.stop();
  });

  it('a panel that dies: one node.down message per chat within the sweeps, one node.up when it is back', async () => {
    t = await startTestApp({
      env: telegramEnv(bot, {
        HEALTH_INTERVAL_MS: '300',
        HEALTH_TIMEOUT_MS: '500',
        HEALTH_FALL: '2',
        HEALTH_RISE: '2',
      }),
    });
    // A name Telegram's HTML would read as markup, were it not escaped.
    fleet = await startFleet(t, [{ node: { name: 'ams <1> & co' } }, {}]);
    await fleet.panels[0].setFault({ kind: 'refuse' });
    const down = '🔴 Node <b>ams &lt;1&gt; &amp; co</b> is down: refused';
    await eventually(
      async () => bot.delivered().length,
      (n) => n >= 2,
    );
    await fleet.panels[0].setFault({ kind: 'none' });
    const up = '🟢 Node <b>ams &lt;1&gt; &amp; co</b> is up again';
    await eventually(
      async () => bot.delivered().filter((call) => call.text === up).length,
      (n) => n >= 2,
    );
    await sleep(1500); // more sweeps: nothing more to say
    for (const chatId of [PRIVATE, GROUP]) expect(texts(bot.delivered(chatId))).toEqual([down, up]);
    expect(bot.calls.every((call) => call.status === 200)).toBe(true);
    checkPace(bot);
    expect(await queued(t)).toEqual([]);
  });

  it('several nodes falling at once: one message listing them', async () => {
    t = await startTestApp({ env: telegramEnv(bot) });
    fleet = await startFleet(t, [{}, {}, {}]);
    await fleet.panels[0].setFault({ kind: 'refuse' });
    await fleet.panels[1].setFault({ kind: 'http500' });
    for (let i = 0; i < 3; i++) await t.http().post('/api/v1/nodes/check-health').set(fleet.auth).expect(200);
    await eventually(
      async () => bot.delivered().length,
      (n) => n >= 2,
    );
    await sleep(1000);
    for (const chatId of [PRIVATE, GROUP]) {
      expect(texts(bot.delivered(chatId))).toEqual([
        '🔴 2 nodes are down:\n• <b>node-1</b>: refused\n• <b>node-2</b>: bad response',
      ]);
    }
  });

  it('a failover: one message with how many users moved and how long it took, not one per user', async () => {
    t = await startTestApp({ env: telegramEnv(bot, { JOB_CONCURRENCY: '10' }) });
    fleet = await startFleet(t, [{ node: { maxUsers: 100 } }, { node: { maxUsers: 100, status: 'inactive' } }]);
    const botAuth = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    const keys = await placeUsers(t, botAuth, 7000, 40);
    expect(new Set(keys.map((key) => key.node.id))).toEqual(new Set([fleet.nodeIds[0]]));
    await t.http().patch(`/api/v1/nodes/${fleet.nodeIds[1]}`).set(fleet.auth).send({ status: 'active' }).expect(200);

    await fell(t, fleet, 0);
    const said = await eventually(
      async () => texts(bot.delivered(PRIVATE)).join('\n\n'),
      (text) => text.includes('Failover of node'),
    );
    expect(said).toMatch(/✅ Failover of node <b>node-1<\/b> completed: 40 users moved in \d+ s/);
    await sleep(1500);
    const [{ moved }] = await t.dataSource.query(
      `SELECT count(*)::int AS moved FROM events WHERE type = 'user.migrated'`,
    );
    expect(moved).toBe(40);
    for (const chatId of [PRIVATE, GROUP]) {
      // The fall and the failover's end: in one message when they came within the gathering time, else in two.
      const messages = texts(bot.delivered(chatId));
      expect(messages.length).toBeLessThanOrEqual(2);
      expect(messages.join('\n\n').match(/Failover of node/g)).toHaveLength(1);
      expect(messages.join('\n\n')).toContain('🔴 Node <b>node-1</b> is down: refused');
    }
    expect(await queued(t)).toEqual([]);
  });

  it('a reconcile that corrected a panel: what it corrected', async () => {
    t = await startTestApp({ env: telegramEnv(bot) });
    fleet = await startFleet(t, [{}]);
    const botAuth = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    const keys = await placeUsers(t, botAuth, 9000, 3);
    const panel = fleet.panels[0];
    for (const key of keys.slice(0, 2)) {
      const client = clientOn(panel, `u${key.userId}-n${key.node.id}`);
      expect(panel.state.deleteClient(1, String(client?.['id']))).toMatchObject({ success: true });
    }
    await t.http().post(`/api/v1/nodes/${fleet.nodeIds[0]}/reconcile`).set(fleet.auth).send({}).expect(200);
    await eventually(
      async () => bot.delivered().length,
      (n) => n >= 2,
    );
    for (const chatId of [PRIVATE, GROUP]) {
      expect(texts(bot.delivered(chatId))).toEqual(['🔧 Reconcile corrected node <b>node-1</b>: 2 missing clients']);
    }
  });

  it('a 429: the chat waits retry_after and gets the message once; other chats flow on', async () => {
    await bot.stop();
    bot = await startBotApi(refusingFirst(PRIVATE, 2));
    t = await startTestApp({ env: telegramEnv(bot) });
    fleet = await startFleet(t, [{}]);
    await fell(t, fleet, 0);
    await eventually(
      async () => bot.delivered(PRIVATE).length,
      (n) => n >= 1,
    );
    await sleep(1500);
    const toPrivate = bot.calls.filter((call) => call.chatId === PRIVATE);
    expect(toPrivate.map((call) => call.status)).toEqual([429, 200]);
    expect(toPrivate[1].at - toPrivate[0].at).toBeGreaterThanOrEqual(2000 - 20);
    expect(toPrivate[1].text).toBe(toPrivate[0].text);
    expect(bot.delivered(GROUP)).toHaveLength(1);
    expect(bot.delivered(GROUP)[0].at).toBeLessThan(toPrivate[1].at);
    const metrics = (await t.http().get('/metrics').set(fleet.auth).expect(200)).text;
    expect(metrics).toMatch(/^fleet_telegram_messages_total\{result="rate_limited"\} 1$/m);
    expect(metrics).toMatch(/^fleet_telegram_messages_total\{result="sent"\} 2$/m);
    checkPace(bot);
  });

  it('a restart: what was sent is not sent again; what was waiting is sent once by the next process', async () => {
    await bot.stop();
    bot = await startBotApi(refusingFirst(PRIVATE, 2));
    const secretKey = randomBytes(32);
    const first = await startTestApp({ env: telegramEnv(bot), secretKey });
    t = first;
    fleet = await startFleet(first, [{}]);
    await fell(first, fleet, 0);
    await eventually(
      async () => bot.calls.length,
      (n) => n >= 2,
    );
    await first.stop();
    expect(bot.delivered(GROUP)).toHaveLength(1);
    expect(bot.delivered(PRIVATE)).toHaveLength(0);

    const second = await startTestApp({ databaseUrl: first.databaseUrl, env: telegramEnv(bot), secretKey });
    try {
      await eventually(
        async () => bot.delivered(PRIVATE).length,
        (n) => n >= 1,
      );
      await sleep(1500);
      expect(bot.delivered(PRIVATE)).toHaveLength(1);
      expect(bot.delivered(GROUP)).toHaveLength(1);
      expect(await queued(second)).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  it('alerts left out of TELEGRAM_ALERTS are not even queued', async () => {
    t = await startTestApp({ env: telegramEnv(bot, { TELEGRAM_ALERTS: 'failover,digest' }) });
    fleet = await startFleet(t, [{}]);
    await fell(t, fleet, 0);
    expect(await queued(t)).toEqual([]);
    await sleep(2500);
    expect(bot.calls).toEqual([]);
  });

  it('without a bot and chats nothing is queued', async () => {
    t = await startTestApp({ env: { BACKGROUND_TICK_MS: '50' } });
    fleet = await startFleet(t, [{}]);
    await fell(t, fleet, 0);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox_subjects WHERE channel = 'telegram'`,
    );
    expect(n).toBe(0);
    expect(await t.app.get(TelegramSender).deliverDue()).toBe(0);
    expect(bot.calls).toEqual([]);
  });

  it('webhook delivery failing for more than 10 minutes: said once, and once more when it recovers', async () => {
    let failing = true;
    const receiver = await startWebhookReceiver(() => (failing ? 500 : 204));
    try {
      const app = await startTestApp({
        env: telegramEnv(bot, {
          TELEGRAM_ALERTS: 'webhook',
          WEBHOOK_URL: receiver.url,
          WEBHOOK_SECRET: 'webhook-secret-for-tests',
        }),
      });
      t = app;
      fleet = await startFleet(app, [{}]);
      await fell(app, fleet, 0);
      await eventually(
        async () => receiver.attempts.length,
        (n) => n >= 1,
      );
      const watch = app.app.get(WebhookWatch);
      expect(await watch.check()).toBeNull(); // failing, but not for 10 minutes yet
      await app.dataSource.query(`UPDATE outbox SET created_at = created_at - interval '11 minutes'`);
      const said = await Promise.all([watch.check(), watch.check(), watch.check()]);
      expect(said.filter((outcome) => outcome === 'failing')).toHaveLength(1);
      expect(await watch.check()).toBeNull();
      await eventually(
        async () => bot.delivered().length,
        (n) => n >= 2,
      );
      for (const chatId of [PRIVATE, GROUP]) {
        expect(texts(bot.delivered(chatId))).toEqual([
          expect.stringMatching(
            /^⚠️ Webhook delivery has been failing for 11 min: \d+ webhooks? waiting \(last error: HTTP 500\)$/,
          ),
        ]);
      }

      failing = false;
      await app.dataSource.query(`UPDATE outbox_subjects SET next_attempt_at = now() WHERE channel = 'webhook'`);
      await eventually(
        async () => (await app.dataSource.query(`SELECT count(*)::int AS n FROM outbox`))[0].n,
        (n) => n === 0,
      );
      expect(await Promise.all([watch.check(), watch.check()])).toEqual(expect.arrayContaining(['recovered', null]));
      expect(await watch.check()).toBeNull();
      await eventually(
        async () => bot.delivered().length,
        (n) => n >= 4,
        10_000,
      );
      for (const chatId of [PRIVATE, GROUP]) {
        expect(texts(bot.delivered(chatId))[1]).toBe('✅ Webhook delivery works again');
      }
    } finally {
      await receiver.stop();
    }
  });

  it('the daily digest: once a day for the fleet, however many replicas look at once', async () => {
    const env = telegramEnv(bot, {
      TELEGRAM_ALERTS: 'digest',
      TELEGRAM_DIGEST_HOUR: '6',
      ACCESS_TIMEZONE: 'Asia/Tokyo',
      ACCESS_EXPIRY_WARNING_HOURS: '48',
    });
    const secretKey = randomBytes(32);
    t = await startTestApp({ env, secretKey });
    fleet = await startFleet(t, [{ node: { maxUsers: 10 } }]);
    const botAuth = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    await t.http().put('/api/v1/keys/8000').set(botAuth).send({ username: 'alice <3' }).expect(201);
    await placeUsers(t, botAuth, 8001, 8);
    const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();
    for (let i = 0; i <= 6; i++) {
      await t
        .http()
        .patch(`/api/v1/keys/${8000 + i}/access`)
        .set(botAuth)
        .send({ expiresAt: inHours(10 + i) })
        .expect(200);
    }
    await t
      .http()
      .patch('/api/v1/keys/8007/access')
      .set(botAuth)
      .send({ expiresAt: inHours(100) })
      .expect(200);

    const other = await startTestApp({ databaseUrl: t.databaseUrl, env, secretKey });
    try {
      // 07:00 in Tokyo: past the digest hour. Before it, nothing is due.
      const morning = new Date('2031-03-04T22:00:00Z');
      const dawn = new Date('2031-03-04T20:00:00Z');
      expect(await t.app.get(DailyDigest).sendIfDue(dawn)).toBe(false);
      const outcomes = await Promise.all(
        [t, other, t, other].map((replica) => replica.app.get(DailyDigest).sendIfDue(morning)),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(await other.app.get(DailyDigest).sendIfDue(new Date('2031-03-05T14:59:00Z'))).toBe(false);
      await eventually(
        async () => bot.delivered().length,
        (n) => n >= 2,
      );
      const digest =
        '📋 <b>Daily digest</b>, 2031-03-05\n' +
        'Users whose plan ends within 48 h: 7 (alice &lt;3, 8001, 8002, 8003, 8004, …)\n' +
        'Nodes at 90 % load or more: <b>node-1</b> 90 %';
      for (const chatId of [PRIVATE, GROUP]) expect(texts(bot.delivered(chatId))).toEqual([digest]);

      // The next day (midnight in Tokyo has passed) is another digest.
      expect(await other.app.get(DailyDigest).sendIfDue(new Date('2031-03-05T21:00:00Z'))).toBe(true);
      await eventually(
        async () => bot.delivered().length,
        (n) => n >= 4,
        10_000,
      );
      expect(texts(bot.delivered(GROUP))[1]).toMatch(/^📋 <b>Daily digest<\/b>, 2031-03-06\n/);
      checkPace(bot);
    } finally {
      await other.stop();
    }
  });
});
