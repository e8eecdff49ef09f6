import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { API_PREFIX } from '@fleet/contract';

/** What the SPA needs: its own scripts and styles (charts set inline style attributes), data: images, same-origin API. */
const SPA_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Swagger UI boots from an inline script. */
const DOCS_POLICY = { ...SPA_POLICY, scriptSrc: ["'self'", "'unsafe-inline'"] };

const API = `/${API_PREFIX}/`;

/**
 * helmet on every response (CSP, nosniff, frame-ancestors/X-Frame-Options, Referrer-Policy, …); HSTS only on requests
 * that arrived over HTTPS (directly or through a trusted proxy), since it would break plain-HTTP local use. API answers
 * are never stored by a browser or proxy (`POST /tokens` returns a token, every answer is a principal's view); the
 * dashboard's polls revalidate with their own ETags, which `no-store` leaves working.
 */
export function securityHeaders(): RequestHandler {
  const common = {
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' as const },
    referrerPolicy: { policy: 'no-referrer' as const },
  };
  const app = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: SPA_POLICY } });
  const docs = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: DOCS_POLICY } });
  const hsts = helmet.strictTransportSecurity({ maxAge: 31_536_000 });
  return (request: Request, response: Response, next: NextFunction) => {
    if (request.path.startsWith(API)) response.setHeader('Cache-Control', 'no-store');
    const headers = request.path.startsWith('/api/docs') ? docs : app;
    headers(request, response, (error?: unknown) => {
      if (error || !request.secure) return next(error);
      hsts(request, response, next);
    });
  };
}
