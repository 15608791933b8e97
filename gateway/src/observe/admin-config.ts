// admin.token: the Bearer token of the admin write endpoints (/revocations). Read beside the
// admin API that uses it. Without a token those endpoints do not exist (404): an admin port
// that anyone on the host can reach must not accept revocations from anyone.
import { kindOf, keyPath, type Problems } from '../config/problems.js';
import { UNRESOLVED } from '../config/substitute.js';

export const ADMIN_TOKEN_MIN_BYTES = 32;

/** What --check-config (and the start log) say when admin.token is not set. */
export const ADMIN_API_OFF_NOTE =
  'admin.token is not set: the admin API for revocations (POST, GET, DELETE /revocations) is off and answers 404; set admin.token: ${GATEWAY_ADMIN_TOKEN} to turn it on';

/** Visible ASCII only: the token travels in an Authorization header (RFC 6750 b64token is stricter still). */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * Reads `admin.token` from the raw `admin` value (its other keys are read by readListen).
 * Returns `{ token: undefined }` when absent or empty; undefined after a problem. Never echoes the value.
 */
export function readAdminToken(admin: unknown, p: Problems, fromEnv: ReadonlySet<string>): { token: string | undefined } | undefined {
  if (admin === null || typeof admin !== 'object' || Array.isArray(admin) || !Object.hasOwn(admin, 'token')) return { token: undefined };
  const path = keyPath('admin', 'token');
  const value = (admin as Record<string, unknown>)['token'];
  if (value === UNRESOLVED) return undefined;
  if (typeof value !== 'string') {
    p.add(path, `must be a string (write token: \${GATEWAY_ADMIN_TOKEN} and set that variable), got ${value === null ? 'nothing' : typeof value === 'object' ? kindOf(value) : typeof value}`);
    return undefined;
  }
  // Empty means "off", so `token: "${GATEWAY_ADMIN_TOKEN:-}"` leaves the choice to the deployment
  // (off is the safe side: the endpoints do not exist, they never accept anyone).
  if (value === '') return { token: undefined };
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < ADMIN_TOKEN_MIN_BYTES) {
    p.add(path, `is too short: ${bytes} bytes, and the admin token must be at least ${ADMIN_TOKEN_MIN_BYTES}; make one with: openssl rand -base64 32`);
    return undefined;
  }
  if (!VISIBLE_ASCII.test(value)) {
    p.add(path, 'must be visible ASCII without spaces (it is sent as Authorization: Bearer <token>); make one with: openssl rand -base64 32');
    return undefined;
  }
  if (!fromEnv.has(path)) {
    p.warn(path, 'the admin token is written in the config file itself; prefer token: ${GATEWAY_ADMIN_TOKEN} so the file can be shared and the token rotated without editing it');
  }
  return { token: value };
}
