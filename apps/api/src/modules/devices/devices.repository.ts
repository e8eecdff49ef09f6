import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { DeviceView } from '@fleet/contract';

/** What an app says of the device it runs on (the subscription fetch's headers). */
export interface DeviceReport {
  hwid: string;
  os: string | null;
  osVersion: string | null;
  model: string | null;
  userAgent: string | null;
}

const VIEW = `id::int, hwid, os, os_version AS "osVersion", model, user_agent AS "userAgent",
              first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"`;

type DeviceRow = Omit<DeviceView, 'firstSeenAt' | 'lastSeenAt'> & { firstSeenAt: Date; lastSeenAt: Date };

const view = (row: DeviceRow): DeviceView => ({
  ...row,
  firstSeenAt: row.firstSeenAt.toISOString(),
  lastSeenAt: row.lastSeenAt.toISOString(),
});

/** The `user_devices` table: each query by user id (and hardware id), served by its unique and last-seen indexes. */
@Injectable()
export class DevicesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The device's id when the user has it, and whether its last sighting is over a minute old. */
  async find(userId: number, hwid: string): Promise<{ id: number; stale: boolean } | null> {
    const [row] = await this.dataSource.query(
      `SELECT id::int, last_seen_at < now() - interval '1 minute' AS stale FROM user_devices WHERE user_id = $1 AND hwid = $2`,
      [userId, hwid],
    );
    return row ?? null;
  }

  async touch(id: number, report: DeviceReport): Promise<void> {
    await this.dataSource.query(
      `UPDATE user_devices SET last_seen_at = now(), os = $2, os_version = $3, model = $4, user_agent = $5 WHERE id = $1`,
      [id, report.os, report.osVersion, report.model, report.userAgent],
    );
  }

  count(userId: number, manager: EntityManager): Promise<number> {
    return manager
      .query(`SELECT count(*)::int AS n FROM user_devices WHERE user_id = $1`, [userId])
      .then(([row]: Array<{ n: number }>) => row.n);
  }

  /** Adds the device (or, when it came meanwhile, sees it again); answers it and whether it is new. */
  async add(
    userId: number,
    report: DeviceReport,
    manager: EntityManager,
  ): Promise<{ device: DeviceView; added: boolean }> {
    const [row] = await manager.query(
      `INSERT INTO user_devices (user_id, hwid, os, os_version, model, user_agent) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id, hwid) DO UPDATE SET last_seen_at = now()
       RETURNING ${VIEW}, xmax = 0 AS added`,
      [userId, report.hwid, report.os, report.osVersion, report.model, report.userAgent],
    );
    const { added, ...device } = row as DeviceRow & { added: boolean };
    return { device: view(device), added };
  }

  /** Keeps the user's `kept` most recently seen devices. */
  async keepNewest(userId: number, kept: number, manager: EntityManager): Promise<void> {
    await manager.query(
      `DELETE FROM user_devices WHERE id IN (
         SELECT id FROM user_devices WHERE user_id = $1 ORDER BY last_seen_at DESC, id DESC OFFSET $2)`,
      [userId, kept],
    );
  }

  /** The user's devices, most recently seen first (at most DEVICES_KEPT_PER_USER are kept). */
  async list(userId: number): Promise<DeviceView[]> {
    const rows: DeviceRow[] = await this.dataSource.query(
      `SELECT ${VIEW} FROM user_devices WHERE user_id = $1 ORDER BY last_seen_at DESC, id DESC`,
      [userId],
    );
    return rows.map(view);
  }

  async remove(userId: number, id: number): Promise<boolean> {
    const [, deleted] = await this.dataSource.query(`DELETE FROM user_devices WHERE user_id = $1 AND id = $2`, [
      userId,
      id,
    ]);
    return deleted > 0;
  }
}
