import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { OptionalIdQuery, QueryInt } from '../../../common/http/validation';
import { HEALTH_STATUSES, NODE_STATUSES } from '@fleet/contract';
import type { ConnectionTest, HealthStatus, NodeServerFigures, NodeStatus, NodeView } from '@fleet/contract';
import {
  DescriptionField,
  GroupIdField,
  InboundIdField,
  LocationField,
  MaxUsersField,
  NameField,
  PanelUrlField,
  PanelUsernameField,
  PriorityField,
  PublicHostField,
  SecretField,
  StatusField,
  TlsVerifyField,
  WeightField,
  UsageMultiplierField,
} from './node-fields';
import { PageOf } from '../../../common/http/page.dto';

export class CreateNodeDto {
  @NameField('required') name: string;
  @DescriptionField('nullable') description?: string | null;
  @LocationField('nullable') location?: string | null;
  @GroupIdField('optional') groupId?: number;
  @PanelUrlField('required') panelUrl: string;
  @PanelUsernameField('required') panelUsername: string;
  @SecretField('required', 'panel password') panelPassword: string;
  @SecretField('nullable', 'panel API token for v3 panels, preferred over the password when set')
  panelApiToken?: string | null;
  @InboundIdField('nullable') inboundId?: number | null;
  @PublicHostField('nullable') publicHost?: string | null;
  @TlsVerifyField('optional') tlsVerify?: boolean;
  @MaxUsersField('optional') maxUsers?: number;
  @PriorityField('optional') priority?: number;
  @WeightField('optional') weight?: number;
  @UsageMultiplierField('optional') usageMultiplier?: number;
  @StatusField('optional') status?: NodeStatus;
}

/** A panel to try before it is saved as a node: where it answers and how to sign in. */
export class TestPanelDto {
  @PanelUrlField('required') panelUrl: string;
  @PanelUsernameField('required') panelUsername: string;
  @SecretField('required', 'panel password') panelPassword: string;
  @SecretField('nullable', 'panel API token for v3 panels, preferred over the password when set')
  panelApiToken?: string | null;
  @TlsVerifyField('optional') tlsVerify?: boolean;
}

/** Every field optional; secrets omitted keep their stored values; nullable fields accept null to clear. */
export class UpdateNodeDto {
  @NameField('optional') name?: string;
  @DescriptionField('nullable') description?: string | null;
  @LocationField('nullable') location?: string | null;
  @GroupIdField('optional') groupId?: number;
  @PanelUrlField('optional') panelUrl?: string;
  @PanelUsernameField('optional') panelUsername?: string;
  @SecretField('optional', 'panel password') panelPassword?: string;
  @SecretField('nullable', 'panel API token for v3 panels') panelApiToken?: string | null;
  @InboundIdField('nullable') inboundId?: number | null;
  @PublicHostField('nullable') publicHost?: string | null;
  @TlsVerifyField('optional') tlsVerify?: boolean;
  @MaxUsersField('optional') maxUsers?: number;
  @PriorityField('optional') priority?: number;
  @WeightField('optional') weight?: number;
  @UsageMultiplierField('optional') usageMultiplier?: number;
  @StatusField('optional') status?: NodeStatus;
}

export class NodeDriftDto {
  @ApiProperty({ format: 'date-time' }) checkedAt: string;
  @ApiProperty() missing: number;
  @ApiProperty() changed: number;
  @ApiProperty() extra: number;
  @ApiProperty({ type: [String], description: 'the inbound’s own fields that differ' }) inbound: string[];
}

const nullableNumber = (description?: string) => ({ type: Number, nullable: true, description });

export class UsedOfTotalDto {
  @ApiProperty(nullableNumber('bytes')) used: number | null;
  @ApiProperty(nullableNumber('bytes')) total: number | null;
}

export class XrayFiguresDto {
  @ApiProperty({ type: String, nullable: true, example: 'running', description: '`running`, `stop` or `error`' })
  state: string | null;
  @ApiProperty({ type: String, nullable: true, example: '25.10.15' }) version: string | null;
}

export class NetRatesDto {
  @ApiProperty(nullableNumber('bytes per second sent')) upBytesPerSecond: number | null;
  @ApiProperty(nullableNumber('bytes per second received')) downBytesPerSecond: number | null;
}

