import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DriftSample } from '../reconcile/reconcile-diff';

export interface DriftRecord {
  nodeId: number;
  checkedAt: Date;
  missing: number;
  extra: number;
  changed: number;
  foreign: number;
  /** The inbound's fields that differed from what we had: `missing`, `enable`, `protocol` (it cannot serve), or
   * `port`, `remark`, `settings`, `streamSettings` (refreshed: links follow). */
  inbound: string[];
  corrected: number;
  dryRun: boolean;
  sample: DriftSample[];
}

/** Every query on `node_drift`: the last reconcile of each node. */
@Injectable()
export class NodeDriftRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async save(record: DriftRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO node_drift (node_id, checked_at, missing, extra, changed, "foreign", corrected, dry_run, sample,
                               inbound)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (node_id) DO UPDATE SET checked_at = EXCLUDED.checked_at, missing = EXCLUDED.missing,
         extra = EXCLUDED.extra, changed = EXCLUDED.changed, "foreign" = EXCLUDED."foreign",
         corrected = EXCLUDED.corrected, dry_run = EXCLUDED.dry_run, sample = EXCLUDED.sample,
         inbound = EXCLUDED.inbound`,
      [
        record.nodeId,
        record.checkedAt,
        record.missing,
        record.extra,
        record.changed,
        record.foreign,
        record.corrected,
        record.dryRun,
        JSON.stringify(record.sample),
        JSON.stringify(record.inbound),
      ],
    );
  }

  async find(nodeId: number): Promise<DriftRecord | null> {
    return (await this.findMany([nodeId])).get(nodeId) ?? null;
  }

  /** The last reconcile of each of these nodes that has one. */
  async findMany(nodeIds: number[]): Promise<Map<number, DriftRecord>> {
    if (!nodeIds.length) return new Map();
    const rows: DriftRow[] = await this.dataSource.query(`SELECT * FROM node_drift WHERE node_id = ANY($1::int[])`, [
      nodeIds,
    ]);
    return new Map(rows.map((row) => [row.node_id, recordOf(row)]));
  }
}

interface DriftRow {
  node_id: number;
  checked_at: string;
  missing: number;
  extra: number;
  changed: number;
  foreign: number;
  corrected: number;
  dry_run: boolean;
  sample: DriftSample[];
  inbound: string[];
}

function recordOf(row: DriftRow): DriftRecord {
  return {
    nodeId: row.node_id,
    checkedAt: new Date(row.checked_at),
    missing: row.missing,
    extra: row.extra,
    changed: row.changed,
    foreign: row.foreign,
    inbound: row.inbound,
    corrected: row.corrected,
    dryRun: row.dry_run,
    sample: row.sample,
  };
}
