import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { StatsOverview } from '@fleet/contract';
import { AllowRoles } from '../../common/http/roles.decorator';
import { StatsService } from './stats.service';

@ApiTags('stats')
@ApiBearerAuth()
@AllowRoles('admin', 'viewer')
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('overview')
  overview(): Promise<StatsOverview> {
    return this.stats.overview();
  }
}
