// revocation.retention: how long a revocation entry is kept. An entry only has to outlive the
// tokens it covers, so the right value is the longest token lifetime any issuer hands out.
//
// Default 7d: Better Auth's JWTs live 15 minutes by default, but the seed's own example says
// "JWTs expire automatically (e.g., after 7 days)", and refresh flows vary (some apps mint
// long-lived tokens for mobile clients). A week covers those; an entry costs a few hundred bytes,
// so erring long is cheap, while erring short lets a revoked token back in once its entry lapses.
import { optional, readDuration, readSection, type Mapping } from '../../config/read.js';
import { keyPath, type Problems } from '../../config/problems.js';

export interface RevocationConfig {
  /** An entry is forgotten this long after it was created. */
  readonly retentionMs: number;
}

export const REVOCATION_DEFAULTS = { retentionMs: 7 * 24 * 60 * 60_000 } as const;

/** Better Auth's default token lifetime: a retention below it surely forgets entries too early. */
const SHORT_RETENTION_MS = 15 * 60_000;

export function readRevocation(root: Mapping, p: Problems): RevocationConfig | undefined {
  const raw = readSection(root, 'revocation', '', p, ['retention']);
  if (!raw) return undefined;
  const retentionMs = optional(raw, 'retention', 'revocation', p, readDuration(1000), REVOCATION_DEFAULTS.retentionMs);
  if (retentionMs === undefined) return undefined;
  if (retentionMs < SHORT_RETENTION_MS) {
    p.warn(keyPath('revocation', 'retention'), 'is shorter than 15m (Better Auth\'s default token lifetime): an entry forgotten before the tokens it covers expire lets them back in; set it to the longest token lifetime of your issuers');
  }
  return { retentionMs };
}
