/**
 * A process-wide hook on the upstream HTTP clients (2030.5 and OpenADR): each request on the wire is reported with
 * its duration and result once it ends, so the metrics can keep a latency histogram per protocol. The protocol
 * stacks only call `reportHttpCall`; nothing is measured while no observer is registered.
 */
import { performance } from 'node:perf_hooks';

export interface HttpCall {
  /** 'sep2' or 'openadr'. */
  protocol: string;
  method: string;
  url: string;
  /** HTTP status when an answer came; absent on a timeout or network/TLS failure. */
  status?: number;
  seconds: number;
  /** Why no answer came (timeout, network, tls …). */
  error?: string;
}

export type HttpObserver = (call: HttpCall) => void;

export const httpObservers = new Set<HttpObserver>();

/** Start timing a request; the returned function reports it (call it once, on answer or failure). */
export function timeHttpCall(protocol: string, method: string, url: string): (status: number | undefined, error?: string) => void {
  if (httpObservers.size === 0) return () => undefined;
  const t0 = performance.now();
  let done = false;
  return (status, error) => {
    if (done) return;
    done = true;
    const call: HttpCall = { protocol, method, url, seconds: (performance.now() - t0) / 1000, ...(status !== undefined ? { status } : {}), ...(error ? { error } : {}) };
    for (const f of httpObservers) {
      try {
        f(call);
      } catch {
        /* an observer never breaks a request */
      }
    }
  };
}
