/**
 * Per-resource health of a 2030.5 client: every function set (time, programs, DERCapability, DERSettings, DERStatus,
 * DERAvailability, each mirror) succeeds or fails on its own, with a visible status and its own retry delay. A 4xx is
 * the server refusing what we sent or asked for: retrying at once cannot help, so it backs off (doubling from
 * `firstBackoffS` up to `maxBackoffS`); 5xx, timeouts and network errors retry at the resource's own rate, capped
 * at a minute.
 */
import { errorMessage } from '../../core/errors.js';
import { Sep2HttpError } from './http.js';

export interface ResourceHealth {
  key: string;
  ok: boolean;
  /** HTTP status of the last failure, when there was one. */
  status?: number;
  message?: string;
  /** Consecutive failures. */
  failures: number;
  /** Seconds until the next attempt after a failure. */
  retryInS?: number;
}

export class HealthBoard {
  private readonly entries = new Map<string, ResourceHealth>();

  constructor(
    private readonly firstBackoffS = 30,
    private readonly maxBackoffS = 3600,
  ) {}

  /** Record a success; returns true when the resource had been failing. */
  ok(key: string): boolean {
    const was = this.entries.get(key);
    this.entries.set(key, { key, ok: true, failures: 0 });
    return !!was && !was.ok;
  }

  /** Record a failure; returns the entry with the delay before the next attempt. */
  failed(key: string, e: unknown, periodS: number): ResourceHealth {
    const prev = this.entries.get(key);
    const failures = (prev && !prev.ok ? prev.failures : 0) + 1;
    const status = e instanceof Sep2HttpError ? e.status : undefined;
    const clientError = status !== undefined && status >= 400 && status < 500;
    const retryInS = clientError ? Math.min(this.maxBackoffS, this.firstBackoffS * 2 ** Math.min(16, failures - 1)) : Math.max(1, Math.min(periodS, 60));
    const h: ResourceHealth = { key, ok: false, failures, message: errorMessage(e), retryInS, ...(status !== undefined ? { status } : {}) };
    this.entries.set(key, h);
    return h;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get(key: string): ResourceHealth | undefined {
    return this.entries.get(key);
  }

  all(): ResourceHealth[] {
    return [...this.entries.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  failing(): ResourceHealth[] {
    return this.all().filter((h) => !h.ok);
  }

  /** One line for a status dot: `dercap: HTTP 400 (retry in 60 s); mup:meter/W: …`. */
  summary(): string {
    return this.failing()
      .map((h) => `${h.key}: ${h.status !== undefined ? `HTTP ${h.status}` : (h.message ?? 'failed')} (retry in ${h.retryInS} s)`)
      .join('; ');
  }
}
