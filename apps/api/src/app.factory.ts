import { INestApplication, RequestMethod } from '@nestjs/common';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { API_PREFIX } from '@fleet/contract';
import { AppModule, Runtime } from './app.module';
import { jsonBodiesOnly } from './common/http/json-bodies';
import { describeApi } from './common/http/openapi';
import { subscriptionPaths } from './modules/keys/formats/subscription.openapi';
import { webhooksDocument } from './modules/outbox/webhooks.openapi';
import { securityHeaders } from './common/http/security-headers';
import { MAX_JSON_BYTES, MAX_LOGIN_JSON_BYTES, refuseDeepJson } from './common/http/strict-input';
import { createValidationPipe } from './common/http/validation';
import { KeysService } from './modules/keys/keys.service';
import { DevicesService } from './modules/devices/devices.service';
import { SubscriptionHandler, subscriptionRoute } from './modules/keys/subscription.route';
import { timeRequests, timeRequestsAhead } from './modules/metrics/http-metrics';
import { MetricsService } from './modules/metrics/metrics.service';

const NOT_THE_SPA = /^\/(api|sub|healthz|readyz|metrics)(\/|$)/;

/** The admin SPA at `/`: its files as they are, and index.html for its client-side routes. */
function serveAdmin(app: NestExpressApplication, adminDir: string): void {
  const index = join(adminDir, 'index.html');
  if (!existsSync(index)) return;
  // Not in front of the API and subscription routes: a file lookup per request there is pure cost.
  const files = express.static(adminDir, { index: false, maxAge: '1h' });
  app.use((request: Request, response: Response, next: NextFunction) =>
    NOT_THE_SPA.test(request.path) ? next() : files(request, response, next),
  );
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' || NOT_THE_SPA.test(request.path) || !request.accepts('html')) return next();
    response.sendFile(index);
  });
}

/** The hottest route answered on the HTTP server itself, before the application sees the request. */
function serveAhead(server: Server, handler: SubscriptionHandler): void {
  const [application] = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!handler(request, response)) application(request, response);
  });
}

/** Builds the HTTP application; shared by `main.ts` and the tests so both run the same app. */
export async function createApp(runtime: Runtime): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(runtime), {
    bufferLogs: true,
    bodyParser: false, // JSON only, registered below (Nest's default would add a form parser)
  });
  app.useLogger(app.get(Logger));
  const metrics = app.get(MetricsService);
  const subscriptions = subscriptionRoute(
    app.get(KeysService),
    app.get(DevicesService),
    runtime.config,
    runtime.logger,
  );
  serveAhead(app.getHttpServer(), timeRequestsAhead(metrics, '/sub/:token', subscriptions));
  app.use(timeRequests(metrics));
  app.use(compression()); // lists of hundreds of nodes are mostly repeated keys: a tenth of the bytes on the wire
  app.use(securityHeaders());
  app.use(jsonBodiesOnly());
  // The one route open to strangers takes the smallest bodies; the general parser leaves a parsed body alone.
  app.use(`/${API_PREFIX}/auth/login`, express.json({ limit: MAX_LOGIN_JSON_BYTES, verify: refuseDeepJson }));
  app.useBodyParser('json', { limit: MAX_JSON_BYTES, verify: refuseDeepJson });
  app.set('trust proxy', runtime.config.trustProxy);
  app.disable('x-powered-by');
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'healthz', method: RequestMethod.GET },
      { path: 'readyz', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(createValidationPipe());
  if (runtime.adminDir) serveAdmin(app, runtime.adminDir);

  const document = describeApi(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('VPN fleet control plane')
        .setDescription('Nodes (3x-ui panels), placement, keys and health of a VPN fleet.')
        .setVersion('1')
        .addServer('/')
        .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'admin JWT or API token' })
        .build(),
    ),
    { webhooks: webhooksDocument(), paths: subscriptionPaths() },
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
