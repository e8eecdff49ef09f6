import { ApiProperty } from '@nestjs/swagger';
import { JOB_KINDS, JOB_STATUSES, JobKind, JobStatus, JobView } from '@fleet/contract';
import { PageOf } from '../../common/http/page.dto';

export class JobViewDto implements JobView {
  @ApiProperty() id: number;
  @ApiProperty({ enum: JOB_KINDS }) kind: JobKind;
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
  @ApiProperty({ type: Number, nullable: true, description: 'the node the job empties or rebalances away from' })
  nodeId: number | null;
  @ApiProperty() total: number;
  @ApiProperty({ description: 'users now where they should be, including those deleted meanwhile' }) done: number;
  @ApiProperty() failed: number;
  @ApiProperty({ description: 'users deleted before they were moved' }) gone: number;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ example: 'system:health' }) createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the replica running the job (host:pid:tag)' })
  leaseOwner: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) leaseExpiresAt: string | null;
}

export class JobPageDto extends PageOf(JobViewDto) {}
