import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** Counters and histograms every module may use (global, no dependencies). */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
