import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { SecretBox } from './common/crypto/secret-box';
import { dataSourceOptions } from './common/database/data-source.options';
import { GlobalExceptionFilter } from './common/errors/global-exception.filter';
import { httpLogOptions } from './common/logging/logger';
import { AuthModule } from './modules/auth/auth.module';
import { EventsModule } from './modules/events/events.module';
import { NodesModule } from './modules/nodes/nodes.module';
import { GroupsModule } from './modules/groups/groups.module';
import { OpsModule } from './modules/ops/ops.module';
import { ScheduleModule } from '@nestjs/schedule';
import { AccessModule } from './modules/access/access.module';
import { AssignmentsModule } from './modules/assignments/assignments.module';
import { BalancerModule } from './modules/balancer/balancer.module';
import { HealthModule } from './modules/health/health.module';
import { HousekeepingModule } from './modules/housekeeping/housekeeping.module';
import { KeysModule } from './modules/keys/keys.module';
import { DevicesModule } from './modules/devices/devices.module';
import { EvacuationModule } from './modules/evacuation/evacuation.module';
import { JobsModule } from './modules/jobs/jobs.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { UsersModule } from './modules/users/users.module';
import { StatsModule } from './modules/stats/stats.module';
import { UsageModule } from './modules/usage/usage.module';
import { ReconcileModule } from './modules/reconcile/reconcile.module';

export interface Runtime {
  config: AppConfig;
  databaseUrl: string;
  secretBox: SecretBox;
  logger: Logger;
  /** The built admin SPA, served at `/` when present. */
  adminDir?: string;
}

@Module({})
export class AppModule {
  static forRoot(runtime: Runtime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(runtime.config, runtime.secretBox),
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: httpLogOptions(runtime.logger),
        }),
        TypeOrmModule.forRoot(dataSourceOptions(runtime.databaseUrl)),
        EventsModule,
        AuthModule,
        ScheduleModule.forRoot(),
        MetricsModule,
        GroupsModule,
        NodesModule,
        UsersModule,
        AssignmentsModule,
        AccessModule,
        UsageModule,
        ReconcileModule,
        JobsModule,
        EvacuationModule,
        BalancerModule,
        HealthModule,
        HousekeepingModule,
        KeysModule,
        DevicesModule,
        StatsModule,
        OpsModule,
        NotificationsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: GlobalExceptionFilter }],
    };
  }
}
