/**
 * Control audit log that survives restarts: every arbiter decision (submit, reject, supersede, expiry, field
 * state …) appended as one JSON line to a file, synchronously so a crash right after a decision does not lose it.
 * The file rotates at a size bound (`audit.jsonl` → `audit.jsonl.1`, one generation kept). Reading tolerates a torn
 * last line (power cut mid-write) and reports how many lines it skipped and where.
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry } from '../core/arbitration/index.js';

export interface AuditLogOptions {
  /** Rotate when the file would exceed this many bytes (default 10 MB). */
  maxBytes?: number;
}

export interface AuditRead {
  entries: Array<AuditEntry & { site?: string }>;
  /** Lines that were not valid JSON objects: `file:line`. */
  skipped: string[];
}

export class AuditLog {
  private size: number;
  private readonly maxBytes: number;

  constructor(
    readonly file: string,
    private readonly site: string,
    opts: AuditLogOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
    mkdirSync(dirname(file), { recursive: true });
    this.size = existsSync(file) ? statSync(file).size : 0;
    if (this.size > 0 && !endsWithNewline(file, this.size)) {
      // A line torn by a crash: end it, so the next entry starts on its own line (read() skips the torn one).
      appendFileSync(file, '\n');
      this.size += 1;
    }
  }

  append(entry: AuditEntry): void {
    const line = JSON.stringify({ ts: new Date(entry.at).toISOString(), site: this.site, ...entry }) + '\n';
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.maxBytes) {
      renameSync(this.file, this.file + '.1');
      this.size = 0;
    }
    appendFileSync(this.file, line, { mode: 0o640 });
    this.size += bytes;
  }

  /** The rotated generation then the current file, oldest first. */
  read(): AuditRead {
    const out: AuditRead = { entries: [], skipped: [] };
    for (const f of [this.file + '.1', this.file]) {
      if (!existsSync(f)) continue;
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((l, i) => {
        if (!l.trim()) return;
        try {
          const v = JSON.parse(l) as unknown;
          if (v && typeof v === 'object' && !Array.isArray(v)) out.entries.push(v as AuditEntry);
          else out.skipped.push(`${f}:${i + 1}`);
        } catch {
          out.skipped.push(`${f}:${i + 1}`);
        }
      });
    }
    return out;
  }
}

function endsWithNewline(file: string, size: number): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

/**
 * Append every control decision of `site` to `log` (gridbridge run, the Node-RED site node). A failed write (disk
 * full, permissions) is reported through `warn` once per run of failures, and the decision itself is not affected.
 */
export function recordAudit(site: { on(e: 'audit', f: (a: AuditEntry) => void): unknown }, log: AuditLog, warn: (message: string) => void): void {
  let failing = false;
  site.on('audit', (a) => {
    try {
      log.append(a);
      failing = false;
    } catch (e) {
      if (!failing) warn(`audit log ${log.file}: ${e instanceof Error ? e.message : String(e)}`);
      failing = true;
    }
  });
}
