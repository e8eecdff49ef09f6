import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AttentionView, StatsOverview } from '@fleet/contract';
import { Requires } from '../../common/http/roles.decorator';
import { AttentionDto, StatsOverviewDto } from './stats.dto';
import { StatsService } from './stats.service';

@ApiTags('stats')
@ApiBearerAuth()
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('attention')
  @Requires('metrics:read')
  @ApiOkResponse({ type: AttentionDto, description: 'what needs an operator now, counted' })
  attention(): Promise<AttentionView> {
    return this.stats.attention();
  }

  @Get('overview')
  @Requires('metrics:read')
  @ApiOkResponse({ type: StatsOverviewDto })
  overview(): Promise<StatsOverview> {
    return this.stats.overview();
  }
}
