import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { JobView, Page } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { AllowRoles } from '../../common/http/roles.decorator';
import { IdKeysetQueryDto } from '../events/events.dto';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@ApiBearerAuth()
@AllowRoles('admin', 'viewer')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  list(@Query() query: IdKeysetQueryDto): Promise<Page<JobView>> {
    return this.jobs.list(query);
  }

  @Get(':id')
  get(@IdParam() id: number): Promise<JobView> {
    return this.jobs.get(id);
  }
}
