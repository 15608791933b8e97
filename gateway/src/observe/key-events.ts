// What the gateway tells about key-set fetches: gateway_jwks_fetches_total and a warning for each
// failed fetch, a warning for a key set listing more keys than are read. A single gateway tells
// its own fetches; in a cluster the primary, which does every fetch, tells them for all workers.
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { MAX_JWKS_KEYS } from '../pipeline/authn/import-jwks.js';

export class KeyFetchMetrics {
  private readonly fetches: Counter<'issuer' | 'result'>;

  constructor(registry: Registry) {
    this.fetches = new Counter({ name: 'gateway_jwks_fetches_total', help: 'JWKS fetches by issuer and result.', labelNames: ['issuer', 'result'], registers: [registry] });
  }

  fetched(issuer: string, result: string): void {
    this.fetches.inc({ issuer, result });
  }
}

export interface KeyFetchEvents {
  keyFetch(issuer: string, result: string): void;
  keysIgnored(issuer: string, listed: number): void;
}

export function keyFetchEvents(log: Logger, count: (issuer: string, result: string) => void): KeyFetchEvents {
  return {
    keyFetch(issuer, result) {
      count(issuer, result);
      if (result !== 'success') log.warn({ issuer, result }, 'key set fetch failed');
    },
    keysIgnored(issuer, listed) {
      log.warn({ issuer, keys_listed: listed, keys_read: MAX_JWKS_KEYS }, `key set lists ${listed} keys: only the first ${MAX_JWKS_KEYS} are read`);
    },
  };
}
