// pipeline/limits: the stage's decisions as values (the e2e suites prove them over sockets), and
// what a reload's successor stage carries over: in-flight counts always, a limiter's counters
// when its policy is unchanged.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { RateLimitPolicy, RouteConfig } from '../../../src/config/types.js';
import type { Denial } from '../../../src/errors/reasons.js';
import type { Identity } from '../../../src/pipeline/authn/index.js';
import { createLimits, describeLimits, type Admission, type LimitsSettings, type LimitsStage } from '../../../src/pipeline/limits/index.js';
import { compileRoutes } from '../../../src/pipeline/route/config.js';
import type { TraceStep } from '../../../src/pipeline/trace.js';

const TASKS: RouteConfig = { path: '/api/:user_id/tasks', methods: ['GET'], owner: 'user_id', public: false };
const HEALTH: RouteConfig = { path: '/health', methods: ['GET'], public: true };

function settings(options: { share?: number; rateLimit?: RateLimitPolicy; routes?: RouteConfig[] } = {}): LimitsSettings {
  const routes = options.routes ?? [TASKS, HEALTH];
  return { limits: { concurrentPerSubject: options.share ?? 2 }, rateLimit: options.rateLimit, routes, routeTable: compileRoutes(routes), trustProxy: false };
}

const req = (remoteAddress = '203.0.113.5') => ({ socket: { remoteAddress }, headers: {} }) as unknown as IncomingMessage;
const who = (subject: string): Identity => ({ subject, claims: {}, issuer: 'test', expiresAtMs: Date.now() + 60_000 });
const routeOf = (s: LimitsSettings, template: string) => s.routeTable.routes.find((r) => r.template === template)!;

async function admit(stage: LimitsStage, s: LimitsSettings, template: string, identity?: Identity, trace?: (step: TraceStep) => void): Promise<Admission | Denial> {
  return stage.admit(req(), routeOf(s, template), identity, trace);
}
const refused = (a: Admission | Denial): a is Denial => (a as Denial).ok === false;

describe('createLimits', () => {
  it('admits a subject up to its share, refuses the next at once, and frees a slot on release', async () => {
    const s = settings();
    const stage = createLimits(s);
    const first = await admit(stage, s, '/api/:user_id/tasks', who('alice'));
    const second = await admit(stage, s, '/api/:user_id/tasks', who('alice'));
    const third = await admit(stage, s, '/api/:user_id/tasks', who('alice'));
    expect(refused(first) || refused(second)).toBe(false);
    expect(third).toMatchObject({ ok: false, reason: 'concurrency_limited', retryAfterSeconds: 1 });
    expect(refused(await admit(stage, s, '/api/:user_id/tasks', who('bob')))).toBe(false);
    (first as Admission).release();
    (first as Admission).release(); // twice is once
    expect(refused(await admit(stage, s, '/api/:user_id/tasks', who('alice')))).toBe(false);
    expect(refused(await admit(stage, s, '/api/:user_id/tasks', who('alice')))).toBe(true);
  });

  it('counts public routes by client address, apart from subjects of the same name', async () => {
    const s = settings({ share: 1 });
    const stage = createLimits(s);
    expect(refused(await stage.admit(req('203.0.113.5'), routeOf(s, '/health'), undefined))).toBe(false);
    expect(refused(await stage.admit(req('203.0.113.5'), routeOf(s, '/health'), undefined))).toBe(true);
    expect(refused(await stage.admit(req('203.0.113.6'), routeOf(s, '/health'), undefined))).toBe(false);
    expect(refused(await admit(stage, s, '/api/:user_id/tasks', who('203.0.113.5')))).toBe(false);
  });

  it('a rate-limited refusal gives its concurrency slot back', async () => {
    const s = settings({ share: 1, rateLimit: { requests: 1, perSeconds: 60 } });
    const stage = createLimits(s);
    const first = (await admit(stage, s, '/api/:user_id/tasks', who('alice'))) as Admission;
    expect(first.rateLimit).toEqual({ policy: '"default";q=1;w=60', state: expect.stringMatching(/^"default";r=0;t=\d+$/) });
    first.release();
    expect(await admit(stage, s, '/api/:user_id/tasks', who('alice'))).toMatchObject({ reason: 'rate_limited' });
    // Had the slot been kept, this would be concurrency_limited.
    expect(await admit(stage, s, '/api/:user_id/tasks', who('alice'))).toMatchObject({ reason: 'rate_limited' });
  });

  it('narrates the key and the count when traced', async () => {
    const s = settings({ rateLimit: { requests: 5, perSeconds: 60 } });
    const steps: TraceStep[] = [];
    await admit(createLimits(s), s, '/api/:user_id/tasks', who('alice'), (step) => steps.push(step));
    expect(steps).toEqual([{ step: 'limits', ok: true, detail: 'subject alice: 1 of 2 in flight; rate limit "default" 5 per 60 s, 4 left' }]);
  });
});

