import { describe, expect, it } from 'vitest';
import { deny, errorResponse } from '../../src/errors/reasons.js';

const ctx = { requestId: 'req-1', realm: 'gateway' };

describe('errorResponse', () => {
  it('answers a missing token with 401 and a bare Bearer challenge (RFC 6750 §3.1)', () => {
    const r = errorResponse(deny('missing_token'), ctx);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="gateway"');
    expect(r.body).toMatchObject({ error: 'unauthorized', reason: 'missing_token', request_id: 'req-1' });
  });

  it('answers a bad token with error="invalid_token"', () => {
    const r = errorResponse(deny('invalid_token', 'signature mismatch'), ctx);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="gateway", error="invalid_token", error_description="signature mismatch"');
  });

  it('maps expiry to token_expired with the invalid_token challenge', () => {
    const r = errorResponse(deny('token_expired'), ctx);
    expect(r.status).toBe(401);
    expect(r.body.reason).toBe('token_expired');
    expect(r.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('maps the rest of the contract table', () => {
    expect(errorResponse(deny('user_mismatch'), ctx).status).toBe(403);
    expect(errorResponse(deny('no_route'), ctx).body.error).toBe('not_found');
    const m = errorResponse(deny('method_not_allowed'), { ...ctx, allow: ['GET', 'HEAD'] });
    expect([m.status, m.headers['allow']]).toEqual([405, 'GET, HEAD']);
    const k = errorResponse(deny('keys_unavailable'), ctx);
    expect([k.status, k.body.error, k.headers['retry-after']]).toEqual([503, 'unavailable', '5']);
    expect(errorResponse(deny('upstream_unreachable'), ctx).status).toBe(502);
    expect(errorResponse(deny('upstream_timeout'), ctx).status).toBe(504);
    expect(errorResponse(deny('ambiguous_path'), ctx).body.error).toBe('bad_request');
  });
});
