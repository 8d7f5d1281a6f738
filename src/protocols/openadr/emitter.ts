/** A tiny typed event emitter (listeners never throw into the stack). */
export class Emitter<E extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof E, Array<(v: never) => void>>();
  on<K extends keyof E>(event: K, fn: (v: E[K]) => void): () => void {
    const arr = this.listeners.get(event) ?? [];
    arr.push(fn as (v: never) => void);
    this.listeners.set(event, arr);
    return () => this.listeners.set(event, (this.listeners.get(event) ?? []).filter((f) => f !== fn));
  }
  protected emit<K extends keyof E>(event: K, v: E[K]): void {
    for (const fn of this.listeners.get(event) ?? []) {
      try {
        (fn as (v: E[K]) => void)(v);
      } catch {
        // a faulty listener must not break the protocol state machine
      }
    }
  }
}
