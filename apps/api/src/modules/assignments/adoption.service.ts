import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ErrorCode, EventType } from '@fleet/contract';
import { inboundClients, PanelClient } from '@fleet/xui-client';
import { accessStatus } from '../users/access-status';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { NodesService } from '../nodes/nodes.service';
import { PanelPoolService } from '../panels/panel-pool.service';
import { UsersService } from '../users/users.service';
import { AssignmentsRepository } from './assignments.repository';

const DAY_MS = 86_400_000;

/**
 * The plan a panel client carries, as access: `expiryTime` ms (negative: days from first use, spec §6.2), `totalGB`
 * bytes, `limitIp`, `enable`. Out-of-range values are clamped to what the API accepts.
 */
export function accessFromPanel(client: PanelClient) {
  const expiry = Number(client.expiryTime) || 0;
  const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));
  const access = {
    enabled: client.enable !== false,
    expiresAt: expiry > 0 ? new Date(expiry) : null,
    holdDays: expiry < 0 ? clamp(-expiry / DAY_MS, 1, 3650) : null,
    trafficLimitBytes: Math.max(0, Math.floor(Number(client.totalGB) || 0)),
    deviceLimit: clamp(Number(client.limitIp) || 0, 0, 100),
  };
  const status = accessStatus({ ...access, usedBytes: 0 }, new Date());
  return { ...access, status };
}

/** The client's `tgId` when it is a telegram id the API accepts (a positive integer up to 2^53-1), else null. */
function telegramIdOf(client: PanelClient): number | null {
  const text = String(client.tgId ?? '');
  const id = Number(text);
  return /^[1-9]\d{0,15}$/.test(text) && Number.isSafeInteger(id) ? id : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Imports the clients already on a node's inbound as users assigned to that node, without touching the panel:
 * telegram id from the client's `tgId` when set and free, the client's UUID kept when it is one and free.
 * Clients already known on that node are skipped, so running it twice imports nothing new.
 */
@Injectable()
export class AdoptionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nodes: NodesService,
    private readonly assignments: AssignmentsRepository,
    private readonly users: UsersService,
    private readonly pool: PanelPoolService,
    private readonly events: EventsService,
  ) {}

  async adopt(nodeId: number, actor: string): Promise<{ imported: number; skipped: number }> {
    const node = await this.nodes.findById(nodeId);
    if (!node) throw new DomainError(ErrorCode.NodeNotFound, `node ${nodeId} not found`);
    if (node.inboundId === null) throw new DomainError(ErrorCode.NodeNotEligible, 'set the node’s inboundId first');
    const inbound = await this.pool
      .run(node, (panel) => panel.getInbound(node.inboundId!))
      .catch((error: Error) => {
        throw new DomainError(ErrorCode.NodeUnreachable, `cannot read the panel: ${error.message}`);
      });
    const clients = inboundClients(inbound).filter((client) => client.email);
    return this.dataSource.transaction(async (manager) => {
      await this.nodes.lockForUpdate(nodeId, manager);
      const known = await this.assignments.emailsOnNode(nodeId, manager);
      const fresh = clients.filter((client) => !known.has(client.email.toLowerCase()));
      const takenUuids = await this.users.takenUuids(
        fresh.map((c) => String(c.id ?? '')).filter((id) => UUID.test(id)),
        manager,
      );
      const takenTelegram = await this.users.takenTelegramIds(
        fresh.map(telegramIdOf).filter((id) => id !== null),
        manager,
      );
      for (const client of fresh) {
        const id = String(client.id ?? '');
        const uuid = UUID.test(id) && !takenUuids.has(id) ? id : randomUUID();
        takenUuids.add(uuid);
        const tg = telegramIdOf(client);
        const telegramId = tg !== null && !takenTelegram.has(tg) ? tg : null;
        if (telegramId !== null) takenTelegram.add(telegramId);
        const user = await this.users.createAdopted(manager, {
          telegramId,
          username: client.comment ? String(client.comment).slice(0, 255) : null,
          uuid,
          planGroups: [node.groupId],
          ...accessFromPanel(client),
        });
        await this.assignments.insertActive(manager, {
          userId: user.id,
          nodeId,
          groupId: node.groupId,
          inboundId: node.inboundId!,
          clientEmail: client.email,
          // The panel's client stays as it is: nothing to apply to it.
          accessVersion: user.accessVersion,
        });
      }
      await this.nodes.addSeats(nodeId, fresh.length, manager);
      await this.events.record(
        {
          type: EventType.UsersAdopted,
          actor,
          nodeId,
          payload: { imported: fresh.length, skipped: clients.length - fresh.length },
        },
        manager,
      );
      return { imported: fresh.length, skipped: clients.length - fresh.length };
    });
  }
}
