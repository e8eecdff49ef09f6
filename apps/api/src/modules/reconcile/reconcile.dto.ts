import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { DriftCorrections, DriftCounts, DriftSampleView, DriftView } from '@fleet/contract';
import type { ReconcileService } from './reconcile.service';

const INBOUND_FIELDS = 'the inbound’s own fields that differ (`missing`, `enable`, `protocol`, `port`, `settings`, …)';

export class DriftCountsDto implements DriftCounts {
  @ApiProperty({ description: 'clients the database wants on the inbound that are not there' }) missing: number;
  @ApiProperty({ description: 'clients of ours that no user should have there' }) extra: number;
  @ApiProperty({ description: 'clients whose fields we own differ' }) changed: number;
  @ApiProperty({ description: 'the operator’s own clients: counted, never touched' }) foreign: number;
  @ApiProperty({ type: [String], description: INBOUND_FIELDS }) inbound: string[];
}

export class DriftCorrectionsDto implements DriftCorrections {
  @ApiProperty() missing: number;
  @ApiProperty() extra: number;
  @ApiProperty() changed: number;
  @ApiProperty({ type: [String], description: 'the inbound’s fields taken as they are now' }) inbound: string[];
}

/** A value of any JSON type (a client's field, as the panel has it or as we want it). */
const ANY_JSON = [
  { type: 'string' },
  { type: 'number' },
  { type: 'boolean' },
  { type: 'object', additionalProperties: true },
  { type: 'array', items: {} },
];

export class DriftSampleDto implements DriftSampleView {
  @ApiProperty({ enum: ['missing', 'changed', 'extra', 'foreign', 'inbound'] }) kind: DriftSampleView['kind'];
  @ApiProperty({ description: 'the client; empty for the inbound’s own fields' }) email: string;
  @ApiPropertyOptional({ description: 'the field that differs (a key is named, never shown)' }) field?: string;
  @ApiPropertyOptional({ oneOf: ANY_JSON, description: 'its value on the panel' }) panel?: unknown;
  @ApiPropertyOptional({ oneOf: ANY_JSON, description: 'the value the database wants' }) desired?: unknown;
}

/** The last reconcile of a node: what remains after it (0s when it repaired everything), what it found and corrected. */
export class DriftViewDto extends DriftCountsDto implements DriftView {
  @ApiProperty({ nullable: true, type: String, description: 'null: never reconciled' }) checkedAt: string | null;
  @ApiProperty({ type: [DriftSampleDto], description: 'the first differences that remain' }) sample: DriftSampleView[];
  @ApiProperty({ type: DriftCountsDto, description: 'what the pass found before correcting' }) found: DriftCountsDto;
  @ApiProperty({ type: DriftCorrectionsDto }) corrected: DriftCorrectionsDto;
  @ApiProperty({ description: 'reported without writing (a dry run, or RECONCILE_MODE=report)' }) dryRun: boolean;
}

export function mapDrift(record: Awaited<ReturnType<ReconcileService['last']>>): DriftView {
  const { checkedAt, missing, extra, changed, foreign, inbound, sample, found, corrected, dryRun } = record;
  return {
    checkedAt: checkedAt?.toISOString() ?? null,
    missing,
    extra,
    changed,
    foreign,
    inbound,
    sample,
    found,
    corrected,
    dryRun,
  };
}
