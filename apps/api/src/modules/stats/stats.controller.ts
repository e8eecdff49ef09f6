import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { StatsOverview } from '@fleet/contract';
import { AllowRoles } from '../../common/http/roles.decorator';
import { StatsOverviewDto } from './stats.dto';
import { StatsService } from './stats.service';

@ApiTags('stats')
@ApiBearerAuth()
@AllowRoles('admin', 'viewer')
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('overview')
  @ApiOkResponse({ type: StatsOverviewDto })
  overview(): Promise<StatsOverview> {
    return this.stats.overview();
  }
}
