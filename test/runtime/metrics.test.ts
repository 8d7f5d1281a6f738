import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../src/runtime/metrics.js';

describe('GatewayMetrics', () => {
  it('counts decisions and writes made before the first scrape (prom-client is only loaded then)', async () => {
    const m = new GatewayMetrics(() => 0, { site: 'lab' });
    m.observeDecision({ action: 'submit', outcome: 'applied' });
    m.observeDecision({ action: 'submit', outcome: 'applied' });
    m.observeDecision({ action: 'expire' } as never);
    m.observeWrite(true);
    m.observeWrite(false);
    m.observeWrite(false);
    const text = await m.registry.metrics();
    expect(text).toContain('gridbridge_control_decisions_total{action="submit",outcome="applied",site="lab"} 2');
    expect(text).toContain('gridbridge_control_decisions_total{action="expire",outcome="none",site="lab"} 1');
    expect(text).toContain('gridbridge_field_writes_total{result="ok",site="lab"} 1');
    expect(text).toContain('gridbridge_field_writes_total{result="failed",site="lab"} 2');
    m.observeWrite(true);
    expect(await m.registry.metrics()).toContain('gridbridge_field_writes_total{result="ok",site="lab"} 2');
  });
});
