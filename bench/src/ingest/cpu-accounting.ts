import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** CPU time of the whole machine and of some process trees at one moment, in ticks. */
export interface CpuSnapshot {
  at: number;
  machineBusy: number;
  /** per named group: the summed CPU time of its processes (roots and all their descendants) */
  groups: Record<string, number>;
}

/** Cores in use on average between two snapshots: the machine, each group, and everything else. */
export interface CpuUse {
  machineCores: number;
  /** cores used by processes in none of the groups: other work on this machine */
  otherCores: number;
  groups: Record<string, number>;
}

function machineBusyTicks(): number {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = fields.map(Number);
  return (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
}

interface ProcStat {
  ppid: number;
  /**
   * its own CPU time and that of its children that ended and were waited for (a database's
   * connection processes that closed during a measurement count for their postmaster)
   */
  ticks: number;
}

function readProcesses(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // the fields after the command name, which is in parentheses and may hold spaces
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime, stime, cutime, cstime
      const ticks = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
      out.set(Number(name), { ppid: Number(rest[1]), ticks });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The pid of a process whose command line (arguments joined by spaces) matches, or null. */
export function findProcess(pattern: RegExp): number | null {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ");
      if (pattern.test(cmdline)) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** CPU time now, of the machine and of each group of process trees (`{ server: [pid] }`). */
export function cpuSnapshot(groups: Record<string, readonly number[]>): CpuSnapshot {
  const processes = readProcesses();
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of processes) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const claimed = new Set<number>();
  const totals: Record<string, number> = {};
  for (const [group, roots] of Object.entries(groups)) {
    let ticks = 0;
    const stack = [...roots];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      if (claimed.has(pid)) continue;
      claimed.add(pid);
      ticks += processes.get(pid)?.ticks ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
    totals[group] = ticks;
  }
  return { at: performance.now(), machineBusy: machineBusyTicks(), groups: totals };
}

/**
 * Average cores used between two snapshots of the same groups. A group's process that ended in
 * between takes its time with it, so keep the groups' processes alive across the interval.
 */
export function cpuUse(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks: number) => Math.max(0, ticks / TICKS_PER_SECOND / seconds);
  const groups: Record<string, number> = {};
  let ours = 0;
  for (const [group, ticks] of Object.entries(after.groups)) {
    const used = ticks - (before.groups[group] ?? 0);
    groups[group] = cores(used);
    ours += used;
  }
  const machine = after.machineBusy - before.machineBusy;
  return { machineCores: cores(machine), otherCores: cores(machine - ours), groups };
}

/** Cores busy with other work over `ms`, while `groups` are ours (idle between measurements). */
export async function otherLoad(groups: Record<string, readonly number[]>, ms = 1000): Promise<number> {
  const before = cpuSnapshot(groups);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return cpuUse(before, cpuSnapshot(groups)).otherCores;
}

/**
 * Waits (at most `limitMs`) for the machine to be quiet: other processes using under
 * `threshold` cores over a second. Resolves with the last reading.
 */
export async function waitForQuiet(
  groups: Record<string, readonly number[]>,
  limitMs: number,
  threshold = 0.15,
  onWait?: (cores: number) => void,
): Promise<number> {
  const until = performance.now() + limitMs;
  let other = await otherLoad(groups);
  while (other >= threshold && performance.now() < until) {
    onWait?.(other);
    other = await otherLoad(groups, 2000);
  }
  return other;
}

export const MACHINE_CORES = availableParallelism();
