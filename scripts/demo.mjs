// `npm run demo`: the control plane with three simulated 3x-ui panels already added as nodes and some users placed,
// so a newcomer sees a live fleet at one URL. Uses its own embedded database under data/demo (fresh each run),
// or DATABASE_URL when set. Stop with Ctrl+C.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 3000);
const admin = { username: process.env.ADMIN_USERNAME ?? 'admin', password: process.env.ADMIN_PASSWORD ?? 'demo-password' };
const children = [];

function start(args, env = {}) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}

function firstLine(child) {
  return new Promise((done, fail) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) done(out.split('\n')[0]);
    });
    child.once('exit', (code) => fail(new Error(`exited with ${code}`)));
  });
}

async function call(method, path, token, body) {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

async function main() {
  const panels = JSON.parse(await firstLine(start(['dist/apps/panel-sim/main.js', '--panels', '3', '--json'])));
  if (!process.env.DATABASE_URL) rmSync(resolve(root, 'data/demo'), { recursive: true, force: true });
  const api = start(['dist/apps/api/main.js'], {
    PORT: String(port),
    DATA_DIR: process.env.DATA_DIR ?? 'data/demo',
    EMBEDDED_PG_PORT: process.env.EMBEDDED_PG_PORT ?? '54339',
    ADMIN_USERNAME: admin.username,
    ADMIN_PASSWORD: admin.password,
    HEALTH_INTERVAL_MS: process.env.HEALTH_INTERVAL_MS ?? '5000',
    USAGE_INTERVAL_MS: process.env.USAGE_INTERVAL_MS ?? '15000',
    // the demo's users have no traffic limit: settle their usage at every pass so the charts fill at once
    USAGE_SETTLE_MS: process.env.USAGE_SETTLE_MS ?? '0',
    TOP_USERS_REFRESH_MS: process.env.TOP_USERS_REFRESH_MS ?? '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  api.stdout.pipe(process.stdout);
  for (let i = 0; ; i++) {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (i > 600) throw new Error('the control plane did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const { accessToken } = await call('POST', '/auth/login', null, admin);
  const places = ['Amsterdam', 'Frankfurt', 'Warsaw'];
  const panelOfNode = new Map();
  for (const [i, panel] of panels.entries()) {
    const node = await call('POST', '/nodes', accessToken, {
      name: `demo-${places[i].toLowerCase()}`,
      location: places[i],
      panelUrl: panel.url,
      panelUsername: panel.username,
      panelPassword: panel.password,
      inboundId: 1,
      publicHost: `${places[i].toLowerCase()}.vpn.example`,
      maxUsers: [50, 80, 40][i],
      weight: [1, 2, 1][i],
    });
    await call('POST', `/nodes/${node.id}/check-health`, accessToken);
    panelOfNode.set(node.id, panel);
  }
  for (let user = 1; user <= 30; user++) await call('PUT', `/keys/${100000 + user}`, accessToken, { username: `demo-user-${user}` });
  generateTraffic(accessToken, panelOfNode);
  console.log(`
Demo fleet ready: http://localhost:${port}/  (user ${admin.username}, password ${admin.password})
Three simulated panels as nodes, 30 users placed, traffic on every user (booked every 15 s). Break a panel to watch failover:
${panels.map((p, i) => `  curl -X POST ${p.controlUrl}/fault -d '{"kind":"refuse"}'   # ${places[i]}`).join('\n')}
Ctrl+C stops everything.`);
}

/** Some traffic every 5 s on each user's client (as Xray's stats would report it), so the usage charts fill in. */
function generateTraffic(token, panelOfNode) {
  const tick = async () => {
    const { items } = await call('GET', '/users?limit=100', token);
    const byPanel = new Map();
    for (const user of items) {
      const panel = user.node && panelOfNode.get(user.node.id);
      if (!panel || !user.clientEmail) continue;
      const heavy = user.id % 7 === 0 ? 20 : 1;
      const deltas = byPanel.get(panel) ?? [];
      deltas.push({ email: user.clientEmail, up: Math.floor(Math.random() * 2e6 * heavy), down: Math.floor(Math.random() * 2e7 * heavy) });
      byPanel.set(panel, deltas);
    }
    for (const [panel, deltas] of byPanel) await fetch(`${panel.controlUrl}/traffic`, { method: 'POST', body: JSON.stringify(deltas) });
  };
  setInterval(() => void tick().catch(() => undefined), 5000).unref();
}

const stop = () => {
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 1500);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
main().catch((error) => {
  console.error(error.message);
  stop();
});