/** `NodeServerFigures`: each figure is null when the panel did not report it or reported something impossible. */
export class NodeServerFiguresDto implements NodeServerFigures {
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 100 }) cpuPercent: number | null;
  @ApiProperty({ type: UsedOfTotalDto }) memory: UsedOfTotalDto;
  @ApiProperty({ type: UsedOfTotalDto, description: 'the file system at /' }) disk: UsedOfTotalDto;
  @ApiProperty({ type: XrayFiguresDto }) xray: XrayFiguresDto;
  @ApiProperty(nullableNumber('seconds since the host started')) uptimeSeconds: number | null;
  @ApiProperty({
    type: 'array',
    items: { type: 'number' },
    minItems: 3,
    maxItems: 3,
    nullable: true,
    description: 'load averages over 1, 5 and 15 minutes',
  })
  load: number[] | null;
  @ApiProperty({ type: NetRatesDto }) net: NetRatesDto;
  @ApiProperty({ type: Number, nullable: true }) tcpConnections: number | null;
  @ApiProperty({ type: Number, nullable: true }) udpConnections: number | null;
  @ApiProperty(nullableNumber('clients with traffic in the panel’s last poll')) onlineClients: number | null;
  @ApiProperty({ format: 'date-time', description: 'when the panel reported these figures' }) at: string;
}

export class NodeViewDto implements NodeView {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ nullable: true, type: String }) location: string | null;
  @ApiProperty({ description: 'the group the node belongs to' }) groupId: number;
  @ApiProperty() panelUrl: string;
  @ApiProperty() panelUsername: string;
  @ApiProperty({ description: 'whether an API token is stored (the token itself is never returned)' })
  hasPanelApiToken: boolean;
  @ApiProperty({ nullable: true, type: Number }) inboundId: number | null;
  @ApiProperty({ nullable: true, type: String }) publicHost: string | null;
  @ApiProperty() tlsVerify: boolean;
  @ApiProperty() maxUsers: number;
  @ApiProperty() currentUsers: number;
  @ApiProperty({ description: 'currentUsers / maxUsers' }) loadRatio: number;
  @ApiProperty() priority: number;
  @ApiProperty() weight: number;
  @ApiProperty() usageMultiplier: number;
  @ApiProperty({ enum: NODE_STATUSES }) status: NodeStatus;
  @ApiProperty({ enum: HEALTH_STATUSES }) healthStatus: HealthStatus;
  @ApiProperty({ description: 'whether new users may be placed here now' }) eligible: boolean;
  @ApiProperty({ nullable: true, type: String, example: 'no inbound chosen' }) ineligibleReason: string | null;
  @ApiProperty({ nullable: true, type: String }) lastHealthCheck: string | null;
  @ApiProperty({ nullable: true, type: Number }) responseTimeMs: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ type: NodeDriftDto, nullable: true, description: 'what still differs after the last reconcile' })
  drift: NodeDriftDto | null;
  @ApiProperty({
    type: NodeServerFiguresDto,
    nullable: true,
    description: 'what the panel’s server/status last reported (null until a check has read it)',
  })
  server: NodeServerFiguresDto | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class PanelInboundDto {
  @ApiProperty() id: number;
  @ApiProperty({ example: 'vless' }) protocol: string;
  @ApiProperty() port: number;
  @ApiProperty() remark: string;
  @ApiProperty() enable: boolean;
}

export class ConnectionTestDto implements ConnectionTest {
  @ApiProperty() ok: boolean;
  @ApiProperty() responseTimeMs: number;
  @ApiProperty({ type: [PanelInboundDto] }) inbounds: PanelInboundDto[];
  @ApiProperty({ required: false, description: 'why the panel could not be used (kind: detail)' }) error?: string;
  @ApiProperty({
    required: false,
    description: 'what the panel said, scrubbed of the credentials sent and cut to 200 characters',
  })
  panelText?: string;
}

export class NodeListQueryDto {
  @ApiPropertyOptional({ enum: NODE_STATUSES })
  @IsOptional()
  @IsIn(NODE_STATUSES, { message: `status must be one of ${NODE_STATUSES.join(', ')}` })
  status?: NodeStatus;

  @ApiPropertyOptional({ enum: HEALTH_STATUSES })
  @IsOptional()
  @IsIn(HEALTH_STATUSES, { message: `health must be one of ${HEALTH_STATUSES.join(', ')}` })
  health?: HealthStatus;

  @ApiPropertyOptional({ description: 'exact location, case-insensitive' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  location?: string;

  @ApiPropertyOptional({ description: 'part of the name, location or panel URL' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  search?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, description: 'a page of this many nodes; default: every node' })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000, default: 1 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(10_000)
  page?: number;

  /** The previous page's `nextCursor` (a node id): the page after it, by key (`page` is then ignored). */
  @OptionalIdQuery()
  after?: number;
}

/** `GET /api/v1/nodes`: the nodes that match (`limit`: every one of them when no limit was asked for). */
export class NodePageDto extends PageOf(NodeViewDto) {}
