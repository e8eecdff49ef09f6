import { ApiProperty } from '@nestjs/swagger';
import type { AttentionView, StatsOverview } from '@fleet/contract';

class NodeCountsDto {
  @ApiProperty() total: number;
  @ApiProperty() healthy: number;
  @ApiProperty() unhealthy: number;
  @ApiProperty() unknown: number;
  @ApiProperty() maintenance: number;
  @ApiProperty() inactive: number;
}

class UserCountsDto {
  @ApiProperty() total: number;
  @ApiProperty({ description: 'users with at least one server' }) placed: number;
}

class AccessCountsDto {
  @ApiProperty() active: number;
  @ApiProperty({ description: 'waiting for their first traffic to start the plan' }) on_hold: number;
  @ApiProperty() disabled: number;
  @ApiProperty() expired: number;
  @ApiProperty({ description: 'at their traffic limit' }) limited: number;
  @ApiProperty({ description: 'serving users whose plan ends within ACCESS_EXPIRY_WARNING_HOURS' })
  expiringSoon: number;
}

class CapacityDto {
  @ApiProperty({ description: 'seats on active nodes' }) max: number;
  @ApiProperty({ description: 'seats free on nodes that can take users now' }) free: number;
}

class JobCountsDto {
  @ApiProperty() running: number;
  @ApiProperty({ description: 'moves still to make by pending and running jobs' }) queuedMoves: number;
}

class AlertsDto {
  @ApiProperty() nodeDownLast24h: number;
  @ApiProperty({ description: 'servers of users’ plans that no node of their group could take yet' })
  seatsWaiting: number;
}

class TrafficTotalsDto {
  @ApiProperty({ description: 'bytes' }) up: number;
  @ApiProperty({ description: 'bytes' }) down: number;
}

class FleetUsageDto {
  @ApiProperty({ type: TrafficTotalsDto }) last24h: TrafficTotalsDto;
}

export class AttentionDto implements AttentionView {
  @ApiProperty({ description: 'active nodes whose health checks fail' }) nodesDown: number;
  @ApiProperty({ description: 'failovers under way that found no seat for their users' }) failoversStalled: number;
  @ApiProperty({ description: 'active nodes whose last reconcile left differences from their panel' })
  nodesWithDrift: number;
  @ApiProperty({ description: 'jobs that ended failed in the last 24 hours' }) jobsFailed: number;
  @ApiProperty({ description: 'users whose plan ends within ACCESS_EXPIRY_WARNING_HOURS' }) usersExpiringSoon: number;
  @ApiProperty({ description: 'servers of users’ plans waiting for a seat in their group' }) seatsWaiting: number;
  @ApiProperty({ description: 'the sum of the counts above' }) total: number;
}

export class StatsOverviewDto implements StatsOverview {
  @ApiProperty({ type: NodeCountsDto }) nodes: NodeCountsDto;
  @ApiProperty({ type: UserCountsDto }) users: UserCountsDto;
  @ApiProperty({ type: AccessCountsDto }) access: AccessCountsDto;
  @ApiProperty({ type: CapacityDto }) capacity: CapacityDto;
  @ApiProperty({ type: JobCountsDto }) jobs: JobCountsDto;
  @ApiProperty({ type: AlertsDto }) alerts: AlertsDto;
  @ApiProperty({ type: FleetUsageDto }) usage: FleetUsageDto;
}
