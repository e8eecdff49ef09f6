import { Global, Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { NodesModule } from '../nodes/nodes.module';
import { OutboxModule } from '../outbox/outbox.module';
import { FleetGauges } from './fleet-gauges';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** Counters and histograms every module may use (global, no dependencies). */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}

/** `GET /metrics`, with the gauges read from the database at scrape time. */
@Module({ imports: [NodesModule, JobsModule, OutboxModule], controllers: [MetricsController], providers: [FleetGauges] })
export class MetricsRoutesModule {}
