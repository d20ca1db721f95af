// Resident memory of other processes (the product's, the worker's), from
// /proc/<pid>/status: sampled while a load runs, so a figure is the process's own peak
// (VmHWM, the kernel's high-water mark) and what it holds under the load (VmRSS).
import { readFileSync } from 'node:fs';

export interface Resident {
  /** VmRSS now, MB. */
  readonly rssMb: number;
  /** VmHWM: the peak resident set since the process started, MB. */
  readonly peakMb: number;
}

/** VmRSS and VmHWM of `pid` in MB; undefined once the process is gone (or off Linux). */
export function resident(pid: number): Resident | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

export interface MemorySampler {
  /** Stops sampling: the largest VmRSS seen, the last VmHWM, and the samples' median. */
  stop(): { maxRssMb: number; peakMb: number; medianRssMb: number; samples: number };
}

/** Samples `pid` every `everyMs` until stop(). */
export function sampleMemory(pid: number, everyMs = 200): MemorySampler {
  const seen: number[] = [];
  let peakMb = NaN;
  const take = () => {
    const now = resident(pid);
    if (!now) return;
    seen.push(now.rssMb);
    peakMb = now.peakMb;
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const sorted = [...seen].sort((a, b) => a - b);
      return {
        maxRssMb: sorted[sorted.length - 1] ?? NaN,
        peakMb,
        medianRssMb: sorted[Math.floor(sorted.length / 2)] ?? NaN,
        samples: seen.length,
      };
    },
  };
}
