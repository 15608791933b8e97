// Resident memory of a process tree under load, from /proc/<pid>/status (Linux). The bench
// samples VmRSS while a round runs and keeps the peak: what the proxy holds while it works,
// not at start-up (VmHWM would include that, and every earlier round).
import { readFileSync } from 'node:fs';
import { processTree } from './proc-cpu.js';

/** A "Name:   123 kB" field of /proc/<pid>/status, in kB; undefined when absent. */
export function statusFieldKb(status: string, field: 'VmRSS' | 'VmHWM'): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) : undefined;
}

function residentKb(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += statusFieldKb(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS') ?? 0;
    } catch {
      // the process ended (a worker restarting): it holds nothing now
    }
  }
  return kb;
}

export interface RssSampler {
  /** Stops sampling; the highest total VmRSS seen (kB), or null where /proc is unavailable. */
  stop(): number | null;
}

/**
 * Samples the summed VmRSS of `root` and its descendants every `intervalMs` (the tree is
 * resolved once: scanning /proc on every sample would cost more than the sample).
 */
export function sampleRss(root: number, intervalMs = 250): RssSampler {
  const pids = processTree(root);
  let peak = residentKb(pids);
  const timer = setInterval(() => { peak = Math.max(peak, residentKb(pids)); }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, residentKb(pids));
      return peak > 0 ? peak : null;
    },
  };
}
