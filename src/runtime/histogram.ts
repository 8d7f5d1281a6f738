/**
 * A Prometheus histogram kept without prom-client: fixed buckets per label set, counted from the first observation.
 * GatewayMetrics registers it in prom-client's registry only when the registry is built (the first scrape), so a
 * Node-RED process that is never scraped never loads prom-client, and nothing observed before the first scrape is lost.
 * The exposition is the one prom-client's own Histogram produces (`_bucket` with `le` last and cumulative counts,
 * `_sum`, `_count`).
 */
export class LocalHistogram<L extends string> {
  private readonly series = new Map<string, { labels: Record<L, string>; counts: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    private readonly buckets: readonly number[],
  ) {}

  private key(labels: Record<L, string>): string {
    return this.labelNames.map((n) => labels[n]).join('\0');
  }

  observe(labels: Record<L, string>, value: number): void {
    const k = this.key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    // Per bucket (not cumulative) here; cumulated when exposed.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
  }

  /** Drop the series whose labels include all of `labels` (a removed connection or device). */
  remove(labels: Partial<Record<L, string>>): void {
    for (const [k, s] of this.series) {
      if (Object.entries(labels).every(([n, v]) => s.labels[n as L] === v)) this.series.delete(k);
    }
  }

  /** The object prom-client's Registry.registerMetric() takes: name, help, type and get(). */
  asPromMetric(): { name: string; help: string; type: 'histogram'; aggregator: 'sum'; get(): Promise<object> } {
    const { name, help } = this;
    return {
      name, help, type: 'histogram', aggregator: 'sum',
      get: () => Promise.resolve({ name, help, type: 'histogram', aggregator: 'sum', values: this.values() }),
    };
  }

  private values(): Array<{ metricName: string; labels: Record<string, string | number>; value: number }> {
    const out: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const s of this.series.values()) {
      let acc = 0;
      this.buckets.forEach((b, i) => {
        acc += s.counts[i]!;
        out.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: b }, value: acc });
      });
      out.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      out.push({ metricName: `${this.name}_sum`, labels: { ...s.labels }, value: s.sum });
      out.push({ metricName: `${this.name}_count`, labels: { ...s.labels }, value: s.count });
    }
    return out;
  }
}
