// Stage: revoked? After the token is verified (cached or not) and before the owner rule.
// In-memory lookups only; the set is kept in sync by store/replica-sync.ts.
export { RevocationList } from './revocation-list.js';
