import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { FleetHealthStep, HEALTH_STATUSES, HealthCheckView, HealthStatus, RecentHealth } from '@fleet/contract';
import { DateInput } from '../../common/http/date-input';
import { QueryInt } from '../../common/http/validation';
import type { CheckOutcome } from './node-check.service';

export class HealthHistoryQueryDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'RFC 3339 date-time; default: the last `limit` checks',
  })
  @IsOptional()
  @DateInput()
  since?: Date;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 200;
}

/** What one health check of a node found (`POST …/check-health`). */
export class CheckOutcomeDto implements CheckOutcome {
  @ApiProperty() ok: boolean;
  @ApiProperty() responseTimeMs: number;
  @ApiProperty({ type: String, nullable: true, description: 'why the check failed, in words anyone may read' })
  error: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'our account of the failure and what the panel said' })
  detail: string | null;
  @ApiProperty({ enum: HEALTH_STATUSES, description: 'the node’s status after this check (3 failures to fall)' })
  healthStatus: HealthStatus;
}

export class NodeCheckOutcomeDto extends CheckOutcomeDto {
  @ApiProperty() nodeId: number;
}

/** One stored check (`GET …/health`, newest first). */
export class HealthCheckDto implements HealthCheckView {
  @ApiProperty({ format: 'date-time' }) checkedAt: string;
  @ApiProperty() ok: boolean;
  @ApiProperty({ enum: HEALTH_STATUSES }) healthStatus: HealthStatus;
  @ApiProperty({ type: Number, nullable: true }) responseTimeMs: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'percent, from the panel’s server/status' })
  cpu: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'bytes' }) memUsed: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'bytes' }) memTotal: number | null;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 100, description: 'CPU at this check, percent' })
  cpuPercent: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 100,
    description: 'memory in use at this check, percent of the total',
  })
  memoryPercent: number | null;
  @ApiProperty({ type: Number, nullable: true }) onlineClients: number | null;
  @ApiProperty({ type: String, nullable: true }) xrayState: string | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
}

export class FleetHealthStepDto implements FleetHealthStep {
  @ApiProperty() checked: number;
  @ApiProperty() failed: number;
  @ApiProperty({ type: Number, nullable: true }) medianMs: number | null;
  @ApiProperty({ type: Number, nullable: true }) p95Ms: number | null;
  @ApiProperty({ type: Number, nullable: true }) slowestMs: number | null;
}

export class NodeHealthSeriesDto {
  @ApiProperty() nodeId: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'number', nullable: true },
    description: 'mean response time per step (null: no successful check)',
  })
  ms: Array<number | null>;
}

export class RecentHealthDto implements RecentHealth {
  @ApiProperty({ description: 'epoch milliseconds of the first step' }) from: number;
  @ApiProperty() stepMs: number;
  @ApiProperty({
    type: 'array',
    items: { allOf: [{ $ref: getSchemaPath(FleetHealthStepDto) }], nullable: true },
    description: 'per step: the fleet’s sweeps (null where none ran)',
  })
  fleet: Array<FleetHealthStepDto | null>;
  @ApiProperty({ type: [NodeHealthSeriesDto], description: 'per node, for fleets of up to 8 nodes' })
  nodes: NodeHealthSeriesDto[];
}
