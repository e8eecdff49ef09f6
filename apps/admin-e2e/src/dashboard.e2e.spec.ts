import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Browser, chromium, Locator, Page } from 'playwright-core';
import { PanelSimulator } from '@fleet/panel-sim';
import {
  BotApi,
  BuiltControlPlane,
  createDatabase,
  freePort,
  startBotApi,
  startBuiltControlPlane,
} from '@fleet/testing';

const ROOT = resolve(__dirname, '../../..');
const MAIN = resolve(ROOT, 'dist/apps/api/main.js');
const ARTEFACTS = resolve(ROOT, 'dist/e2e-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { username: 'e2e-admin', password: 'e2e-password-123' };
const OPERATOR = { username: 'e2e-operator', password: 'operator-password-456' };
const ALERT_CHAT = 424242;

/**
 * The dashboard end to end in Debian's Chromium: the built API and SPA, real PostgreSQL, simulated panels.
 * Screenshots of every page go to dist/e2e-artifacts.
 */
describe('admin dashboard in Chromium (built app, PostgreSQL, simulated panels)', () => {
  let database: { url: string; drop(): Promise<void> };
  let api: BuiltControlPlane;
  let url: string;
  let browser: Browser;
  let page: Page;
  let panels: PanelSimulator[];
  /** Telegram as the control plane's alerts reach it. */
  let telegram: BotApi;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    if (!existsSync(resolve(ROOT, 'dist/apps/admin/index.html'))) throw new Error('build the admin app first');
    mkdirSync(ARTEFACTS, { recursive: true });
    database = await createDatabase('fleet_e2e');
    panels = await Promise.all([0, 1, 2].map((i) => new PanelSimulator({ tag: `e2e${i}` }).start()));
    telegram = await startBotApi();
    api = await startBuiltControlPlane({
      main: MAIN,
      port: await freePort(),
      output: 'inherit',
      env: {
        DATABASE_URL: database.url,
        SECRET_KEY: randomBytes(32).toString('hex'),
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        HEALTH_INTERVAL_MS: '1000',
        HEALTH_TIMEOUT_MS: '1000',
        BACKGROUND_TICK_MS: '200',
        TOP_USERS_REFRESH_MS: '0', // top users computed when asked: the pages show every collection at once
        LOG_LEVEL: 'warn',
        TELEGRAM_BOT_TOKEN: '123456:e2e-bot-token-0123456789abcdef',
        TELEGRAM_ADMIN_CHAT_IDS: String(ALERT_CHAT),
        TELEGRAM_API_ROOT: telegram.url,
      },
    });
    url = api.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    // The page as the test left it (after a failure: where it stopped), to read when a run fails elsewhere.
    await page?.screenshot({ path: resolve(ARTEFACTS, 'last-page.png'), fullPage: true }).catch(() => undefined);
    await browser?.close();
    await api?.stop();
    await Promise.all((panels ?? []).map((panel) => panel.stop()));
    await telegram?.stop();
    await database?.drop();
  });

  /** A field by its whole label; a required field's label ends with Mantine's " *". */
  const field = (scope: Page | Locator, label: string) => scope.getByLabel(new RegExp(`^${label}( \\*)?$`));
  /** A section's link in the navbar (pages link to sections too). */
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  const loadsCaption = () => page.locator('figure[aria-label="Load per node"] figcaption').innerText();
  /** Waits until the load chart's text caption matches (the chart follows the API's refreshes). */
  const loadsShow = (pattern: RegExp, timeout: number) =>
    page.waitForFunction(
      (source) => new RegExp(source).test(document.querySelector('figure figcaption')?.textContent ?? ''),
      pattern.source,
      { timeout },
    );

  it('logs in, adds panels, places users, survives a dead panel and rebalances with a progress bar', async () => {
    await page.goto(url);
    await field(page, 'Username').fill(ADMIN.username);
    await field(page, 'Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();

    await nav('Nodes').click();
    // The wizard tries the panel first: a wrong password is refused before anything is saved.
    await page.getByRole('button', { name: 'Add node' }).click();
    let wizard = page.getByRole('dialog', { name: 'Add a node' });
    await wizard.getByLabel('Panel URL').fill(panels[0].url);
    await wizard.getByLabel('Panel username').fill(panels[0].username);
    await wizard.getByLabel('Panel password', { exact: false }).first().fill('not-the-password');
    await wizard.getByRole('button', { name: 'Test connection' }).click();
    await wizard.getByText('The panel cannot be used').waitFor();
    expect(await wizard.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.screenshot({ path: resolve(ARTEFACTS, 'node-wizard-refused.png') });
    await wizard.getByRole('button', { name: 'Cancel' }).click();
    for (const [i, panel] of panels.entries()) {
      await page.getByRole('button', { name: 'Add node' }).click();
      wizard = page.getByRole('dialog', { name: 'Add a node' });
      await wizard.getByLabel('Panel URL').fill(panel.url);
      await wizard.getByLabel('Panel username').fill(panel.username);
      await wizard.getByLabel('Panel password', { exact: false }).first().fill(panel.password);
      await wizard.getByRole('button', { name: 'Test connection' }).click();
      await wizard.getByText('Signed in').waitFor();
      await wizard.getByRole('button', { name: 'Next' }).click();
      await wizard.getByLabel(/^#1 vless:443/).check();
      await wizard.getByRole('button', { name: 'Next' }).click();
      await wizard.getByLabel('Name').fill(`e2e-${i + 1}`);
      await wizard.getByLabel('Capacity (users)').fill('20');
      await wizard.getByRole('button', { name: 'Add node' }).click();
      await wizard.waitFor({ state: 'detached' });
      await page.getByRole('row', { name: new RegExp(`e2e-${i + 1}`) }).waitFor();
    }
    await page.waitForFunction(() => document.querySelectorAll('tbody .badge-good').length >= 6, null, {
      timeout: 30_000,
    });
    await page.screenshot({ path: resolve(ARTEFACTS, 'nodes.png'), fullPage: true });

    // Groups: every node starts in `default`; a new group appears in order, with its flag, empty.
    await nav('Groups').click();
    await page.getByRole('row', { name: /default — 3 0 \/ 60 \(0%\) yes/ }).waitFor();
    await field(page, 'Name').fill('Germany');
    await page.getByLabel('Country code (two letters, for the flag)', { exact: true }).fill('de');
    await page.getByRole('button', { name: 'Add group' }).click();
    await page.getByRole('row', { name: /🇩🇪 Germany DE 0 — no/ }).waitFor();
    await page.screenshot({ path: resolve(ARTEFACTS, 'groups.png'), fullPage: true });
    await page.getByRole('button', { name: 'Delete Germany' }).click();
    await page.getByRole('row', { name: /Germany/ }).waitFor({ state: 'detached' });

    // Users arrive through the bot's API; the dashboard's chart follows.
    const { accessToken } = await (
      await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(ADMIN),
      })
    ).json();
    let subscriptionUrl = '';
    for (let i = 0; i < 24; i++) {
      const response = await fetch(`${url}/api/v1/keys/${5000 + i}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(201);
      subscriptionUrl = (await response.json()).subscriptionUrl;
    }
    // A user opening their subscription in a browser gets the page, its QR codes drawn by the page's own script.
    const subscription = await browser.newPage();
    const errors: string[] = [];
    subscription.on('pageerror', (error) => errors.push(error.message));
    subscription.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await subscription.goto(new URL(new URL(subscriptionUrl).pathname, url).toString());
    await subscription.locator('.qr svg').nth(1).waitFor();
    expect(await subscription.locator('.qr svg').count()).toBe(2); // the subscription URL and the user's server
    expect(await subscription.getByRole('heading', { level: 1 }).textContent()).toBe('VPN');
    expect(await subscription.getByLabel('subscription URL').inputValue()).toContain(new URL(subscriptionUrl).pathname);
    expect(errors).toEqual([]);
    await subscription.screenshot({ path: resolve(ARTEFACTS, 'subscription-page.png'), fullPage: true });
    // On a phone in dark mode: the page's own dark colours, nothing wider than the screen.
    await subscription.setViewportSize({ width: 390, height: 844 });
    await subscription.emulateMedia({ colorScheme: 'dark' });
    expect(await subscription.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(26, 27, 30)');
    expect(await subscription.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await subscription.screenshot({ path: resolve(ARTEFACTS, 'subscription-page-phone-dark.png'), fullPage: true });
    await subscription.close();
    await nav('Dashboard').click();
    await loadsShow(/e2e-1: 8 users.*e2e-2: 8 users.*e2e-3: 8 users/, 15_000);
    // Traffic on every user (as Xray's stats would report it), booked by a usage pass: the dashboard's top users and
    // a user's page show it.
    let megabytes = 0;
    for (const panel of panels) {
      for (const email of panel.state.allEmails().filter((email) => /^u\d+-n\d+$/.test(email))) {
        megabytes += 1;
        panel.state.recordTraffic([{ email, up: 1e6, down: megabytes * 1e6 }]);
      }
    }
    const collect = await fetch(`${url}/api/v1/usage/collect`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(collect.status).toBe(200);
    await page.reload();
    await page.getByRole('table', { name: 'Top users, last 24 h' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: resolve(ARTEFACTS, 'dashboard.png'), fullPage: true });
    await page.getByRole('table', { name: 'Top users, last 24 h' }).getByRole('link').first().click();
    await page.getByText(/This period: 25.0 MB \(↑ 1.0 MB ↓ 24.0 MB\), no limit/).waitFor({ timeout: 15_000 });
    expect(await page.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    // The support view: the subscription URL with its QR code drawn, the server's link beside it.
    await page.getByRole('img', { name: 'QR code: Subscription URL' }).waitFor();
    expect(await page.getByLabel('Subscription URL', { exact: true }).inputValue()).toMatch(/\/sub\/[\w-]{16,}$/);
    expect(await page.getByRole('img', { name: 'QR code: Subscription URL' }).locator('path').count()).toBeGreaterThan(
      0,
    );
    await page.screenshot({ path: resolve(ARTEFACTS, 'user.png'), fullPage: true });
    await nav('Dashboard').click();

    // A panel dies: the node turns unhealthy and its users move; the operators hear of it on Telegram, once.
    const sentBefore = telegram.delivered(ALERT_CHAT).length;
    await panels[0].setFault({ kind: 'refuse' });
    await loadsShow(/e2e-1: 0 users, 20 free \(unhealthy\)/, 30_000);
    const alerts = () => telegram.delivered(ALERT_CHAT).slice(sentBefore);
    for (const deadline = Date.now() + 15_000; !alerts().length && Date.now() < deadline; ) {
      await page.waitForTimeout(250);
    }
    // Later sweeps still see it down: they say nothing more of it (a failover's end may follow as its own line).
    await page.waitForTimeout(3000);
    const saidDown = alerts().filter((alert) => /Node <b>e2e-1<\/b> is down/.test(alert.text));
    expect(saidDown).toHaveLength(1);
    expect(await loadsCaption()).toMatch(/e2e-2: 12 users.*e2e-3: 12 users/);
    // Every page says so: the attention strip links to the nodes, the tab title counts it.
    await page.getByRole('status', { name: 'Needs attention' }).getByRole('link', { name: '1 node down' }).waitFor({
      timeout: 20_000,
    });
    expect(await page.title()).toMatch(/^\(\d+\) VPN fleet$/);
    await page.screenshot({ path: resolve(ARTEFACTS, 'attention.png'), fullPage: false });

    // It comes back; a rebalance spreads the users again, with a progress bar that completes.
    await panels[0].setFault({ kind: 'none' });
    await loadsShow(/e2e-1: 0 users, 20 free \(healthy\)/, 30_000);
    await nav('Rebalance').click();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('8 moves (the minimum is 8).').waitFor();
    await page.screenshot({ path: resolve(ARTEFACTS, 'rebalance-preview.png'), fullPage: true });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('progressbar').first().waitFor();
    await page
      .getByText(/rebalance #\d+: completed, 8 of 8 moved/)
      .first()
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: resolve(ARTEFACTS, 'rebalance.png'), fullPage: true });

    await nav('Dashboard').click();
    await loadsShow(/e2e-1: 8 users.*e2e-2: 8 users.*e2e-3: 8 users/, 15_000);

    // An operator creates a user with a plan; its page shows the plan and hands out its subscription at once.
    await nav('Users').click();
    await page.getByRole('button', { name: 'New user' }).click();
    const newUserForm = page.getByRole('form', { name: 'New user' });
    await newUserForm.getByLabel('Telegram id').fill('9090');
    await newUserForm.getByLabel('Username').fill('carol');
    await newUserForm.getByLabel('Traffic limit (GB)').fill('10');
    await newUserForm.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { name: 'carol' }).waitFor();
    await page.getByText(/used 0 B of 10.0 GB/).waitFor();
    await page.getByRole('img', { name: 'QR code: Subscription URL' }).waitFor();
    await page.screenshot({ path: resolve(ARTEFACTS, 'user-created.png'), fullPage: true });

    // Three users selected on the users table, extended at once after a confirmation that says so.
    await nav('Users').click();
    for (const name of ['user 1', 'user 2', 'user 3']) {
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
      await row.getByRole('checkbox').check();
    }
    const selection = page.getByRole('toolbar', { name: 'Selected users' });
    await selection.getByText('3 selected').waitFor();
    await selection.getByRole('button', { name: 'Extend' }).click();
    await page.getByRole('dialog').getByText('Extend 3 users by 30 day(s)?').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('3 done, 0 refused').waitFor();
    await page.screenshot({ path: resolve(ARTEFACTS, 'users-bulk.png'), fullPage: true });
    await nav('Dashboard').click();

    // Every page in light and dark (the system's scheme, followed by default), on a desktop and on a phone, where no
    // page scrolls sideways and the menu opens the navigation.
    const pages = [
      ['dashboard', '/'],
      ['nodes', '/nodes'],
      ['node', '/nodes/1'],
      ['groups', '/groups'],
      ['users', '/users'],
      ['user', '/users/1'],
      ['rebalance', '/rebalance'],
      ['events', '/events'],
      ['admins', '/admins'],
      ['tokens', '/tokens'],
      ['account', '/account'],
    ] as const;
    for (const [width, height] of [
      [1440, 900],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const [name, path] of pages) {
          await page.goto(`${url}${path}`);
          await page.getByRole('heading', { level: 1 }).first().waitFor();
          expect(await page.evaluate(() => document.documentElement.dataset['mantineColorScheme'])).toBe(scheme);
          // (charts re-measure themselves after a resize)
          await page
            .waitForFunction((limit) => document.documentElement.scrollWidth <= limit, width, { timeout: 5000 })
            .catch(() => undefined);
          const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
          expect({ name, width, sideways: scrollWidth > width }).toEqual({ name, width, sideways: false });
          await page.screenshot({ path: resolve(ARTEFACTS, `${name}-${scheme}-${width}.png`), fullPage: true });
        }
      }
    }
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav('Nodes').click();
    await page.getByRole('heading', { name: 'Nodes' }).waitFor();

    // Roles: the owner adds an operator and a token for the bot; the operator sees neither admins nor tokens, and is
    // told so when opening the admins' address.
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
    await nav('Admins').click();
    await page.getByRole('button', { name: 'Add admin' }).click();
    const newAdmin = page.getByRole('form', { name: 'New admin' });
    await field(newAdmin, 'Username').fill(OPERATOR.username);
    await field(newAdmin, 'Password').fill(OPERATOR.password);
    await newAdmin.getByRole('combobox', { name: /^Role/ }).click();
    await page.getByRole('option', { name: /^operator/ }).click();
    await newAdmin.getByRole('button', { name: 'Add admin' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByRole('row', { name: new RegExp(`${OPERATOR.username}\\s*operator\\s*active`) }).waitFor();
    await page.getByRole('row', { name: new RegExp(`${ADMIN.username}\\s*you\\s*owner\\s*active`) }).waitFor();
    await page.screenshot({ path: resolve(ARTEFACTS, 'admins.png'), fullPage: true });

    await nav('API tokens').click();
    await page.getByRole('button', { name: 'New token' }).click();
    const newToken = page.getByRole('dialog', { name: 'New API token' });
    await field(newToken, 'Name').fill('telegram-bot');
    await newToken.getByRole('button', { name: 'Create token' }).click();
    expect(await newToken.getByRole('textbox', { name: 'Token telegram-bot' }).inputValue()).toMatch(/\S{20,}/);
    await page.screenshot({ path: resolve(ARTEFACTS, 'token-created.png') });
    await newToken.getByRole('button', { name: 'I have copied it' }).click();
    await newToken.waitFor({ state: 'detached' });
    await page.getByRole('row', { name: /telegram-bot/ }).waitFor();
    await page.screenshot({ path: resolve(ARTEFACTS, 'tokens.png'), fullPage: true });

    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'My account' }).click();
    await page.getByRole('heading', { name: ADMIN.username }).waitFor();
    await page.screenshot({ path: resolve(ARTEFACTS, 'account.png'), fullPage: true });

    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
    await field(page, 'Username').fill(OPERATOR.username);
    await field(page, 'Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav('Dashboard').waitFor();
    expect(await nav('Admins').count()).toBe(0);
    expect(await nav('API tokens').count()).toBe(0);
    await page.goto(`${url}/admins`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    await page.getByText('Your role (operator) may not manage admins.').waitFor();
    await page.screenshot({ path: resolve(ARTEFACTS, 'admins-not-allowed.png') });
    await nav('Nodes').click();
    await page.getByRole('heading', { name: 'Nodes' }).waitFor();

    // The control plane stops answering: the page says so (it does not pretend the fleet is empty).
    api.child.kill('SIGKILL');
    await page.getByText('The control plane does not answer').waitFor({ timeout: 40_000 });
    await page.screenshot({ path: resolve(ARTEFACTS, 'api-down.png') });
  });
});
