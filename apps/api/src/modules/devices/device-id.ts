import { createParamDecorator, ExecutionContext, ParamDecoratorEnhancer } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import type { Request } from 'express';
import { parseId } from '../../common/http/id-param';
import { INT4_MAX } from '../../common/http/strict-input';

const documented: ParamDecoratorEnhancer = (target, key) => {
  const descriptor = Object.getOwnPropertyDescriptor(target, key!)!;
  ApiParam({ name: 'deviceId', schema: { type: 'integer', minimum: 1, maximum: INT4_MAX } })(target, key!, descriptor);
};

/** `@DeviceId()`: the `:deviceId` path parameter, read as strictly as every id. */
export const DeviceId = createParamDecorator(
  (_: unknown, context: ExecutionContext): number =>
    parseId('deviceId', context.switchToHttp().getRequest<Request>().params['deviceId']),
  [documented],
);
