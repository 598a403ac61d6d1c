// CPU time and memory of a process from /proc (Linux): utime + stime of /proc/<pid>/stat in seconds, and
// VmRSS / VmHWM (peak resident set) of /proc/<pid>/status in MB. Also the machine facts a result is read with.
//   const a = cpuSeconds(pid); ...; const used = cpuSeconds(pid) - a; peakRssMb(pid)

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds the process has used so far; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

function statusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export const rssMb = (pid: number): number => statusKb(pid, 'VmRSS') / 1024;
export const peakRssMb = (pid: number): number => statusKb(pid, 'VmHWM') / 1024;

/** The pid of the process whose command line contains every one of `parts` (e.g. nats-server and its store dir). */
export function findPid(parts: string[]): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((p) => cmd.includes(p))) return Number(entry);
    } catch {
      /* gone meanwhile */
    }
  }
  return null;
}

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  }
}

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  natsServer: string;
  commit: string;
  loadAverageStart: string;
}

export function machineFacts(cwd: string): MachineFacts {
  const run = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    natsServer: run('nats-server', ['--version']).replace(/^nats-server:\s*/, ''),
    commit: run('git', ['rev-parse', '--short', 'HEAD']),
    loadAverageStart: loadAverage(),
  };
}
