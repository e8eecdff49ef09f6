import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  HEALTH_STATUSES,
  HealthStatus,
  NodeLoadView,
  RebalanceMove,
  RebalancePlanView,
  RebalanceStarted,
} from '@fleet/contract';

export class RebalanceDto {
  @ApiProperty({ description: 'true: return the plan only; false: start a job' })
  @IsBoolean()
  dryRun: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  maxMoves?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 100_000,
    default: 1,
    description: 'dry run: the page of moves',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  movesPage = 1;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 10_000,
    default: 1000,
    description: 'dry run: moves per page',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  movesLimit = 1000;
}

export class NodeLoadDto implements NodeLoadView {
  @ApiProperty() nodeId: number;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) location: string | null;
  @ApiProperty() groupId: number;
  @ApiProperty({ description: 'seats taken' }) currentUsers: number;
  @ApiProperty() maxUsers: number;
  @ApiProperty({ description: 'currentUsers / maxUsers' }) loadRatio: number;
  @ApiProperty() priority: number;
  @ApiProperty() weight: number;
  @ApiProperty({ type: Number, nullable: true, description: 'the placement score; null when not eligible' })
  score: number | null;
  @ApiProperty() eligible: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'why the node cannot take users now' })
  reason: string | null;
  @ApiProperty({ enum: HEALTH_STATUSES }) healthStatus: HealthStatus;
}

export class RebalanceMoveDto implements RebalanceMove {
  @ApiProperty() userId: number;
  @ApiProperty() fromNodeId: number;
  @ApiProperty() toNodeId: number;
}

export class RebalanceFlowDto {
  @ApiProperty() fromNodeId: number;
  @ApiProperty() toNodeId: number;
  @ApiProperty() count: number;
}

export class NodeUsersDto {
  @ApiProperty() nodeId: number;
  @ApiProperty() users: number;
}

export class RebalancePlanDto implements RebalancePlanView {
  @ApiProperty({ type: [RebalanceMoveDto], description: 'one page of the moves (movesPage, movesLimit)' })
  moves: RebalanceMoveDto[];
  @ApiProperty() movesTotal: number;
  @ApiProperty({ type: [RebalanceFlowDto], description: 'how many users go from each node to each other' })
  flows: RebalanceFlowDto[];
  @ApiProperty({ type: [NodeUsersDto] }) before: NodeUsersDto[];
  @ApiProperty({ type: [NodeUsersDto] }) after: NodeUsersDto[];
  @ApiProperty({ description: 'moves the plan would need without the maxMoves cap' }) minimumMoves: number;
}

export class RebalanceStartedDto implements RebalanceStarted {
  @ApiProperty({ description: 'GET /api/v1/jobs/{jobId} follows it' }) jobId: number;
  @ApiProperty() moves: number;
}
