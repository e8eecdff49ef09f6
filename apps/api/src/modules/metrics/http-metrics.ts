import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MetricsService } from './metrics.service';

/** The route label of requests no route matched (the dashboard's files, paths outside the API). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every request the application answers, labelled by the template of the route that matched
 * (`/api/v1/users/:id`), never by the path itself: ids and tokens would each become a series.
 */
export function timeRequests(metrics: MetricsService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const done = metrics.httpRequestSeconds.startTimer();
    response.on('finish', () => {
      const route = request.route ? `${request.baseUrl}${String(request.route.path)}` : UNMATCHED_ROUTE;
      done({ method: request.method, route, status: String(response.statusCode) });
    });
    next();
  };
}

/** Times the requests a handler that runs ahead of the application answers, under one route template. */
export function timeRequestsAhead(
  metrics: MetricsService,
  route: string,
  handler: (request: IncomingMessage, response: ServerResponse) => boolean,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    const done = metrics.httpRequestSeconds.startTimer();
    if (!handler(request, response)) return false;
    response.on('finish', () => done({ method: request.method, route, status: String(response.statusCode) }));
    return true;
  };
}
