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
