/** @module A tiny Prometheus registry: counters, gauges and one latency histogram, as text. */

type Labels = Record<string, string>;
const labelKey = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
    .join(',');

interface Series {
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(name: string): string[];
}

export class Counter {
  private values = new Map<string, number>();
  inc(labels: Labels = {}, by = 1) {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  render(name: string) {
    return [...this.values].map(([k, v]) => `${name}${k ? `{${k}}` : ''} ${v}`);
  }
}

/**
 * A gauge read at scrape time, so it never goes stale (e.g. the outbox backlog). Several readers
 * may share one name with different labels: the relays of the services in one process.
 */
export class Gauge {
  private readers = new Map<string, { read: () => number | Promise<number>; last: number }>();
  add(labels: Labels, read: () => number | Promise<number>) {
    this.readers.set(labelKey(labels), { read, last: 0 });
  }
  async refresh() {
    for (const r of this.readers.values()) {
      try {
        r.last = await r.read();
      } catch {
        /* keep the last value: a metrics scrape must not fail because a dependency is down */
      }
    }
  }
  render(name: string) {
    return [...this.readers].map(([k, r]) => `${name}${k ? `{${k}}` : ''} ${r.last}`);
  }
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Histogram {
  private series = new Map<string, { counts: number[]; sum: number; count: number }>();
  observe(labels: Labels, seconds: number) {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) s!.counts[i]!++;
    });
    s.sum += seconds;
    s.count++;
  }
  render(name: string) {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      BUCKETS.forEach((b, i) => out.push(`${name}_bucket{${sep}le="${b}"} ${s.counts[i]}`));
      out.push(`${name}_bucket{${sep}le="+Inf"} ${s.count}`);
      out.push(`${name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      out.push(`${name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  private entries = new Map<string, Series & { metric: Counter | Gauge | Histogram }>();

  counter(name: string, help: string) {
    return this.add(name, help, 'counter', new Counter());
  }
  gauge(name: string, help: string, read: () => number | Promise<number>, labels: Labels = {}) {
    const gauge = this.add(name, help, 'gauge', new Gauge());
    gauge.add(labels, read);
    return gauge;
  }
  histogram(name: string, help: string) {
    return this.add(name, help, 'histogram', new Histogram());
  }

  private add<M extends Counter | Gauge | Histogram>(name: string, help: string, type: Series['type'], metric: M): M {
    const existing = this.entries.get(name);
    if (existing) return existing.metric as M;
    this.entries.set(name, { help, type, metric, render: (n) => metric.render(n) });
    return metric;
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    for (const [name, e] of this.entries) {
      if (e.metric instanceof Gauge) await e.metric.refresh();
      lines.push(`# HELP ${name} ${e.help}`, `# TYPE ${name} ${e.type}`, ...e.render(name));
    }
    return lines.join('\n') + '\n';
  }
}
