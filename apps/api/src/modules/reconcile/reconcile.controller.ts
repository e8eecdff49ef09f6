import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, ValidateIf } from 'class-validator';
import { IdParam } from '../../common/http/id-param';
import { Requires } from '../../common/http/roles.decorator';
import { DriftViewDto, mapDrift } from './reconcile.dto';
import { ReconcileService } from './reconcile.service';
import { ApiErrors } from '../../common/http/openapi';
import { ErrorCode } from '@fleet/contract';

export class ReconcileDto {
  @ApiPropertyOptional({ description: 'report the drift without writing' })
  @ValidateIf((_, value) => value !== undefined)
  @IsBoolean({ message: 'dryRun must be a boolean' })
  dryRun?: boolean;
}

/** A node's drift from the database: the last reconcile, and a reconcile now. */
@ApiTags('nodes')
@ApiBearerAuth()
@Controller('nodes/:id')
export class ReconcileController {
  constructor(private readonly reconcile: ReconcileService) {}

  @Get('drift')
  @Requires('nodes:read')
  @ApiOkResponse({ type: DriftViewDto })
  drift(@IdParam() id: number) {
    return this.reconcile.last(id).then(mapDrift);
  }

  @Post('reconcile')
  @Requires('nodes:write')
  @HttpCode(200)
  @ApiOkResponse({ type: DriftViewDto })
  @ApiErrors(ErrorCode.NodeNotEligible, ErrorCode.NodeUnreachable)
  reconcileNow(@IdParam() id: number, @Body() body: ReconcileDto) {
    return this.reconcile.reconcile(id, { dryRun: body.dryRun ?? false }).then(mapDrift);
  }
}
