// Resident memory of other processes (the product's, the worker's), from
// /proc/<pid>/status: sampled while a load runs, so a figure is the process's own peak
// (VmHWM, the kernel's high-water mark) and what it holds under the load (VmRSS).
import { readFileSync } from 'node:fs';
import { scrapeMetrics } from './metrics';

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

/** Where a process's resident memory is, from /proc/<pid>/smaps, MB. */
export interface ResidentSplit {
  readonly totalMb: number;
  /** File-backed mappings: node's code, shared libraries, mapped files. */
  readonly filesMb: number;
  /**
   * WebAssembly memories (PGlite, Prisma's query compiler): V8 reserves 4 GiB or more
   * for each, and what is resident in the reservation is the memory in use.
   */
  readonly wasmMb: number;
  /** The main malloc arena ([heap]); other arenas are anonymous mappings. */
  readonly brkHeapMb: number;
  /** Every other anonymous mapping: V8's heap, malloc arenas, thread stacks, buffers. */
  readonly anonymousMb: number;
}

export function residentSplit(pid: number): ResidentSplit | undefined {
  let smaps: string;
  try {
    smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  interface Vma {
    start: number;
    end: number;
    perms: string;
    path: string;
    rssKb: number;
  }
  const vmas: Vma[] = [];
  for (const line of smaps.split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      vmas.push({
        start: parseInt(mapping[1]!, 16),
        end: parseInt(mapping[2]!, 16),
        perms: mapping[3]!,
        path: mapping[4] ?? '',
        rssKb: 0,
      });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && vmas.length > 0) vmas[vmas.length - 1]!.rssKb += Number(rss[1]);
  }
  // A WebAssembly memory is one reservation that mprotect splits in two: the pages in use
  // (rw-p) and the rest of its 4 GiB or more (---p) right after them.
  const isWasm = (at: number): boolean => {
    const vma = vmas[at]!;
    if (vma.path !== '' || !vma.perms.startsWith('rw')) return false;
    let end = vma.end;
    for (let k = at + 1; k < vmas.length && vmas[k]!.start === end; k++) {
      if (vmas[k]!.path !== '' || !vmas[k]!.perms.startsWith('---')) break;
      end = vmas[k]!.end;
    }
    return end - vma.start >= 2 ** 32;
  };
  const kb = { files: 0, wasm: 0, brk: 0, anonymous: 0 };
  vmas.forEach((vma, at) => {
    const kind = vma.path.startsWith('/')
      ? 'files'
      : vma.path === '[heap]'
        ? 'brk'
        : isWasm(at)
          ? 'wasm'
          : 'anonymous';
    kb[kind] += vma.rssKb;
  });
  const mb = (v: number) => v / 1024;
  return {
    totalMb: mb(kb.files + kb.wasm + kb.brk + kb.anonymous),
    filesMb: mb(kb.files),
    wasmMb: mb(kb.wasm),
    brkHeapMb: mb(kb.brk),
    anonymousMb: mb(kb.anonymous),
  };
}

/**
 * The split beside V8's own heap (its committed size, from the process's /metrics:
 * prom-client's nodejs_heap_size_total_bytes), as one line for a figure's note.
 */
export async function describeResidentSplit(pid: number, url: string): Promise<string> {
  const split = residentSplit(pid);
  if (!split) return 'resident split: process gone';
  const metrics = await scrapeMetrics(url);
  const mbOf = (name: string) => (metrics.get(`custos_${name}`) ?? NaN) / 2 ** 20;
  const v8 = mbOf('nodejs_heap_size_total_bytes');
  const external = mbOf('nodejs_external_memory_bytes');
  const mb = (v: number) => `${v.toFixed(0)} MB`;
  return (
    `of ${mb(split.totalMb)} resident: V8 heap ${mb(v8)} committed (${mb(external)} external), ` +
    `other anonymous ${mb(split.anonymousMb - v8)}, malloc [heap] ${mb(split.brkHeapMb)}, ` +
    `WebAssembly ${mb(split.wasmMb)}, code and files ${mb(split.filesMb)}`
  );
}
