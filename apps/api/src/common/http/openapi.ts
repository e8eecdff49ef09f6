import type { OpenAPIObject } from '@nestjs/swagger';
import { PUBLIC_EXTENSION } from './roles.decorator';

type Operation = Record<string, unknown> & { operationId?: string; summary?: string; security?: unknown[] };

/**
 * Finishes the generated document: every operation secured by the bearer scheme unless it is public (then
 * `security: []`, said explicitly), and a summary on every operation (from its handler's name where none was
 * written: `getOrCreate` → "Get or create").
 */
export function describeApi(document: OpenAPIObject): OpenAPIObject {
  document.security = [{ bearer: [] }];
  for (const methods of Object.values(document.paths)) {
    for (const operation of Object.values(methods as Record<string, Operation>)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      if (operation[PUBLIC_EXTENSION]) {
        operation.security = [];
        delete operation[PUBLIC_EXTENSION];
      }
      operation.summary ??= summaryOf(operation.operationId ?? '');
    }
  }
  return document;
}

/** `KeysController_getOrCreate` → "Get or create". */
export function summaryOf(operationId: string): string {
  const handler = operationId.split('_').pop() ?? operationId;
  const words = handler.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