describe('a successor stage (reload)', () => {
  it('carries the in-flight counts, under the new share', async () => {
    const before = settings({ share: 2 });
    const first = createLimits(before);
    await admit(first, before, '/api/:user_id/tasks', who('alice'));
    await admit(first, before, '/api/:user_id/tasks', who('alice'));
    const after = settings({ share: 3 });
    const next = createLimits(after, {}, first);
    expect(refused(await admit(next, after, '/api/:user_id/tasks', who('alice')))).toBe(false);
    expect(refused(await admit(next, after, '/api/:user_id/tasks', who('alice')))).toBe(true);
  });

  it('keeps the counters of an unchanged policy, starts afresh for a changed one', async () => {
    const policy = { requests: 2, perSeconds: 60 };
    const before = settings({ rateLimit: policy });
    const first = createLimits(before);
    for (let i = 0; i < 2; i++) ((await admit(first, before, '/api/:user_id/tasks', who('alice'))) as Admission).release();

    const same = settings({ rateLimit: { ...policy } });
    const kept = createLimits(same, {}, first);
    expect(kept.carried.limiters).toEqual(first.carried.limiters);
    expect(await admit(kept, same, '/api/:user_id/tasks', who('alice'))).toMatchObject({ reason: 'rate_limited' });

    const changed = settings({ rateLimit: { requests: 3, perSeconds: 60 } });
    const fresh = createLimits(changed, {}, kept);
    expect(fresh.carried.limiters[0]).not.toBe(first.carried.limiters[0]);
    expect(refused(await admit(fresh, changed, '/api/:user_id/tasks', who('alice')))).toBe(false);
  });

  it('routes on the default share one limiter; a route\'s own policy and `off` do not', () => {
    const routes: RouteConfig[] = [TASKS, { ...HEALTH, rateLimit: { requests: 9, perSeconds: 1 } }, { path: '/api/:user_id/tasks/:id', methods: ['GET'], owner: 'user_id', public: false, rateLimit: 'off' }];
    const stage = createLimits(settings({ routes, rateLimit: { requests: 1, perSeconds: 1 } }));
    expect(stage.carried.limiters.map((l) => l.name).sort()).toEqual(['/health', 'default']);
  });
});

describe('describeLimits (gateway explain)', () => {
  it('names the key and the policy, and never counts', async () => {
    const s = settings({ share: 1, rateLimit: { requests: 1, perSeconds: 60 } });
    const stage = describeLimits(s);
    const steps: TraceStep[] = [];
    for (let i = 0; i < 3; i++) expect(refused(await admit(stage, s, '/api/:user_id/tasks', who('alice'), (step) => steps.push(step)))).toBe(false);
    expect(steps[0]).toEqual({ step: 'limits', ok: true, detail: 'subject alice: at most 1 in flight; rate limit "default" 1 per 60 s (not counted: explain does not see the live counts)' });
  });
});
