/** A minimal typed event emitter (listener errors are isolated so one bad listener cannot stop the bus). */
export class TypedEmitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  private listeners = new Map<keyof Events, Array<(...args: never[]) => void>>();

  on<K extends keyof Events>(event: K, fn: Events[K]): this {
    const l = this.listeners.get(event);
    if (l) l.push(fn);
    else this.listeners.set(event, [fn]);
    return this;
  }

  off<K extends keyof Events>(event: K, fn: Events[K]): this {
    const l = this.listeners.get(event);
    if (l) {
      const i = l.indexOf(fn);
      if (i >= 0) l.splice(i, 1);
    }
    return this;
  }

  once<K extends keyof Events>(event: K, fn: Events[K]): this {
    const wrap = ((...args: Parameters<Events[K]>) => {
      this.off(event, wrap);
      (fn as (...a: Parameters<Events[K]>) => void)(...args);
    }) as unknown as Events[K];
    return this.on(event, wrap);
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const l = this.listeners.get(event);
    if (!l || l.length === 0) return;
    // Call a snapshot (a listener may add or remove listeners); one listener, the common case, needs no copy.
    if (l.length === 1) return this.invoke(l[0]!, event, args);
    for (const fn of [...l]) this.invoke(fn, event, args);
  }

  private invoke<K extends keyof Events>(fn: (...args: never[]) => void, event: K, args: Parameters<Events[K]>): void {
    try {
      (fn as (...a: Parameters<Events[K]>) => void)(...args);
    } catch (e) {
      this.listenerError(e, String(event));
    }
  }

  /** Override to log; by default a throwing listener is reported on stderr and otherwise ignored. */
  protected listenerError(e: unknown, event: string): void {
    process.stderr.write(`gridbridge modbus: listener for "${event}" threw: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
