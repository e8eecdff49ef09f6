import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { XuiClient } from '@fleet/xui-client';
import { eachLimited } from '../../apps/api/src/common/batching/each-limited';
import { SecretBox } from '../../apps/api/src/common/crypto/secret-box';
import { panelClientFor } from '../../apps/api/src/modules/assignments/panel-identity';
import { HealthSweepService } from '../../apps/api/src/modules/health/health-sweep.service';
import { NodesRepository } from '../../apps/api/src/modules/nodes/nodes.repository';
import { UsageRepository } from '../../apps/api/src/modules/usage/usage.repository';
import { UsersRepository } from '../../apps/api/src/modules/users/users.repository';

export interface PanelLogin {
  url: string;
  username: string;
  password: string;
}

/** The email of the `slot`-th user on the `panelIndex`-th panel (users are numbered panel after panel). */
export const seededEmail = (perPanel: number, panelIndex: number, slot: number) =>
  `u${panelIndex * perPanel + slot + 1}-n${panelIndex + 1}`;

/**
 * A fleet as the control plane would have built it, fast: one node per panel (checked once, so its inbound is
 * known), `perPanel` users per node written straight into the database (assignments, "from zero" usage cursors),
 * and on every panel exactly the clients the control plane wants there, added through the panel's API.
 */
export async function seedFleet(
  app: INestApplication,
  secretBox: SecretBox,
  panels: PanelLogin[],
  perPanel: number,
): Promise<void> {
  const dataSource = app.get(DataSource);
  for (const [i, panel] of panels.entries()) {
    await dataSource.query(
      `INSERT INTO nodes (id, name, panel_url, panel_username, panel_password, inbound_id, max_users, health_status)
       VALUES ($1, $2, $3, $4, $5, 1, $6, 'healthy')`,
      [i + 1, `bench-${i + 1}`, panel.url, panel.username, secretBox.encrypt(panel.password), perPanel],
    );
  }
  await dataSource.query(`SELECT setval('nodes_id_seq', $1)`, [panels.length]);
  await app.get(HealthSweepService).checkAll(); // the inbounds, cached for the clients and links
  const users = panels.length * perPanel;
  await dataSource.query(
    `INSERT INTO vpn_users (id, telegram_id, uuid, subscription_token)
     SELECT g, g, gen_random_uuid(), md5(g::text || random()::text) FROM generate_series(1, $1) AS g`,
    [users],
  );
  await dataSource.query(`SELECT setval('vpn_users_id_seq', $1)`, [users]);
  await dataSource.query(
    `INSERT INTO assignments (user_id, node_id, group_id, inbound_id, client_email, state, access_version)
     SELECT g, (g - 1) / $2 + 1, first_node_group(), 1, 'u' || g || '-n' || ((g - 1) / $2 + 1), 'active', 1
       FROM generate_series(1, $1) AS g`,
    [users, perPanel],
  );
  await dataSource.query(`UPDATE nodes SET current_users = $1`, [perPanel]);
  const assigned: Array<{ nodeId: number; clientEmail: string; userId: number }> = await dataSource.query(
    `SELECT node_id AS "nodeId", client_email AS "clientEmail", user_id AS "userId" FROM assignments`,
  );
  await dataSource.transaction((manager) => app.get(UsageRepository).expectNewClients(assigned, manager));
  await dataSource.query('ANALYZE');
  const nodes = await app.get(NodesRepository).findAll();
  const identities = app.get(UsersRepository);
  await eachLimited(panels, 16, async (panel, i) => {
    const node = nodes.find((candidate) => candidate.id === i + 1)!;
    const ids = Array.from({ length: perPanel }, (_, slot) => i * perPanel + slot + 1);
    const byId = await identities.identities(ids);
    const clients = ids.map((id) => panelClientFor(byId.get(id)!, node.id, node.inboundSnapshot!));
    const api = new XuiClient({ baseUrl: panel.url, username: panel.username, password: panel.password });
    for (let at = 0; at < clients.length; at += 500) await api.addClients(1, clients.slice(at, at + 500));
    api.close();
  });
}
