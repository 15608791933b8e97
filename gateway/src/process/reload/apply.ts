import type { Gateway } from '../../server.js';
import type { ApplyReload } from './reloader.js';

/** A single gateway applies a reload itself: prepare beside the running state, then swap. */
export function applyToGateway(gateway: Gateway): ApplyReload {
  return async ({ config }) => {
    const result = await gateway.prepareReload(config);
    if (!result.ok) return result;
    result.prepared.commit();
    return { ok: true, changed: result.prepared.changed, hash: result.prepared.hash };
  };
}
