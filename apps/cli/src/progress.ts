// A one-line progress bar on standard error, redrawn in place; nothing when standard
// error is not a terminal (scripts and --json get the summary only).
export function bar(done: number, total: number | undefined, label: string): string {
  if (total === undefined || total <= 0) return `${label} ${done.toLocaleString('en')}`;
  const width = 30;
  const fraction = Math.min(1, done / total);
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${label} ${done.toLocaleString('en')}/${total.toLocaleString('en')}`;
}
