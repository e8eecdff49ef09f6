import { Module } from '@nestjs/common';
import { OpsController } from './ops.controller';
import { OpsRepository } from './ops.repository';

@Module({ controllers: [OpsController], providers: [OpsRepository] })
export class OpsModule {}
