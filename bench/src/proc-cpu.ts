// CPU time a process and its children have used, from /proc/<pid>/stat (Linux). The bench
// reads it before and after a round: Δ(user+system) / requests = CPU cost per request,
// the number that decides how many requests a core can carry.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface StatFields {
  readonly ppid: number;
  /** user + system time in clock ticks. */
  readonly ticks: number;
}

/** Parses one /proc/<pid>/stat line; the command name may itself contain spaces and parentheses. */
export function parseStat(line: string): StatFields | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = line.slice(close + 2).split(' ');
  // After "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (![ppid, utime, stime].every(Number.isFinite)) return undefined;
  return { ppid, ticks: utime + stime };
}

function readStat(pid: number): StatFields | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** pid and every live descendant (gateway workers, nginx workers). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [root];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Seconds of CPU used so far by the process tree under `root`; NaN where /proc is unavailable. */
export function cpuSeconds(root: number): number {
  let ticks = 0;
  let seen = false;
  for (const pid of processTree(root)) {
    const stat = readStat(pid);
    if (stat) {
      ticks += stat.ticks;
      seen = true;
    }
  }
  return seen ? ticks / clockTicks() : Number.NaN;
}

/** Seconds all cores have spent busy (everything but idle and iowait), from /proc/stat. */
export function systemBusySeconds(): number {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [label, ...fields] = first.trim().split(/\s+/);
    if (label !== 'cpu') return Number.NaN;
    const v = fields.map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const busy = (v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) + (v[5] ?? 0) + (v[6] ?? 0) + (v[7] ?? 0);
    return busy / clockTicks();
  } catch {
    return Number.NaN;
  }
}

/** This process's CPU plus that of its children already waited for (wrk runs), seconds. */
export function selfAndReapedChildrenSeconds(): number {
  try {
    const line = readFileSync('/proc/self/stat', 'utf8');
    const rest = line.slice(line.lastIndexOf(')') + 2).split(' ');
    // utime stime cutime cstime are fields 14–17, i.e. rest[11..14]
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(rest[i]), 0);
    return Number.isFinite(ticks) ? ticks / clockTicks() : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
