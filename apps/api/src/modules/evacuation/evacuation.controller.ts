import { Controller, Delete, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorCode, type DrainStarted, type JobStarted } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { EvacuationService } from './evacuation.service';
import { ApiErrors } from '../../common/http/openapi';
import { Requires } from '../../common/http/roles.decorator';

class JobStartedDto implements JobStarted {
  @ApiProperty() jobId: number;
}

class DrainStartedDto implements DrainStarted {
  @ApiProperty({ type: Number, nullable: true, description: 'null: the node had nobody to move' })
  jobId: number | null;
}

/** `DELETE /nodes/:id` and `POST /nodes/:id/drain`: the node routes that move its users away first. */
@ApiTags('nodes')
@ApiBearerAuth()
@Controller('nodes/:id')
export class EvacuationController {
  constructor(private readonly evacuation: EvacuationService) {}

  /** 204 when the node had no users; 202 {jobId} while its users are moved (the job deletes it); 409 if they cannot be. */
  @Delete()
  @Requires('nodes:write')
  @ApiNoContentResponse({ description: 'the node had no users: deleted' })
  @ApiAcceptedResponse({ type: JobStartedDto, description: 'a job moves its users, then deletes it' })
  @ApiErrors(ErrorCode.NodeHasUsers)
  async remove(
    @IdParam() id: number,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<JobStarted | void> {
    const job = await this.evacuation.remove(id, actorOf(principal));
    response.status(job ? 202 : 204);
    return job ?? undefined;
  }

  /** Maintenance plus a `drain` job that moves the node's users away (202 {jobId}; 200 {jobId: null} when empty). */
  @Post('drain')
  @Requires('nodes:write')
  @ApiOkResponse({ type: DrainStartedDto, description: 'in maintenance; nobody to move (`jobId: null`)' })
  @ApiAcceptedResponse({ type: DrainStartedDto, description: 'in maintenance; a drain job moves its users' })
  async drain(
    @IdParam() id: number,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<DrainStarted> {
    const result = await this.evacuation.drain(id, actorOf(principal));
    response.status(result.jobId === null ? 200 : 202);
    return result;
  }
}
