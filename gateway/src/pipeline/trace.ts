// An optional narration of one decision, for `gateway explain`: each stage reports what it
// found as it runs, so the narration is the live decision and never a re-telling of it.
//
// The live path passes no trace. Every report is written `trace?.({ … })` or through the
// helpers below, and optional call syntax evaluates nothing (no object, no string) when the
// trace is absent; the helpers take only values that already exist.
import type { Denial } from '../errors/reasons.js';

export interface TraceStep {
  /** `target`, `route`, `preflight`, `method`, `public`, `credentials`, `token`, `owner`, …; `token.*` for the steps inside authentication. */
  readonly step: string;
  /** false when this step refused the request (or, inside a step, when one attempt failed). */
  readonly ok: boolean;
  /** One line for a person; never a token or a secret. */
  readonly detail: string;
  /** Structured extras (path parameters, verified claims). */
  readonly data?: Readonly<Record<string, unknown>>;
}

export type Trace = (step: TraceStep) => void;

/** Reports a refusal by `step` and hands back the verdict unchanged. */
export function refusedBy<const V extends { readonly denial: Denial }>(trace: Trace | undefined, step: string, verdict: V): V {
  if (trace !== undefined) trace({ step, ok: false, detail: describeDenial(verdict.denial) });
  return verdict;
}

/** Reports a step that passed with a detail fixed at start, and hands back the value unchanged. */
export function passedBy<const V>(trace: Trace | undefined, step: string, detail: string, value: V): V {
  if (trace !== undefined) trace({ step, ok: true, detail });
  return value;
}

export function describeDenial(denial: Denial): string {
  return denial.detail === undefined ? denial.reason : `${denial.reason}: ${denial.detail}`;
}
