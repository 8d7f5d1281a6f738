/** Shared helpers for `npm run bench`: each bench/<name>.ts runs standalone and writes bench/results/<name>.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';

export function writeResult(name: string, results: Record<string, unknown>): string {
  const dir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const doc = {
    name,
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    rssMB: Math.round(process.memoryUsage().rss / 1048576),
    ...results,
  };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  process.stdout.write(JSON.stringify(doc) + '\n');
  return file;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
