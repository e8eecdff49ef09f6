import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DriftSampleView } from '@fleet/contract';
import type { Corrections, DriftCounts, DriftRecord } from './node-drift';

/** Every query on `node_drift`: the last reconcile of each node. */
@Injectable()
export class NodeDriftRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async save(record: DriftRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO node_drift (node_id, checked_at, missing, extra, changed, "foreign", inbound, found, corrected,
                               dry_run, sample)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (node_id) DO UPDATE SET checked_at = EXCLUDED.checked_at, missing = EXCLUDED.missing,
         extra = EXCLUDED.extra, changed = EXCLUDED.changed, "foreign" = EXCLUDED."foreign",
         inbound = EXCLUDED.inbound, found = EXCLUDED.found, corrected = EXCLUDED.corrected,
         dry_run = EXCLUDED.dry_run, sample = EXCLUDED.sample`,
      [
        record.nodeId,
        record.checkedAt,
        record.missing,
        record.extra,
        record.changed,
        record.foreign,
        JSON.stringify(record.inbound),
        JSON.stringify(record.found),
        JSON.stringify(record.corrected),
        record.dryRun,
        JSON.stringify(record.sample),
      ],
    );
  }

  /** Nodes whose last reconcile left differences (strangers on the panel aside: they are not ours to fix). */
  async countDrifting(): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM node_drift d JOIN nodes n ON n.id = d.node_id
        WHERE n.status = 'active' AND d.missing + d.extra + d.changed + jsonb_array_length(d.inbound) > 0`,
    );
    return n;
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
  inbound: string[];
  found: DriftCounts;
  corrected: Corrections;
  dry_run: boolean;
  sample: DriftSampleView[];
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
    found: row.found,
    corrected: row.corrected,
    dryRun: row.dry_run,
    sample: row.sample,
  };
}
